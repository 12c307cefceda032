package dev.domainkeeper.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Checks how DOMAINKEEPER_AWS_TIMEOUT_MS is read. */
class AwsTimeoutConfigTest {
    @Test
    void awsTimeout_unset_isTwentySeconds() {
        assertThat(Config.fromEnvironment(Map.of()).awsApiCallTimeout()).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void awsTimeout_set_isUsed() {
        assertThat(Config.fromEnvironment(Map.of("DOMAINKEEPER_AWS_TIMEOUT_MS", "1500")).awsApiCallTimeout())
                .isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void awsTimeout_outOfRange_isRefusedNamingTheVariable() {
        assertThatThrownBy(() -> Config.fromEnvironment(Map.of("DOMAINKEEPER_AWS_TIMEOUT_MS", "50")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("DOMAINKEEPER_AWS_TIMEOUT_MS: \"50\" is not valid (expected: an integer from 100 to 300000)");
    }
}
