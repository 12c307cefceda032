package dev.domainkeeper.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.domainkeeper.domain.RecordType;
import dev.domainkeeper.secrets.SecretBox;
import dev.domainkeeper.testing.CapturedLogs;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.LoopbackDnsServer;
import dev.domainkeeper.testing.MutableClock;
import dev.domainkeeper.testing.TestServer;
import java.math.BigInteger;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Takes BYODKIM domains through the real HTTP/JSON API on the sandbox backend, with a loopback DNS
 * server: the key pair Domainkeeper makes, the TXT record it plans, verification once DNS serves the
 * public key, the selector rules, and the private key kept out of every response, log line and
 * database column.
 */
class ByodkimTest {
    private static final String KEY = TestServer.BOOTSTRAP_KEY;
    private static final String SECRETS_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    @TempDir
    Path dir;

    @RegisterExtension
    final CapturedLogs logs = new CapturedLogs();

    LoopbackDnsServer dns;
    MutableClock clock;
    TestServer server;

    @BeforeEach
    void start() {
        dns = LoopbackDnsServer.start();
        clock = new MutableClock(Instant.parse("2026-12-03T10:00:00Z"));
        server = start(true);
    }

    private TestServer start(boolean withSecretsKey) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("DOMAINKEEPER_DNS_RESOLVERS", dns.hostAndPort());
        env.put("DOMAINKEEPER_DNS_TIMEOUT_MS", "1000");
        env.put("DOMAINKEEPER_BACKGROUND_WORKERS", "false");
        if (withSecretsKey) {
            env.put("DOMAINKEEPER_SECRETS_KEY", SECRETS_KEY);
        }
        return TestServer.start(dir, env, a -> a.withClock(clock));
    }

    @AfterEach
    void stop() {
        server.close();
        dns.close();
    }

    @Test
    void add_plansOneTxtRecordWithTheNewPublicKey_andVerifiesOnceDnsServesIt() throws Exception {
        JsonNode d = add("{\"domain\":\"example.com\",\"dkim_mode\":\"BYODKIM\"}");

        assertThat(d.get("dkim_mode").asText()).isEqualTo("BYODKIM");
        assertThat(d.get("dkim_selector").asText()).isEqualTo("dk20261203");
        assertThat(d.get("dkim_key_length").asText()).isEqualTo("RSA_2048_BIT");
        assertThat(d.get("dkim_status").asText()).isEqualTo("PENDING");
        List<JsonNode> dkim = dkimRecords(d);
        assertThat(dkim).singleElement().satisfies(r -> {
            assertThat(r.get("type").asText()).isEqualTo("TXT");
            assertThat(r.get("name").asText()).isEqualTo("dk20261203._domainkey.example.com");
            assertThat(r.get("value").asText()).startsWith("v=DKIM1; k=rsa; p=");
        });
        assertThat(bits(dkim.get(0))).isEqualTo(2048);
        assertThat(d.get("dns_records").toString()).doesNotContain("dkim.amazonses.com");

        String id = d.get("id").asText();
        assertThat(validation(id, "DKIM")).isEqualTo("MISSING");
        dns.add(
                dkim.get(0).get("name").asText(),
                RecordType.TXT,
                dkim.get(0).get("value").asText());
        clock.advance(Duration.ofMinutes(1));
        server.server().verifier().runOnce();

        JsonNode verified = get(id);
        assertThat(verified.get("dkim_status").asText()).isEqualTo("SUCCESS");
        assertThat(verified.get("verification_status").asText()).isEqualTo("SUCCESS");
        assertThat(validation(id, "DKIM")).isEqualTo("VALID");
    }

    @Test
    void add_withSelectorAnd1024Bits_usesThem_andAnotherKeyAtTheSelectorDoesNotVerify() throws Exception {
        dns.addTxt("s1._domainkey.other.example", "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC");
        JsonNode d = add("{\"domain\":\"shop.example.com\",\"dkim_mode\":\"BYODKIM\",\"dkim_selector\":\"Mail-2026\","
                + "\"dkim_key_length\":\"RSA_1024_BIT\"}");

        assertThat(d.get("dkim_selector").asText()).isEqualTo("mail-2026");
        assertThat(d.get("dkim_key_length").asText()).isEqualTo("RSA_1024_BIT");
        JsonNode record = dkimRecords(d).get(0);
        assertThat(record.get("name").asText()).isEqualTo("mail-2026._domainkey.shop.example.com");
        assertThat(bits(record)).isEqualTo(1024);

        // A key that is not ours at the selector: SES (the sandbox) does not verify, the check says MISMATCH.
        dns.addTxt(record.get("name").asText(), "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCother");
        clock.advance(Duration.ofMinutes(1));
        server.server().verifier().runOnce();
        String id = d.get("id").asText();
        assertThat(get(id).get("dkim_status").asText()).isEqualTo("PENDING");
        assertThat(validation(id, "DKIM")).isEqualTo("MISMATCH");
    }

    @Test
    void add_badSelectors_andMissingSecretsKey_areRefusedNamingTheFieldOrSetting_andStoreNothing() {
        dns.addTxt("google._domainkey.example.com", "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA");

        assertThat(refusal(400, "{\"domain\":\"example.com\",\"dkim_mode\":\"BYODKIM\",\"dkim_selector\":\"bad_sel\"}"))
                .startsWith("dkim_selector:");
        assertThat(refusal(400, "{\"domain\":\"example.com\",\"dkim_mode\":\"BYODKIM\",\"dkim_selector\":\"-x\"}"))
                .startsWith("dkim_selector:");
        assertThat(refusal(400, "{\"domain\":\"example.com\",\"dkim_mode\":\"BYODKIM\",\"dkim_selector\":\"google\"}"))
                .startsWith("dkim_selector: google._domainkey.example.com already publishes a DKIM key")
                .contains("never replaces another sender's key");
        assertThat(refusal(400, "{\"domain\":\"example.com\",\"dkim_selector\":\"s1\"}"))
                .startsWith("dkim_selector:")
                .contains("EASY_DKIM");
        assertThat(refusal(400, "{\"domain\":\"example.com\",\"dkim_mode\":\"BYODKIM_PLUS\"}"))
                .contains("dkim_mode");
        assertThat(Json.parse(server.http("GET", "/domains", KEY, null).body()).get("domains"))
                .isEmpty();

        server.close();
        server = start(false);
        assertThat(refusal(400, "{\"domain\":\"example.com\",\"dkim_mode\":\"BYODKIM\"}"))
                .startsWith("dkim_mode:")
                .contains("DOMAINKEEPER_SECRETS_KEY");
        assertThat(Json.parse(server.http("GET", "/domains", KEY, null).body()).get("domains"))
                .isEmpty();
    }

    @Test
    void defaultSelector_alreadyInUse_movesToTheNextFreeOne() {
        dns.addCname("dk20261203._domainkey.example.com", "dk20261203.dkim.elsewhere.example");

        JsonNode d = add("{\"domain\":\"example.com\",\"dkim_mode\":\"BYODKIM\"}");

        assertThat(d.get("dkim_selector").asText()).isEqualTo("dk20261203b");
    }

    @Test
    void keyLength_ofAByodkimDomain_cannotChange_andEasyDkimDomainsSayEasyDkim() {
        String id = add("{\"domain\":\"example.com\",\"dkim_mode\":\"BYODKIM\"}")
                .get("id")
                .asText();
        clock.advance(Duration.ofDays(2));

        HttpResponse<String> changed =
                server.http("PATCH", "/domains/" + id, KEY, "{\"dkim_key_length\":\"RSA_1024_BIT\"}");

        assertThat(changed.statusCode()).isEqualTo(400);
        assertThat(Json.parse(changed.body()).get("message").asText()).startsWith("dkim_key_length:");
        assertThat(get(id).get("dkim_key_length").asText()).isEqualTo("RSA_2048_BIT");
        JsonNode easy = add("{\"domain\":\"easy.example.org\"}");
        assertThat(easy.get("dkim_mode").asText()).isEqualTo("EASY_DKIM");
        assertThat(easy.get("dkim_selector").asText()).isEmpty();
        assertThat(dkimRecords(easy))
                .hasSize(3)
                .allMatch(r -> r.get("type").asText().equals("CNAME"));
    }

    /** The private key, opened here with the operator's key, is in no response, log line or column. */
    @Test
    void privateKey_appearsInNoResponseLogLineOrDatabaseColumn() {
        JsonNode d = add("{\"domain\":\"example.com\",\"dkim_mode\":\"BYODKIM\"}");
        String id = d.get("id").asText();
        String sealed = server.server()
                .database()
                .jdbi()
                .withHandle(h -> h.createQuery("SELECT dkim_private_key_sealed FROM domains WHERE id = :id")
                        .bind("id", id)
                        .mapTo(String.class)
                        .one());
        String privateKey = SecretBox.of(SecretBox.decodeKey(SECRETS_KEY), List.of())
                .open(sealed, "dkim-private-key:" + accountId(id) + ":" + id);
        assertThat(privateKey).hasSizeGreaterThan(1000);
        String bobs = server.newAccountKey("bob");

        List<String> responses = List.of(
                d.toString(),
                server.http("GET", "/domains/" + id + "?include_dns_validation=true", KEY, null)
                        .body(),
                server.http("GET", "/domains", KEY, null).body(),
                server.http("GET", "/domains/" + id + "/records?format=bind", KEY, null)
                        .body(),
                server.http("GET", "/domains/" + id, bobs, null).body());

        assertThat(server.http("GET", "/domains/" + id, bobs, null).statusCode())
                .as("another account does not see the domain")
                .isEqualTo(404);
        assertThat(sealed).startsWith("dk1:");
        for (String r : responses) {
            assertThat(r).doesNotContain(privateKey).doesNotContain(sealed);
        }
        assertThat(logs.texts()).noneMatch(m -> m.contains(privateKey));
        List<String> cells = server.databaseCells();
        assertThat(cells).contains(sealed).noneMatch(v -> v.contains(privateKey));
    }

    // ---- helpers ----

    private JsonNode add(String body) {
        HttpResponse<String> r = server.http("POST", "/domains", KEY, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.parse(r.body()).get("domain");
    }

    private JsonNode get(String id) {
        HttpResponse<String> r = server.http("GET", "/domains/" + id, KEY, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.parse(r.body()).get("domain");
    }

    private String refusal(int status, String body) {
        HttpResponse<String> r = server.http("POST", "/domains", KEY, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        return Json.parse(r.body()).get("message").asText();
    }

    private String validation(String id, String purpose) {
        JsonNode records = Json.parse(server.http("GET", "/domains/" + id + "?include_dns_validation=true", KEY, null)
                        .body())
                .get("domain")
                .get("dns_validation")
                .get("records");
        for (JsonNode r : records) {
            if (r.get("record").get("purpose").asText().equals(purpose)) {
                return r.get("status").asText();
            }
        }
        throw new AssertionError("no " + purpose + " record in " + records);
    }

    private String accountId(String domainId) {
        return server.server()
                .database()
                .jdbi()
                .withHandle(h -> h.createQuery("SELECT account_id FROM domains WHERE id = :id")
                        .bind("id", domainId)
                        .mapTo(String.class)
                        .one());
    }

    private static List<JsonNode> dkimRecords(JsonNode domain) {
        List<JsonNode> out = new ArrayList<>();
        domain.get("dns_records").forEach(r -> {
            if (r.get("purpose").asText().equals("DKIM")) {
                out.add(r);
            }
        });
        return out;
    }

    /** Returns the length of the RSA public key a planned DKIM TXT record carries. */
    private static int bits(JsonNode record) throws Exception {
        String value = record.get("value").asText();
        byte[] der = Base64.getDecoder().decode(value.substring(value.indexOf("p=") + 2));
        RSAPublicKey key = (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
        BigInteger modulus = key.getModulus();
        return modulus.bitLength();
    }
}
