package dev.domainkeeper.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The webhook settings group: safe defaults, and a bad value named. */
class ConfigWebhooksTest {
    @Test
    void defaults_allowOnlyHttpsToPublicAddresses() {
        Config.Webhooks w = Config.fromEnvironment(Map.of()).webhooks();

        assertThat(w.allowHttp()).isFalse();
        assertThat(w.allowPrivate()).isFalse();
        assertThat(w.attemptTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(w.maxPerEndpoint()).isEqualTo(4);
    }

    @Test
    void settings_areRead() {
        Config.Webhooks w = Config.fromEnvironment(Map.of(
                        "DOMAINKEEPER_WEBHOOKS_ALLOW_HTTP", "true",
                        "DOMAINKEEPER_WEBHOOKS_ALLOW_PRIVATE", "true",
                        "DOMAINKEEPER_WEBHOOKS_TIMEOUT_MS", "2500",
                        "DOMAINKEEPER_WEBHOOKS_MAX_PER_ENDPOINT", "2"))
                .webhooks();

        assertThat(w).isEqualTo(new Config.Webhooks(true, true, Duration.ofMillis(2500), 2));
    }

    @Test
    void badValue_isRefused_namingTheVariable() {
        assertThatThrownBy(() -> Config.fromEnvironment(Map.of("DOMAINKEEPER_WEBHOOKS_ALLOW_PRIVATE", "maybe")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("DOMAINKEEPER_WEBHOOKS_ALLOW_PRIVATE: ");
        assertThatThrownBy(() -> Config.fromEnvironment(Map.of("DOMAINKEEPER_WEBHOOKS_MAX_PER_ENDPOINT", "0")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("DOMAINKEEPER_WEBHOOKS_MAX_PER_ENDPOINT: ");
    }
}
