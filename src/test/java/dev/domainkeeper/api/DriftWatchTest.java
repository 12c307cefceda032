package dev.domainkeeper.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.domainkeeper.accounts.AccountService;
import dev.domainkeeper.domain.RecordType;
import dev.domainkeeper.store.AccountStore;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.LoopbackDnsServer;
import dev.domainkeeper.testing.MutableClock;
import dev.domainkeeper.testing.TestServer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drift watch through the API: a verified domain whose DKIM record disappears shows it drifted on
 * GetDomain and gets a {@code domain.dns_drift} event; once the record is back, a
 * {@code domain.dns_restored} event and a healthy {@code dns_health}. Driven by the watch's
 * {@code runOnce} with a clock the test moves; the DNS is a real server on loopback.
 */
class DriftWatchTest {
    @TempDir
    Path dir;

    LoopbackDnsServer dns;
    MutableClock clock;
    TestServer server;

    @BeforeEach
    void start() {
        dns = LoopbackDnsServer.start();
        clock = new MutableClock(Instant.parse("2026-12-01T00:00:00Z"));
        server = TestServer.start(
                dir,
                Map.of(
                        "DOMAINKEEPER_DNS_RESOLVERS",
                        dns.hostAndPort(),
                        "DOMAINKEEPER_BACKGROUND_WORKERS",
                        "false",
                        "DOMAINKEEPER_DNS_TIMEOUT_MS",
                        "1000"),
                a -> a.withClock(clock));
    }

    @AfterEach
    void stop() {
        server.close();
        dns.close();
    }

    @Test
    void recordThatWasValidAndDisappears_isDrift_andItsReturnIsARestore() {
        JsonNode added = addAndVerify("drift.example.com", TestServer.BOOTSTRAP_KEY);
        String id = added.get("id").asText();
        assertThat(get(id, TestServer.BOOTSTRAP_KEY).has("dns_health"))
                .as("no health before the first check")
                .isFalse();

        assertThat(server.server().driftWatch().runOnce()).isEqualTo(1);
        JsonNode first = get(id, TestServer.BOOTSTRAP_KEY).get("dns_health");
        assertThat(first.get("healthy").asBoolean()).isTrue();
        assertThat(first.get("drifted_records")).isEmpty();
        assertThat(Instant.parse(first.get("checked_at").asText())).isEqualTo(clock.instant());
        Instant next = Instant.parse(first.get("next_check_at").asText());
        assertThat(next)
                .isBetween(
                        clock.instant().plus(Duration.ofMinutes(324)),
                        clock.instant().plus(Duration.ofMinutes(396)));

        // Not due yet: nothing is checked.
        clock.advance(Duration.ofHours(1));
        assertThat(server.server().driftWatch().runOnce()).isZero();

        String dkimName = dkim(added).get("name").asText();
        String dkimTarget = dkim(added).get("value").asText();
        dns.remove(dkimName, RecordType.CNAME);
        clock.advance(Duration.ofHours(6).plusMinutes(40));
        assertThat(server.server().driftWatch().runOnce()).isEqualTo(1);

        JsonNode drifted = get(id, TestServer.BOOTSTRAP_KEY).get("dns_health");
        assertThat(drifted.get("healthy").asBoolean()).isFalse();
        assertThat(drifted.get("drifted_records")).hasSize(1);
        JsonNode d = drifted.get("drifted_records").get(0);
        assertThat(d.get("record").get("name").asText()).isEqualTo(dkimName);
        assertThat(d.get("record").get("value").asText()).isEqualTo(dkimTarget);
        assertThat(d.get("status").asText()).isEqualTo("MISSING");
        assertThat(d.get("message").asText()).contains(dkimName);
        assertThat(Instant.parse(d.get("since").asText())).isEqualTo(clock.instant());
        assertThat(eventTypes(id)).containsExactly("domain.dns_drift");
        assertThat(eventPayload(id, "domain.dns_drift"))
                .contains("\"status\":\"MISSING\"")
                .contains(dkimName)
                .contains("\"domain\":\"drift.example.com\"");

        // Still missing at the next check: the same drift, no second event.
        Instant since = clock.instant();
        clock.advance(Duration.ofHours(7));
        server.server().driftWatch().runOnce();
        JsonNode still = get(id, TestServer.BOOTSTRAP_KEY).get("dns_health");
        assertThat(Instant.parse(
                        still.get("drifted_records").get(0).get("since").asText()))
                .isEqualTo(since);
        assertThat(eventTypes(id)).containsExactly("domain.dns_drift");

        dns.addCname(dkimName, dkimTarget);
        clock.advance(Duration.ofHours(7));
        server.server().driftWatch().runOnce();
        JsonNode restored = get(id, TestServer.BOOTSTRAP_KEY).get("dns_health");
        assertThat(restored.get("healthy").asBoolean()).isTrue();
        assertThat(restored.get("drifted_records")).isEmpty();
        assertThat(eventTypes(id)).containsExactly("domain.dns_drift", "domain.dns_restored");
    }

    @Test
    void recordNeverSeenValid_isNotDrift() {
        JsonNode added = addAndVerify("never.example.com", TestServer.BOOTSTRAP_KEY);
        String id = added.get("id").asText();
        // DMARC was never published: it is missing from the first check on, which is not drift.
        server.server().driftWatch().runOnce();
        clock.advance(Duration.ofHours(7));
        server.server().driftWatch().runOnce();

        assertThat(get(id, TestServer.BOOTSTRAP_KEY)
                        .get("dns_health")
                        .get("healthy")
                        .asBoolean())
                .isTrue();
        assertThat(eventTypes(id)).isEmpty();
    }

    @Test
    void lookupsThatFail_changeNothing() {
        JsonNode added = addAndVerify("flaky.example.com", TestServer.BOOTSTRAP_KEY);
        String id = added.get("id").asText();
        server.server().driftWatch().runOnce();
        dns.servfail(dkim(added).get("name").asText());
        clock.advance(Duration.ofHours(7));
        server.server().driftWatch().runOnce();

        assertThat(get(id, TestServer.BOOTSTRAP_KEY)
                        .get("dns_health")
                        .get("healthy")
                        .asBoolean())
                .isTrue();
        assertThat(eventTypes(id)).isEmpty();
    }

    @Test
    void anotherAccount_seesNeitherTheDomainNorItsHealth() {
        JsonNode added = addAndVerify("mine.example.com", TestServer.BOOTSTRAP_KEY);
        String id = added.get("id").asText();
        server.server().driftWatch().runOnce();
        String other = new AccountService(
                        new AccountStore(server.server().database().jdbi()), Clock.systemUTC())
                .createAccount("other-" + System.nanoTime())
                .key();

        var response = server.http("GET", "/domains/" + id, other, null);

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).doesNotContain("dns_health").doesNotContain("mine.example.com");
    }

    @Test
    void removedDomain_isNoLongerWatched() {
        JsonNode added = addAndVerify("gone.example.com", TestServer.BOOTSTRAP_KEY);
        String id = added.get("id").asText();
        server.server().driftWatch().runOnce();
        assertThat(server.http("DELETE", "/domains/" + id, TestServer.BOOTSTRAP_KEY, null)
                        .statusCode())
                .isEqualTo(200);

        clock.advance(Duration.ofHours(7));
        assertThat(server.server().driftWatch().runOnce()).isZero();
        long rows = server.server()
                .database()
                .jdbi()
                .withHandle(h -> h.createQuery("SELECT COUNT(*) FROM dns_health")
                        .mapTo(Long.class)
                        .one());
        assertThat(rows).isZero();
    }

    @Test
    void unverifiedDomain_isNotWatched() {
        server.http("POST", "/domains", TestServer.BOOTSTRAP_KEY, "{\"domain\":\"pending.example.com\"}");

        assertThat(server.server().driftWatch().runOnce()).isZero();
    }

    /** Adds the domain, publishes its DKIM CNAMEs, MAIL FROM MX and SPF, and lets the sandbox verify it. */
    private JsonNode addAndVerify(String name, String key) {
        JsonNode d = Json.parse(server.http("POST", "/domains", key, "{\"domain\":\"" + name + "\"}")
                        .body())
                .get("domain");
        dns.publishForVerification(d);
        clock.advance(Duration.ofSeconds(6));
        JsonNode verified = get(d.get("id").asText(), key);
        assertThat(verified.get("verification_status").asText()).isEqualTo("SUCCESS");
        return d;
    }

    private JsonNode get(String id, String key) {
        return Json.parse(server.http("GET", "/domains/" + id, key, null).body())
                .get("domain");
    }

    private static JsonNode dkim(JsonNode domain) {
        for (JsonNode r : domain.get("dns_records")) {
            if (r.get("purpose").asText().equals("DKIM")) {
                return r;
            }
        }
        throw new AssertionError("no DKIM record");
    }

    private List<String> eventTypes(String id) {
        return server.server()
                .database()
                .jdbi()
                .withHandle(h -> h.createQuery("SELECT type FROM domain_events WHERE domain_id = :id "
                                + "AND type LIKE 'domain.dns_%' ORDER BY created_at, id")
                        .bind("id", id)
                        .mapTo(String.class)
                        .list());
    }

    private String eventPayload(String id, String type) {
        return server.server()
                .database()
                .jdbi()
                .withHandle(
                        h -> h.createQuery("SELECT payload FROM domain_events WHERE domain_id = :id AND type = :type")
                                .bind("id", id)
                                .bind("type", type)
                                .mapTo(String.class)
                                .one());
    }
}
