package dev.domainkeeper.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.domainkeeper.domain.RecordType;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.LoopbackDnsServer;
import dev.domainkeeper.testing.MutableClock;
import dev.domainkeeper.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Walks a sandbox domain from PENDING to SUCCESS by publishing its records on a real DNS server. */
class SandboxVerificationTest {
    @TempDir
    Path dir;
    LoopbackDnsServer dns;
    MutableClock clock;
    TestServer server;

    @BeforeEach
    void start() {
        dns = LoopbackDnsServer.start();
        clock = new MutableClock(Instant.now());
        server = TestServer.start(dir, Map.of("DOMAINKEEPER_DNS_RESOLVERS", dns.hostAndPort(),
                "DOMAINKEEPER_BACKGROUND_WORKERS", "false", "DOMAINKEEPER_DNS_TIMEOUT_MS", "1000"),
                a -> a.withClock(clock));
    }

    @AfterEach
    void stop() {
        server.close();
        dns.close();
    }

    private JsonNode get(String id) {
        return Json.parse(server.http("GET", "/domains/" + id, TestServer.BOOTSTRAP_KEY, null).body()).get("domain");
    }

    @Test
    void domainVerifies_whenItsDkimCnamesAndMailFromMxResolve() {
        JsonNode d = Json.parse(server.http("POST", "/domains", TestServer.BOOTSTRAP_KEY,
                "{\"domain\":\"verify.example.com\"}").body()).get("domain");
        String id = d.get("id").asText();
        clock.advance(Duration.ofSeconds(6));
        assertThat(get(id).get("dkim_status").asText()).isEqualTo("PENDING");

        for (JsonNode r : d.get("dns_records")) {
            if (r.get("purpose").asText().equals("DKIM")) {
                dns.addCname(r.get("name").asText(), r.get("value").asText());
            }
        }
        // Within the refresh window the stored state is served without asking SES again.
        assertThat(get(id).get("dkim_status").asText()).isEqualTo("PENDING");
        clock.advance(Duration.ofSeconds(6));
        JsonNode verified = get(id);

        assertThat(verified.get("dkim_status").asText()).isEqualTo("SUCCESS");
        assertThat(verified.get("verification_status").asText()).isEqualTo("SUCCESS");
        assertThat(verified.get("can_send").asBoolean()).isTrue();
        assertThat(verified.get("mail_from_status").asText()).isEqualTo("PENDING");

        dns.addMx("mail.verify.example.com", 10, "feedback-smtp.us-east-1.amazonses.com");
        clock.advance(Duration.ofSeconds(6));
        assertThat(get(id).get("mail_from_status").asText()).isEqualTo("SUCCESS");

        long events = server.server().database().jdbi().withHandle(h -> h.createQuery(
                "SELECT COUNT(*) FROM domain_events WHERE domain_id = :id AND type = 'domain.status_changed'")
                .bind("id", id).mapTo(Long.class).one());
        assertThat(events).isEqualTo(2);
    }

    @Test
    void wrongDkimTarget_staysPending_andFailsAfter72Hours() {
        JsonNode d = Json.parse(server.http("POST", "/domains", TestServer.BOOTSTRAP_KEY,
                "{\"domain\":\"never.example.com\"}").body()).get("domain");
        String id = d.get("id").asText();
        for (JsonNode r : d.get("dns_records")) {
            if (r.get("purpose").asText().equals("DKIM")) {
                dns.addCname(r.get("name").asText(), "wrong.dkim.amazonses.com");
            }
        }
        clock.advance(Duration.ofSeconds(6));
        assertThat(get(id).get("dkim_status").asText()).isEqualTo("PENDING");

        clock.advance(Duration.ofHours(73));
        JsonNode failed = get(id);

        assertThat(failed.get("dkim_status").asText()).isEqualTo("FAILED");
        assertThat(failed.get("verification_status").asText()).isEqualTo("FAILED");
    }

    @Test
    void backgroundVerifier_picksUpPublishedRecords() {
        JsonNode d = Json.parse(server.http("POST", "/domains", TestServer.BOOTSTRAP_KEY,
                "{\"domain\":\"bg.example.com\"}").body()).get("domain");
        for (JsonNode r : d.get("dns_records")) {
            if (r.get("purpose").asText().equals("DKIM")) {
                dns.add(r.get("name").asText(), RecordType.CNAME, r.get("value").asText());
            }
        }
        clock.advance(Duration.ofSeconds(31));

        assertThat(server.server().verifier().runOnce()).isEqualTo(1);

        String status = server.server().database().jdbi().withHandle(h -> h.createQuery(
                "SELECT dkim_status FROM domains WHERE name = 'bg.example.com'").mapTo(String.class).one());
        assertThat(status).isEqualTo("SUCCESS");
        assertThat(server.server().verifier().runOnce()).as("next check is not due yet").isZero();
    }
}
