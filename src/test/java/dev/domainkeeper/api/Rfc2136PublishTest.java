package dev.domainkeeper.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.KnotServer;
import dev.domainkeeper.testing.MutableClock;
import dev.domainkeeper.testing.TestServer;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * Publishes a domain to a real Knot DNS server through an RFC2136 DNS connection, over the HTTP/JSON
 * API; the service's DNS lookups (NS and the validator) ask the same server, so what it reports is
 * what the server serves.
 */
class Rfc2136PublishTest {
    private static final String KEY = TestServer.BOOTSTRAP_KEY;
    private static final String GOOGLE_SPF = "v=spf1 include:_spf.google.com ~all";
    private static final String REJECT_DMARC = "v=DMARC1; p=reject; rua=mailto:dmarc@example.org";

    @TempDir
    Path dir;

    KnotServer knot;
    TestServer server;
    final MutableClock clock = new MutableClock(Instant.now());

    @BeforeEach
    void start() {
        knot = KnotServer.start(
                dir.resolve("knot"),
                "example.org",
                List.of(
                        "@ IN TXT \"" + GOOGLE_SPF + "\"",
                        "@ IN MX 10 aspmx.l.google.com.",
                        "_dmarc IN TXT \"" + REJECT_DMARC + "\""));
        server = TestServer.start(
                dir,
                Map.of(
                        "DOMAINKEEPER_DNS_RESOLVERS", knot.hostAndPort(),
                        "DOMAINKEEPER_DNS_TIMEOUT_MS", "2000",
                        "DOMAINKEEPER_BACKGROUND_WORKERS", "false",
                        "DOMAINKEEPER_SECRETS_KEY", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
                        // The zone's name server (ns1.example.org, 127.0.0.1) is asked directly on Knot's port.
                        "DOMAINKEEPER_DNS_AUTHORITATIVE_PORT", String.valueOf(knot.port()),
                        "DOMAINKEEPER_DNS_AUTHORITATIVE_ALLOW_PRIVATE", "true"),
                a -> a.withClock(clock));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (knot != null) {
            knot.close();
        }
    }

    @Test
    void apply_throughTsigUpdates_keepsThirdPartySpfRejectDmarcAndForeignMx_andEveryRecordTurnsValid() {
        JsonNode connection = ok(server.http(
                        "POST", "/dns-connections", KEY, connectionBody().formatted(knot.hostAndPort())))
                .get("dns_connection");
        assertThat(connection.get("rfc2136").get("server").asText()).isEqualTo(knot.hostAndPort());
        assertThat(connection.toString()).doesNotContain(KnotServer.SECRET);
        String id = ok(server.http("POST", "/domains", KEY, "{\"domain\":\"example.org\",\"spf_mode\":\"MERGE\"}"))
                .get("domain")
                .get("id")
                .asText();

        JsonNode check = ok(server.http("GET", "/domains/" + id + "/dns-provider", KEY, null));
        JsonNode applied = ok(server.http("POST", "/domains/" + id + "/apply-records", KEY, "{}"));

        assertThat(check.get("has_access").asBoolean()).isTrue();
        assertThat(check.get("provider_type").asText()).isEqualTo("RFC2136");
        assertThat(check.get("zone_name").asText()).isEqualTo("example.org");
        assertThat(check.get("delegated").asBoolean()).as(check.toString()).isTrue();
        assertThat(applied.get("failed_records")).as(applied.toString()).isEmpty();
        assertThat(applied.get("dns_apply_state").get("status").asText()).isEqualTo("APPLIED");
        assertThat(applied.get("dns_apply_state").get("provider").asText()).isEqualTo("RFC2136");
        JsonNode domain = ok(server.http("GET", "/domains/" + id + "?include_dns_validation=true", KEY, null))
                .get("domain");
        assertThat(domain.get("dns_validation").get("records"))
                .allSatisfy(r ->
                        assertThat(r.get("status").asText()).as(r.toString()).isEqualTo("VALID"));
        assertThat(domain.get("dns_validation").get("all_valid").asBoolean()).isTrue();
        JsonNode spf = null;
        for (JsonNode c : domain.get("dns_validation").get("records")) {
            if (c.get("record").get("name").asText().equals("example.org")
                    && c.get("record").get("purpose").asText().equals("SPF")) {
                spf = c;
            }
        }
        assertThat(spf).isNotNull();
        assertThat(spf.get("found_values").toString()).contains("include:_spf.google.com");
        assertThat(domain.get("dns_validation").get("records").toString()).contains("p=reject");

        JsonNode again = ok(server.http("POST", "/domains/" + id + "/apply-records", KEY, "{}"));
        assertThat(again.get("changes"))
                .as("nothing rewritten that is already right")
                .isEmpty();
    }

    @Test
    void removeWithPublishedRecords_deletesWhatWasPublished_andRestoresTheThirdPartySpf() throws Exception {
        JsonNode domain = connectedAndApplied("{\"domain\":\"example.org\",\"spf_mode\":\"MERGE\"}");
        String id = domain.get("id").asText();
        String dkim = null;
        for (JsonNode r : domain.get("dns_records")) {
            if (r.get("purpose").asText().equals("DKIM")) {
                dkim = r.get("name").asText();
            }
        }
        assertThat(served(dkim, Type.CNAME)).hasSize(1);

        JsonNode removed = ok(server.http("DELETE", "/domains/" + id + "?remove_published_records=true", KEY, null));

        assertThat(removed.get("notes").toString()).contains("was removed");
        assertThat(served(dkim, Type.CNAME)).as("the DKIM record is gone").isEmpty();
        assertThat(served("mail.example.org", Type.MX))
                .as("the MAIL FROM MX is gone")
                .isEmpty();
        assertThat(served("mail.example.org", Type.TXT)).isEmpty();
        assertThat(served("example.org", Type.TXT)).containsExactly("\"" + GOOGLE_SPF + "\"");
        assertThat(served("example.org", Type.MX)).containsExactly("10 aspmx.l.google.com.");
        assertThat(served("_dmarc.example.org", Type.TXT)).containsExactly("\"" + REJECT_DMARC + "\"");
    }

    /**
     * A BYODKIM key rotated through the connection: the verifier publishes the new key there, SES
     * switches once the server serves it, and when the grace period ends the old key's record, which
     * Domainkeeper published, is deleted from the zone.
     */
    @Test
    void rotatedByodkimKey_isPublished_andTheOldKeyIsRemovedFromTheZoneAfterTheGracePeriod() throws Exception {
        JsonNode domain = connectedAndApplied("{\"domain\":\"example.org\",\"dkim_mode\":\"BYODKIM\"}");
        String id = domain.get("id").asText();
        String oldName = domain.get("dkim_selector").asText() + "._domainkey.example.org";
        clock.advance(Duration.ofMinutes(1));
        server.server().verifier().runOnce();
        String newSelector = ok(server.http("POST", "/domains/" + id + "/rotate-dkim-key", KEY, "{}"))
                .get("domain")
                .get("dkim_rotation")
                .get("new_selector")
                .asText();
        // The verifier publishes the new key through the connection, and switches SES once Knot serves it.
        clock.advance(Duration.ofMinutes(2));
        server.server().verifier().runOnce();
        assertThat(served(newSelector + "._domainkey.example.org", Type.TXT)).hasSize(1);
        clock.advance(Duration.ofMinutes(2));
        server.server().verifier().runOnce();
        JsonNode switched = ok(server.http("GET", "/domains/" + id, KEY, null)).get("domain");
        assertThat(switched.get("dkim_selector").asText()).isEqualTo(newSelector);
        assertThat(served(oldName, Type.TXT))
                .as("the old key stays published while it retires")
                .hasSize(1);

        clock.advance(Duration.ofDays(7).plusMinutes(1));
        server.server().verifier().runOnce();

        JsonNode after = ok(server.http("GET", "/domains/" + id, KEY, null)).get("domain");
        assertThat(after.get("dkim_rotation").get("old_key_state").asText()).isEqualTo("REMOVABLE");
        assertThat(served(oldName, Type.TXT))
                .as("the old key's record is taken back")
                .isEmpty();
        assertThat(served(newSelector + "._domainkey.example.org", Type.TXT)).hasSize(1);
        assertThat(served("example.org", Type.TXT)).contains("\"" + GOOGLE_SPF + "\"");
    }

    /** Registers the Knot connection, adds the domain ({@code body}) and applies its records; returns the domain. */
    private JsonNode connectedAndApplied(String body) {
        ok(server.http("POST", "/dns-connections", KEY, connectionBody().formatted(knot.hostAndPort())));
        JsonNode domain = ok(server.http("POST", "/domains", KEY, body)).get("domain");
        ok(server.http("POST", "/domains/" + domain.get("id").asText() + "/apply-records", KEY, "{}"));
        return domain;
    }

    private static String connectionBody() {
        return "{\"kind\":\"RFC2136\",\"zones\":[\"example.org\"],\"rfc2136\":{\"server\":\"" + "%s"
                + "\",\"tsig_key_name\":\"" + KnotServer.KEY_NAME + "\",\"tsig_algorithm\":\""
                + KnotServer.ALGORITHM + "\",\"tsig_secret\":\"" + KnotServer.SECRET + "\"}}";
    }

    /** Asks the server directly what it serves at {@code name} of {@code type}, in zone-file form. */
    private List<String> served(String name, int type) throws Exception {
        SimpleResolver resolver = new SimpleResolver(new InetSocketAddress("127.0.0.1", knot.port()));
        Message answer = resolver.send(
                Message.newQuery(org.xbill.DNS.Record.newRecord(Name.fromString(name + "."), type, DClass.IN)));
        return answer.getSection(Section.ANSWER).stream()
                .filter(r -> r.getType() == type)
                .map(r -> r.rdataToString())
                .toList();
    }

    private static JsonNode ok(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.parse(r.body());
    }
}
