package dev.domainkeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.domainkeeper.accounts.AccountService;
import dev.domainkeeper.errors.UnauthenticatedException;
import dev.domainkeeper.store.AccountStore;
import dev.domainkeeper.store.Database;
import dev.domainkeeper.testing.Databases;
import dev.domainkeeper.testing.Processes;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CommandLineTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "DOMAINKEEPER_PORT|abc|an integer from 0 to 65535",
                "DOMAINKEEPER_PORT|70000|an integer from 0 to 65535",
                "DOMAINKEEPER_SES_BACKEND|ses|sandbox or aws",
                "DOMAINKEEPER_DATABASE_URL|jdbc:mysql://x/y|jdbc:sqlite",
                "DOMAINKEEPER_DNS_RESOLVERS|127.0.0.1:0|host[:port]",
                "DOMAINKEEPER_SES_ENDPOINT|not a url|http(s) URL",
                "AWS_REGION|moon-1|AWS region",
                "DOMAINKEEPER_BOOTSTRAP_API_KEY|short|at least 16 characters"
            })
    void serve_badConfigurationValue_exitsNonZeroNamingIt(String variable, String value, String expected) {
        Processes.Result r = Processes.runMain(Map.of(variable, value), dir, "serve");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).contains(variable).contains(value).contains(expected);
    }

    @Test
    void accountsCreate_printsKeyAloneOnLastLine_andKeyWorks() {
        String url = Databases.sqliteUrl(dir);
        Processes.Result r =
                Processes.runMain(Map.of("DOMAINKEEPER_DATABASE_URL", url), dir, "accounts", "create", "acme");

        assertThat(r.exitCode()).as(r.stderr()).isZero();
        List<String> lines = r.stdout().lines().toList();
        String key = lines.get(lines.size() - 1);
        assertThat(key).matches("dk_[0-9a-z]{32}");
        try (Database db = Database.open(url, null, null, null)) {
            AccountService accounts = new AccountService(new AccountStore(db.jdbi()), Clock.systemUTC());
            assertThat(accounts.authenticate(key)).startsWith("acc_");
        }

        Processes.Result list = Processes.runMain(Map.of("DOMAINKEEPER_DATABASE_URL", url), dir, "accounts", "list");
        assertThat(list.stdout())
                .contains("acme")
                .contains(key.substring(0, 11))
                .doesNotContain(key);

        Processes.Result revoke = Processes.runMain(
                Map.of("DOMAINKEEPER_DATABASE_URL", url), dir, "api-keys", "revoke", key.substring(0, 11));
        assertThat(revoke.exitCode()).as(revoke.stderr()).isZero();
        try (Database db = Database.open(url, null, null, null)) {
            AccountService accounts = new AccountService(new AccountStore(db.jdbi()), Clock.systemUTC());
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> accounts.authenticate(key))
                    .isInstanceOf(UnauthenticatedException.class);
        }
    }

    @Test
    void accountsCreate_duplicateName_failsWithMessage() {
        String url = Databases.sqliteUrl(dir);
        Processes.runMain(Map.of("DOMAINKEEPER_DATABASE_URL", url), dir, "accounts", "create", "acme");

        Processes.Result again =
                Processes.runMain(Map.of("DOMAINKEEPER_DATABASE_URL", url), dir, "accounts", "create", "acme");

        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.stderr()).contains("already exists");
    }

    @Test
    void apiKeysRevoke_unknownPrefix_failsWithOneLineAndNoStackTrace() {
        String url = Databases.sqliteUrl(dir);
        Processes.runMain(Map.of("DOMAINKEEPER_DATABASE_URL", url), dir, "accounts", "create", "acme");

        Processes.Result r =
                Processes.runMain(Map.of("DOMAINKEEPER_DATABASE_URL", url), dir, "api-keys", "revoke", "dk_nope0000");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderr()).startsWith("error: ").doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void grantZonesAndRevokeZones_changeWhatTheAccountMayUse_andListShowsIt() {
        Map<String, String> env = Map.of("DOMAINKEEPER_DATABASE_URL", Databases.sqliteUrl(dir));
        Processes.runMain(env, dir, "accounts", "create", "acme");
        Processes.runMain(env, dir, "accounts", "create", "other");

        Processes.Result none = Processes.runMain(env, dir, "accounts", "list");
        Processes.Result granted =
                Processes.runMain(env, dir, "accounts", "grant-zones", "acme", "Z1D633PJN98FT9", "/hostedzone/zabc");
        Processes.Result listed = Processes.runMain(env, dir, "accounts", "list");
        Processes.Result all = Processes.runMain(env, dir, "accounts", "grant-zones", "other", "--all");
        Processes.Result revoked = Processes.runMain(env, dir, "accounts", "revoke-zones", "acme", "Z1D633PJN98FT9");
        Processes.Result revokedAll = Processes.runMain(env, dir, "accounts", "revoke-zones", "other", "--all");

        assertThat(none.stdout()).contains("zones none");
        assertThat(granted.exitCode()).as(granted.stderr()).isZero();
        assertThat(granted.stdout()).contains("account acme may now publish to: Z1D633PJN98FT9, ZABC");
        assertThat(listed.stdout()).contains("zones Z1D633PJN98FT9, ZABC").contains("zones none");
        assertThat(all.exitCode()).as(all.stderr()).isZero();
        assertThat(all.stdout()).contains("account other may now publish to: all zones");
        assertThat(revoked.stdout()).contains("account acme may now publish to: ZABC");
        assertThat(revokedAll.stdout()).contains("account other may now publish to: none");
        try (Database db = Database.open(env.get("DOMAINKEEPER_DATABASE_URL"), null, null, null)) {
            AccountStore store = new AccountStore(db.jdbi());
            String acme = store.findAccountByName("acme").orElseThrow().id();
            String other = store.findAccountByName("other").orElseThrow().id();
            assertThat(store.zoneGrants(acme)).containsExactly("ZABC");
            assertThat(store.zoneGrants(other)).isEmpty();
        }
    }

    @Test
    void grantZones_withoutZonesOrWithBoth_orForAnUnknownAccount_failsAndChangesNothing() {
        Map<String, String> env = Map.of("DOMAINKEEPER_DATABASE_URL", Databases.sqliteUrl(dir));
        Processes.runMain(env, dir, "accounts", "create", "acme");

        Processes.Result neither = Processes.runMain(env, dir, "accounts", "grant-zones", "acme");
        Processes.Result both = Processes.runMain(env, dir, "accounts", "grant-zones", "acme", "--all", "Z1");
        Processes.Result unknown = Processes.runMain(env, dir, "accounts", "grant-zones", "nobody", "--all");
        Processes.Result badId = Processes.runMain(env, dir, "accounts", "revoke-zones", "acme", "not-a-zone");

        assertThat(neither.exitCode()).isEqualTo(2);
        assertThat(neither.stderr()).contains("--all or one or more ZONE_ID").contains("Usage:");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.stderr()).contains("not both");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.stderr()).startsWith("error: account: no account named \"nobody\"");
        assertThat(badId.exitCode()).isEqualTo(1);
        assertThat(badId.stderr()).startsWith("error: zone id: \"not-a-zone\" is not a Route 53 hosted zone id");
        assertThat(Processes.runMain(env, dir, "accounts", "list").stdout()).contains("zones none");
    }

    @Test
    void setQuota_changesHowManyDomainsTheAccountMayHold_andListShowsIt() {
        Map<String, String> env = Map.of("DOMAINKEEPER_DATABASE_URL", Databases.sqliteUrl(dir));
        Processes.runMain(env, dir, "accounts", "create", "acme");

        Processes.Result before = Processes.runMain(env, dir, "accounts", "list");
        Processes.Result set = Processes.runMain(env, dir, "accounts", "set-quota", "acme", "--domains", "25");
        Processes.Result after = Processes.runMain(env, dir, "accounts", "list");
        Processes.Result negative = Processes.runMain(env, dir, "accounts", "set-quota", "acme", "--domains", "-1");
        Processes.Result missing = Processes.runMain(env, dir, "accounts", "set-quota", "acme");

        assertThat(before.stdout()).contains("domains 0 of 1000");
        assertThat(set.exitCode()).as(set.stderr()).isZero();
        assertThat(set.stdout()).contains("Account acme may hold 25 domains (it holds 0)");
        assertThat(after.stdout()).contains("domains 0 of 25");
        assertThat(negative.exitCode()).isEqualTo(1);
        assertThat(negative.stderr()).startsWith("error: domains: -1 (expected: a quota from 0 to 1000000)");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.stderr()).contains("--domains");
        try (Database db = Database.open(env.get("DOMAINKEEPER_DATABASE_URL"), null, null, null)) {
            AccountStore store = new AccountStore(db.jdbi());
            assertThat(store.domainQuota(
                            store.findAccountByName("acme").orElseThrow().id()))
                    .isEqualTo(25);
        }
    }

    @Test
    void setQuota_testSendsPerDay_setsTheAccountsOwnDailyLimit_andListShowsIt() {
        Map<String, String> env = Map.of("DOMAINKEEPER_DATABASE_URL", Databases.sqliteUrl(dir));
        Processes.runMain(env, dir, "accounts", "create", "acme");

        Processes.Result before = Processes.runMain(env, dir, "accounts", "list");
        Processes.Result set =
                Processes.runMain(env, dir, "accounts", "set-quota", "acme", "--test-sends-per-day", "500");
        Processes.Result after = Processes.runMain(env, dir, "accounts", "list");
        Processes.Result negative =
                Processes.runMain(env, dir, "accounts", "set-quota", "acme", "--test-sends-per-day", "-1");

        assertThat(before.stdout()).contains("test sends per day 200 (the default)");
        assertThat(set.exitCode()).as(set.stderr()).isZero();
        assertThat(set.stdout()).contains("Account acme may send 500 NORMAL test emails a day");
        assertThat(after.stdout()).contains("test sends per day 500").contains("domains 0 of 1000");
        assertThat(negative.exitCode()).isEqualTo(1);
        assertThat(negative.stderr())
                .startsWith("error: test-sends-per-day: -1 (expected: a limit from 0 to 10000000)");
        try (Database db = Database.open(env.get("DOMAINKEEPER_DATABASE_URL"), null, null, null)) {
            AccountStore store = new AccountStore(db.jdbi());
            assertThat(store.testSendsPerDay(
                            store.findAccountByName("acme").orElseThrow().id()))
                    .hasValue(500);
        }
    }

    @Test
    void warmUp_startsAndStopsTheServiceOnAThrowawayDatabase_andLeavesNothingBehind() throws Exception {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        List<Path> before = warmUpDirectories(tmp);

        assertThat(Main.run("warm-up")).isZero();

        assertThat(warmUpDirectories(tmp)).isEqualTo(before);
    }

    private static List<Path> warmUpDirectories(Path tmp) throws java.io.IOException {
        try (var paths = java.nio.file.Files.list(tmp)) {
            return paths.filter(p -> p.getFileName().toString().startsWith("domainkeeper-warm-up"))
                    .sorted()
                    .toList();
        }
    }
}
