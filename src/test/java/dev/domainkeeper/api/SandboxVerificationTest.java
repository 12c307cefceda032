package dev.domainkeeper.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.domainkeeper.domain.RecordType;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.LoopbackDnsServer;
import dev.domainkeeper.testing.MutableClock;
import dev.domainkeeper.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Walks sandbox domains from nothing published to verified by publishing their records on a real DNS
 * server: the SES statuses go PENDING to SUCCESS, and the DNS validation snapshot from MISSING to all valid.
 */
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

    private JsonNode get(String id) {
        return Json.parse(server.http("GET", "/domains/" + id, TestServer.BOOTSTRAP_KEY, null)
                        .body())
                .get("domain");
    }

    @Test
    void domainVerifies_whenItsDkimCnamesAndMailFromMxResolve() {
        JsonNode d = Json.parse(
                        server.http("POST", "/domains", TestServer.BOOTSTRAP_KEY, "{\"domain\":\"verify.example.com\"}")
                                .body())
                .get("domain");
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

        long events = server.server()
                .database()
                .jdbi()
                .withHandle(h -> h.createQuery(
                                "SELECT COUNT(*) FROM domain_events WHERE domain_id = :id AND type = 'domain.status_changed'")
                        .bind("id", id)
                        .mapTo(Long.class)
                        .one());
        assertThat(events).isEqualTo(2);
    }

    @Test
    void wrongDkimTarget_staysPending_andFailsAfter72Hours() {
        JsonNode d = Json.parse(
                        server.http("POST", "/domains", TestServer.BOOTSTRAP_KEY, "{\"domain\":\"never.example.com\"}")
                                .body())
                .get("domain");
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
        JsonNode d = Json.parse(
                        server.http("POST", "/domains", TestServer.BOOTSTRAP_KEY, "{\"domain\":\"bg.example.com\"}")
                                .body())
                .get("domain");
        for (JsonNode r : d.get("dns_records")) {
            if (r.get("purpose").asText().equals("DKIM")) {
                dns.add(r.get("name").asText(), RecordType.CNAME, r.get("value").asText());
            }
        }
        clock.advance(Duration.ofSeconds(31));

        assertThat(server.server().verifier().runOnce()).isEqualTo(1);

        String status = server.server()
                .database()
                .jdbi()
                .withHandle(h -> h.createQuery("SELECT dkim_status FROM domains WHERE name = 'bg.example.com'")
                        .mapTo(String.class)
                        .one());
        assertThat(status).isEqualTo("SUCCESS");
        assertThat(server.server().verifier().runOnce())
                .as("next check is not due yet")
                .isZero();
    }

    private JsonNode validation(String id) {
        HttpResponse<String> response =
                server.http("GET", "/domains/" + id + "?include_dns_validation=true", TestServer.BOOTSTRAP_KEY, null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Json.parse(response.body()).get("domain").get("dns_validation");
    }

    private static List<String> statuses(JsonNode validation) {
        List<String> out = new ArrayList<>();
        validation.get("records").forEach(c -> out.add(c.get("status").asText()));
        return out;
    }

    @Test
    void getDomain_walkedFromNothingToAllPublished_showsMissingThenMixedThenAllValid() {
        JsonNode added = Json.parse(server.http(
                                "POST",
                                "/domains",
                                TestServer.BOOTSTRAP_KEY,
                                "{\"domain\":\"walk.example.com\",\"receive_enabled\":true}")
                        .body())
                .get("domain");
        String id = added.get("id").asText();
        JsonNode records = added.get("dns_records");

        assertThat(get(id).has("dns_validation")).isFalse();

        JsonNode nothing = validation(id);
        assertThat(statuses(nothing)).hasSize(records.size()).containsOnly("MISSING");
        assertThat(nothing.get("all_valid").asBoolean()).isFalse();
        assertThat(nothing.get("records").get(0).get("record")).isEqualTo(records.get(0));
        assertThat(nothing.get("records").get(0).get("message").asText()).startsWith("No CNAME at ");

        List<JsonNode> dkim = new ArrayList<>();
        records.forEach(r -> {
            if (r.get("purpose").asText().equals("DKIM")) {
                dkim.add(r);
            }
        });
        dns.addCname(dkim.get(0).get("name").asText(), dkim.get(0).get("value").asText())
                .addCname(
                        dkim.get(1).get("name").asText(),
                        dkim.get(1).get("value").asText())
                .addCname(dkim.get(2).get("name").asText(), "wrong.dkim.amazonses.com")
                .addMx("mail.walk.example.com", 10, "feedback-smtp.us-east-1.amazonses.com");
        clock.advance(Duration.ofSeconds(6));

        JsonNode some = validation(id);
        assertThat(statuses(some))
                .containsExactly("VALID", "VALID", "MISMATCH", "VALID", "MISSING", "MISSING", "MISSING", "MISSING");
        assertThat(some.get("all_valid").asBoolean()).isFalse();
        assertThat(some.get("records").get(2).get("found_values").get(0).asText())
                .isEqualTo("wrong.dkim.amazonses.com");
        assertThat(some.get("records").get(2).get("message").asText())
                .isEqualTo("Found CNAME wrong.dkim.amazonses.com; expected "
                        + dkim.get(2).get("value").asText());

        dns.remove(dkim.get(2).get("name").asText(), RecordType.CNAME)
                .addCname(
                        dkim.get(2).get("name").asText(),
                        dkim.get(2).get("value").asText());
        JsonNode again = validation(id);
        assertThat(statuses(again))
                .as("a look right after fixing a record shows it fixed")
                .containsExactly("VALID", "VALID", "VALID", "VALID", "MISSING", "MISSING", "MISSING", "MISSING");
        records.forEach(r -> {
            switch (r.get("purpose").asText()) {
                case "MAIL_FROM_SPF", "SPF", "DMARC" ->
                    dns.addTxt(r.get("name").asText(), r.get("value").asText());
                case "INBOUND_MX" ->
                    dns.addMx(
                            r.get("name").asText(),
                            r.get("priority").asInt(),
                            r.get("value").asText());
                default -> {}
            }
        });
        dns.addTxt("amazonses.com", "v=spf1 ip4:199.255.192.0/22 -all");
        clock.advance(Duration.ofSeconds(6));

        JsonNode all = validation(id);
        assertThat(statuses(all)).containsOnly("VALID");
        assertThat(all.get("all_valid").asBoolean()).isTrue();
        assertThat(all.get("warnings")).isEmpty();
    }
}
