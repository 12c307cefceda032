package dev.domainkeeper.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Checks how DOMAINKEEPER_DNS_CHECK_INTERVAL_MS is read, and that the old cache variable is refused. */
class DnsCheckIntervalConfigTest {

    @Test
    void dnsCheckInterval_unset_isOneSecond() {
        assertThat(Config.fromEnvironment(Map.of()).dnsCheckInterval()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void dnsCheckInterval_zero_turnsTheLimitOff() {
        assertThat(Config.fromEnvironment(Map.of("DOMAINKEEPER_DNS_CHECK_INTERVAL_MS", "0")).dnsCheckInterval())
                .isEqualTo(Duration.ZERO);
    }

    @Test
    void dnsCheckInterval_negative_isRejectedNamingTheRange() {
        assertThatThrownBy(() -> Config.fromEnvironment(Map.of("DOMAINKEEPER_DNS_CHECK_INTERVAL_MS", "-1")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("DOMAINKEEPER_DNS_CHECK_INTERVAL_MS: \"-1\" is not valid "
                        + "(expected: an integer from 0 to 60000)");
    }

    @Test
    void dnsCacheSeconds_set_isRefusedNamingItsReplacement() {
        assertThatThrownBy(() -> Config.fromEnvironment(Map.of("DOMAINKEEPER_DNS_CACHE_SECONDS", "5")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("DOMAINKEEPER_DNS_CACHE_SECONDS: no longer read")
                .hasMessageContaining("DOMAINKEEPER_DNS_CHECK_INTERVAL_MS");
    }
}
