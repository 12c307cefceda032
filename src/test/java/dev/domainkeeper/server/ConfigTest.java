package dev.domainkeeper.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Checks how the configuration is read from the environment: defaults, values, and refusals that
 * name the variable and what it accepts. (The command line's exit code 2 is checked in CommandLineTest.)
 */
class ConfigTest {
    @Test
    void awsTimeout_unset_isTwentySeconds() {
        assertThat(Config.fromEnvironment(Map.of()).awsApiCallTimeout()).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void awsTimeout_set_isUsed() {
        assertThat(Config.fromEnvironment(Map.of("DOMAINKEEPER_AWS_TIMEOUT_MS", "1500"))
                        .awsApiCallTimeout())
                .isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void awsTimeout_outOfRange_isRefusedNamingTheVariable() {
        assertThatThrownBy(() -> Config.fromEnvironment(Map.of("DOMAINKEEPER_AWS_TIMEOUT_MS", "50")))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "DOMAINKEEPER_AWS_TIMEOUT_MS: \"50\" is not valid (expected: an integer from 100 to 300000)");
    }

    @Test
    void dnsCheckInterval_unset_isOneSecond() {
        assertThat(Config.fromEnvironment(Map.of()).dnsCheckInterval()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void dnsCheckInterval_zero_turnsTheLimitOff() {
        assertThat(Config.fromEnvironment(Map.of("DOMAINKEEPER_DNS_CHECK_INTERVAL_MS", "0"))
                        .dnsCheckInterval())
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

    @Test
    void leaseSeconds_unset_leavesEachLeaseAtItsDefault() {
        assertThat(Config.fromEnvironment(Map.of()).leaseDuration()).isEmpty();
    }

    @Test
    void leaseSeconds_set_overridesEveryLease() {
        assertThat(Config.fromEnvironment(Map.of("DOMAINKEEPER_LEASE_SECONDS", "10"))
                        .leaseDuration())
                .contains(Duration.ofSeconds(10));
    }

    @Test
    void leaseSeconds_belowFive_isRejectedNamingTheRange() {
        assertThatThrownBy(() -> Config.fromEnvironment(Map.of("DOMAINKEEPER_LEASE_SECONDS", "1")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("DOMAINKEEPER_LEASE_SECONDS: \"1\" is not valid (expected: an integer from 5 to 3600)");
    }

    @Test
    void budgets_unset_areSesAtOneASecondWithAws_andRoute53AtFive() {
        Config aws = Config.fromEnvironment(Map.of("DOMAINKEEPER_SES_BACKEND", "aws"));
        Config sandbox = Config.fromEnvironment(Map.of());

        assertThat(aws.sesMaxRps()).isEqualTo(1.0);
        assertThat(aws.sesBurst()).isEqualTo(4);
        assertThat(aws.route53MaxRps()).isEqualTo(5.0);
        assertThat(aws.route53Burst()).isEqualTo(10);
        assertThat(sandbox.sesMaxRps()).isEqualTo(1000.0);
        assertThat(sandbox.sesBurst()).isEqualTo(2000);
        assertThat(sandbox.testEmails().perDay()).isEqualTo(200);
        assertThat(sandbox.testEmails().ratePerMinute()).isEqualTo(10);
    }

    @Test
    void budgets_set_areUsed_andBadValuesAreRefusedNamingTheVariable() {
        Config c = Config.fromEnvironment(Map.of(
                "DOMAINKEEPER_SES_MAX_RPS", "2.5",
                "DOMAINKEEPER_SES_BURST", "7",
                "DOMAINKEEPER_ROUTE53_MAX_RPS", "3",
                "DOMAINKEEPER_ROUTE53_BURST", "6",
                "DOMAINKEEPER_TEST_EMAIL_PER_DAY", "50"));

        assertThat(c.sesMaxRps()).isEqualTo(2.5);
        assertThat(c.sesBurst()).isEqualTo(7);
        assertThat(c.route53MaxRps()).isEqualTo(3.0);
        assertThat(c.route53Burst()).isEqualTo(6);
        assertThat(c.testEmails().perDay()).isEqualTo(50);
        assertThatThrownBy(() -> Config.fromEnvironment(Map.of("DOMAINKEEPER_ROUTE53_BURST", "0")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("DOMAINKEEPER_ROUTE53_BURST: \"0\" is not valid (expected: an integer from 1 to 1000000)");
        assertThatThrownBy(() -> Config.fromEnvironment(Map.of("DOMAINKEEPER_ROUTE53_MAX_RPS", "-1")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("DOMAINKEEPER_ROUTE53_MAX_RPS: \"-1\" is not valid (expected: a number > 0)");
        assertThatThrownBy(() -> Config.fromEnvironment(Map.of("DOMAINKEEPER_TEST_EMAIL_PER_DAY", "0")))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "DOMAINKEEPER_TEST_EMAIL_PER_DAY: \"0\" is not valid (expected: an integer from 1 to 10000000)");
    }
}
