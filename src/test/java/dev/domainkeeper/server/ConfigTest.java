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
        assertThat(Config.fromEnvironment(Map.of()).aws().apiCallTimeout()).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void awsTimeout_set_isUsed() {
        assertThat(Config.fromEnvironment(Map.of("DOMAINKEEPER_AWS_TIMEOUT_MS", "1500"))
                        .aws()
                        .apiCallTimeout())
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
    void awsPrincipal_accountIdMeansItsRoot_anArnIsKept_andNothingElseIsAccepted() {
        assertThat(Config.fromEnvironment(Map.of()).aws().principal()).isEmpty();
        assertThat(Config.fromEnvironment(Map.of("DOMAINKEEPER_AWS_PRINCIPAL", "123456789012"))
                        .aws()
                        .principal())
                .contains("arn:aws:iam::123456789012:root");
        assertThat(Config.fromEnvironment(
                                Map.of("DOMAINKEEPER_AWS_PRINCIPAL", "arn:aws:iam::123456789012:role/domainkeeper"))
                        .aws()
                        .principal())
                .contains("arn:aws:iam::123456789012:role/domainkeeper");
        assertThatThrownBy(() -> Config.fromEnvironment(Map.of("DOMAINKEEPER_AWS_PRINCIPAL", "arn:aws:s3:::bucket")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("DOMAINKEEPER_AWS_PRINCIPAL:");
    }

    @Test
    void dnsCheckInterval_unset_isOneSecond() {
        assertThat(Config.fromEnvironment(Map.of()).dns().checkInterval()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void dnsCheckInterval_zero_turnsTheLimitOff() {
        assertThat(Config.fromEnvironment(Map.of("DOMAINKEEPER_DNS_CHECK_INTERVAL_MS", "0"))
                        .dns()
                        .checkInterval())
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
    void dnsAuthoritativePort_defaultsTo53_andTakesAPort() {
        assertThat(Config.fromEnvironment(Map.of()).dns().authoritativePort()).isEqualTo(53);
        assertThat(Config.fromEnvironment(Map.of()).dns().authoritativeAllowPrivate())
                .isFalse();
        assertThat(Config.fromEnvironment(Map.of("DOMAINKEEPER_DNS_AUTHORITATIVE_ALLOW_PRIVATE", "true"))
                        .dns()
                        .authoritativeAllowPrivate())
                .isTrue();
        assertThat(Config.fromEnvironment(Map.of("DOMAINKEEPER_DNS_AUTHORITATIVE_PORT", "5353"))
                        .dns()
                        .authoritativePort())
                .isEqualTo(5353);
    }

    @Test
    void dnsAuthoritativePort_outOfRange_isRejectedNamingTheVariable() {
        for (String bad : new String[] {"0", "65536", "dns"}) {
            assertThatThrownBy(() -> Config.fromEnvironment(Map.of("DOMAINKEEPER_DNS_AUTHORITATIVE_PORT", bad)))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("DOMAINKEEPER_DNS_AUTHORITATIVE_PORT: \"" + bad + "\" is not valid "
                            + "(expected: an integer from 1 to 65535)");
        }
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
        assertThat(Config.fromEnvironment(Map.of()).jobs().leaseDuration()).isEmpty();
    }

    @Test
    void leaseSeconds_set_overridesEveryLease() {
        assertThat(Config.fromEnvironment(Map.of("DOMAINKEEPER_LEASE_SECONDS", "10"))
                        .jobs()
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
    void secretsKey_unset_givesABoxThatRefusesSecrets() {
        assertThat(Config.fromEnvironment(Map.of()).secrets().box().enabled()).isFalse();
    }

    @Test
    void secretsKey_set_sealsUnderIt_andThePreviousKeyStillOpens() {
        String oldKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
        String sealedUnderOld = Config.fromEnvironment(Map.of("DOMAINKEEPER_SECRETS_KEY", oldKey))
                .secrets()
                .box()
                .seal("token", "ctx");

        Config rotated = Config.fromEnvironment(Map.of(
                "DOMAINKEEPER_SECRETS_KEY",
                "q83vEjRWeJ0zTZ8oF8RZ1gT1ViXS7SZRq5mfvwyEKWs=",
                "DOMAINKEEPER_SECRETS_KEY_PREVIOUS",
                oldKey));

        assertThat(rotated.secrets().box().open(sealedUnderOld, "ctx")).isEqualTo("token");
    }

    @Test
    void secretsKey_notThirtyTwoBytesOfBase64_isRejectedNamingTheVariableNotTheValue() {
        assertThatThrownBy(() -> Config.fromEnvironment(Map.of("DOMAINKEEPER_SECRETS_KEY", "dG9vLXNob3J0")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("DOMAINKEEPER_SECRETS_KEY: decodes to 9 bytes")
                .hasMessageContaining("openssl rand -base64 32")
                .hasMessageNotContaining("dG9vLXNob3J0");
    }

    @Test
    void previousSecretsKey_withoutACurrentOne_isRejected() {
        assertThatThrownBy(() -> Config.fromEnvironment(
                        Map.of("DOMAINKEEPER_SECRETS_KEY_PREVIOUS", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("DOMAINKEEPER_SECRETS_KEY_PREVIOUS: set without DOMAINKEEPER_SECRETS_KEY");
    }

    @Test
    void bounds_haveTheirDefaults_andAreRangeChecked() {
        Config.Bounds b = Config.fromEnvironment(Map.of()).bounds();
        assertThat(b)
                .isEqualTo(new Config.Bounds(
                        Duration.ofSeconds(10),
                        8,
                        Duration.ofSeconds(60),
                        Duration.ofHours(168),
                        Duration.ofHours(24)));
        assertThat(DomainkeeperServer.snapshotDeadline(Config.fromEnvironment(Map.of())))
                .isEqualTo(Duration.ofSeconds(10));
        // Never so long that an AWS call and the snapshot reach the request timeout (10 s here).
        assertThat(DomainkeeperServer.snapshotDeadline(Config.fromEnvironment(
                        Map.of("DOMAINKEEPER_AWS_TIMEOUT_MS", "100", "DOMAINKEEPER_DNS_TIMEOUT_MS", "100"))))
                .isEqualTo(Duration.ofMillis(8900));
        for (String name : new String[] {
            "DOMAINKEEPER_DNS_SNAPSHOT_DEADLINE_MS",
            "DOMAINKEEPER_DNS_SNAPSHOTS_PER_ACCOUNT",
            "DOMAINKEEPER_PAGE_TOKEN_KEY_ROTATION_HOURS",
            "DOMAINKEEPER_PAGE_TOKEN_LIFETIME_HOURS"
        }) {
            assertThatThrownBy(() -> Config.fromEnvironment(Map.of(name, "0")))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith(name + ": \"0\" is not valid");
        }
        assertThat(Config.fromEnvironment(Map.of("DOMAINKEEPER_ROUTE53_ZONE_CACHE_SECONDS", "0"))
                        .bounds()
                        .zoneCacheTtl())
                .isZero();
    }

    @Test
    void budgets_unset_areSesAtOneASecondWithAws_andRoute53AtFive() {
        Config aws = Config.fromEnvironment(Map.of("DOMAINKEEPER_SES_BACKEND", "aws"));
        Config sandbox = Config.fromEnvironment(Map.of());

        assertThat(aws.ses().maxRps()).isEqualTo(1.0);
        assertThat(aws.ses().burst()).isEqualTo(4);
        assertThat(aws.route53().maxRps()).isEqualTo(5.0);
        assertThat(aws.route53().burst()).isEqualTo(10);
        assertThat(sandbox.ses().maxRps()).isEqualTo(1000.0);
        assertThat(sandbox.ses().burst()).isEqualTo(2000);
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

        assertThat(c.ses().maxRps()).isEqualTo(2.5);
        assertThat(c.ses().burst()).isEqualTo(7);
        assertThat(c.route53().maxRps()).isEqualTo(3.0);
        assertThat(c.route53().burst()).isEqualTo(6);
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
