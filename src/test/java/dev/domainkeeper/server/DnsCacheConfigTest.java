package dev.domainkeeper.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Checks how DOMAINKEEPER_DNS_CACHE_SECONDS is read. */
class DnsCacheConfigTest {

    @Test
    void dnsCacheSeconds_unset_isFiveSeconds() {
        assertThat(Config.fromEnvironment(Map.of()).dnsCacheTtl()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void dnsCacheSeconds_zero_turnsCachingOff() {
        assertThat(Config.fromEnvironment(Map.of("DOMAINKEEPER_DNS_CACHE_SECONDS", "0")).dnsCacheTtl())
                .isEqualTo(Duration.ZERO);
    }

    @Test
    void dnsCacheSeconds_negative_isRejectedNamingTheRange() {
        assertThatThrownBy(() -> Config.fromEnvironment(Map.of("DOMAINKEEPER_DNS_CACHE_SECONDS", "-1")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("DOMAINKEEPER_DNS_CACHE_SECONDS: \"-1\" is not valid (expected: an integer from 0 to 300)");
    }
}
