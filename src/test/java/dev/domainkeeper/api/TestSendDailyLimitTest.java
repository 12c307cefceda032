package dev.domainkeeper.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.domainkeeper.accounts.AccountService;
import dev.domainkeeper.store.AccountStore;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.MutableClock;
import dev.domainkeeper.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks the daily limit of NORMAL test emails through the API: held in the database, so a restart
 * (a new server on the same database) still refuses, with RESOURCE_EXHAUSTED, a retry hint until the
 * next UTC day and no submission stored; the operator sets an account's own limit.
 */
class TestSendDailyLimitTest {
    @TempDir
    Path dir;

    /** 18:00 UTC: six hours until the next day. */
    final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T18:00:00Z"));

    TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private TestServer start() {
        return TestServer.start(
                dir,
                Map.of(
                        "DOMAINKEEPER_DATABASE_URL", "jdbc:sqlite:" + dir.resolve("limits.db"),
                        "DOMAINKEEPER_BACKGROUND_WORKERS", "false",
                        "DOMAINKEEPER_TEST_EMAIL_PER_DAY", "2"),
                a -> a.withClock(clock));
    }

    private HttpResponse<String> sendNormal(String key, String id) {
        return server.http(
                "POST",
                "/domains/test-email",
                key,
                "{\"id\":\"" + id + "\",\"test_type\":\"NORMAL\",\"to_email\":\"someone@example.org\"}");
    }

    private int submissions() {
        Jdbi db = server.server().database().jdbi();
        return db.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM submissions")
                .mapTo(Integer.class)
                .one());
    }

    @Test
    void theDailyLimit_survivesARestart_andLiftsTheNextDay() {
        server = start();
        AccountService accounts =
                new AccountService(new AccountStore(server.server().database().jdbi()), Clock.systemUTC());
        String key = accounts.createAccount("acme").key();
        String id = TestEmailTest.verifiedDomain(server, key, "daily.example.com");
        assertThat(sendNormal(key, id).statusCode()).isEqualTo(200);
        assertThat(sendNormal(key, id).statusCode()).isEqualTo(200);
        assertThat(sendNormal(key, id).statusCode()).isEqualTo(429);

        server.close();
        server = start();
        HttpResponse<String> refused = sendNormal(key, id);

        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
        assertThat(refused.headers().firstValue("retry-after")).hasValue(Long.toString(6 * 3600));
        assertThat(Json.parse(refused.body()).get("message").asText())
                .contains("test emails: this account has sent 2 NORMAL test emails today (UTC), its limit of 2 a day")
                .contains("./domainkeeper accounts set-quota acme --test-sends-per-day N");
        assertThat(submissions()).as("nothing queued for a refused send").isEqualTo(2);

        clock.advance(Duration.ofHours(6));
        assertThat(sendNormal(key, id).statusCode()).as("a new day").isEqualTo(200);
    }

    @Test
    void theLimit_isPerAccount_andTheOperatorSetsAnAccountsOwn() {
        server = start();
        AccountService accounts =
                new AccountService(new AccountStore(server.server().database().jdbi()), Clock.systemUTC());
        String first = accounts.createAccount("first").key();
        String second = accounts.createAccount("second").key();
        String firstDomain = TestEmailTest.verifiedDomain(server, first, "first.example.com");
        String secondDomain = TestEmailTest.verifiedDomain(server, second, "second.example.com");
        sendNormal(first, firstDomain);
        sendNormal(first, firstDomain);
        assertThat(sendNormal(first, firstDomain).statusCode()).isEqualTo(429);

        assertThat(sendNormal(second, secondDomain).statusCode())
                .as("another account")
                .isEqualTo(200);

        accounts.setTestSendsPerDay("first", 3);
        assertThat(sendNormal(first, firstDomain).statusCode()).isEqualTo(200);
        assertThat(sendNormal(first, firstDomain).statusCode()).isEqualTo(429);
        // Simulator sends reach only the SES mailbox simulator: the daily limit does not count them.
        assertThat(server.http("POST", "/domains/test-email", first, "{\"id\":\"" + firstDomain + "\"}")
                        .statusCode())
                .isEqualTo(200);
    }
}
