package dev.domainkeeper.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.domainkeeper.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks that the server gives a request longer than an AWS call may take, so a slow SES or Route 53
 * call is answered with its outcome instead of a 503 at Armeria's default 10 s while it carries on.
 */
class RequestTimeoutTest {
    @TempDir
    Path dir;

    private static Duration timeout(Map<String, String> env) {
        return DomainkeeperServer.requestTimeout(Config.fromEnvironment(env));
    }

    @Test
    void default_isTwiceTheAwsTimeoutPlusFiveSeconds() {
        assertThat(timeout(Map.of())).isEqualTo(Duration.ofSeconds(45));
        assertThat(timeout(Map.of()))
                .isGreaterThan(Config.fromEnvironment(Map.of()).aws().apiCallTimeout());
    }

    @Test
    void followsTheAwsTimeout_andTheDnsTimeoutWhenThatIsLonger() {
        assertThat(timeout(Map.of("DOMAINKEEPER_AWS_TIMEOUT_MS", "120000"))).isEqualTo(Duration.ofSeconds(245));
        assertThat(timeout(Map.of("DOMAINKEEPER_AWS_TIMEOUT_MS", "5000", "DOMAINKEEPER_DNS_TIMEOUT_MS", "30000")))
                .isEqualTo(Duration.ofSeconds(65));
    }

    @Test
    void isNeverBelowArmeriasDefault() {
        assertThat(timeout(Map.of("DOMAINKEEPER_AWS_TIMEOUT_MS", "100", "DOMAINKEEPER_DNS_TIMEOUT_MS", "100")))
                .isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void theRunningServer_appliesItToEveryService() {
        try (TestServer server = TestServer.start(
                dir,
                Map.of("DOMAINKEEPER_AWS_TIMEOUT_MS", "30000", "DOMAINKEEPER_BACKGROUND_WORKERS", "false"),
                UnaryOperator.identity())) {
            assertThat(server.server().requestTimeoutsMillis()).containsExactly(65_000L);
        }
    }
}
