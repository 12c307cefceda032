package dev.domainkeeper.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.domainkeeper.dns.resolver.DnsResolvers;
import dev.domainkeeper.domain.RecordType;
import dev.domainkeeper.proto.domains.v1.DKIMKeyState;
import dev.domainkeeper.proto.domains.v1.RotateDKIMKeyRequest;
import dev.domainkeeper.secrets.SecretBox;
import dev.domainkeeper.testing.CapturedLogs;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.LoopbackDnsServer;
import dev.domainkeeper.testing.LoopbackNameServers;
import dev.domainkeeper.testing.MutableClock;
import dev.domainkeeper.testing.Rpc;
import dev.domainkeeper.testing.TestServer;
import java.math.BigInteger;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
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
 * Takes BYODKIM domains through the real HTTP/JSON API (and gRPC for RotateDKIMKey) on the sandbox
 * backend, with a loopback DNS server and the background verifier driven step by step: the key pair
 * Domainkeeper makes, the TXT record it plans, verification once DNS serves the public key, the
 * selector rules, one full key rotation across a restart (the new key waits for DNS, SES switches only
 * once DNS serves it, the old key stays published through the grace period, then becomes removable),
 * and the private keys kept out of every response, log line and database column.
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
        return start(withSecretsKey, Map.of());
    }

    private TestServer start(boolean withSecretsKey, Map<String, String> extra) {
        Map<String, String> env = new LinkedHashMap<>();
        // One database file, so a restart (a new server on the same database) keeps what was stored.
        env.put("DOMAINKEEPER_DATABASE_URL", "jdbc:sqlite:" + dir.resolve("byodkim.db"));
        env.put("DOMAINKEEPER_DNS_RESOLVERS", dns.hostAndPort());
        env.put("DOMAINKEEPER_DNS_TIMEOUT_MS", "1000");
        env.put("DOMAINKEEPER_BACKGROUND_WORKERS", "false");
        if (withSecretsKey) {
            env.put("DOMAINKEEPER_SECRETS_KEY", SECRETS_KEY);
        }
        env.putAll(extra);
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
        assertThat(validation(id, "purpose", "DKIM")).isEqualTo("MISSING");
        dns.add(
                dkim.get(0).get("name").asText(),
                RecordType.TXT,
                dkim.get(0).get("value").asText());
        clock.advance(Duration.ofMinutes(1));
        server.server().verifier().runOnce();

        JsonNode verified = get(id);
        assertThat(verified.get("dkim_status").asText()).isEqualTo("SUCCESS");
        assertThat(verified.get("verification_status").asText()).isEqualTo("SUCCESS");
        assertThat(validation(id, "purpose", "DKIM")).isEqualTo("VALID");
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
        assertThat(validation(id, "purpose", "DKIM")).isEqualTo("MISMATCH");
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
        String privateKey = privateKey(id, "dkim_private_key_sealed");
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

    @Test
    void oneFullRotation_waitsForDns_switchesSes_keepsTheOldKeyThroughTheGracePeriod_andSurvivesARestart()
            throws Exception {
        JsonNode d = ok(server.http("POST", "/domains", KEY, "{\"domain\":\"example.com\",\"dkim_mode\":\"BYODKIM\"}"))
                .get("domain");
        String id = d.get("id").asText();
        JsonNode first = dkimRecords(d).get(0);
        publish(first);
        clock.advance(Duration.ofMinutes(1));
        tick();
        assertThat(get(id).get("dkim_status").asText()).isEqualTo("SUCCESS");
        String oldPrivateKey = privateKey(id, "dkim_private_key_sealed");
        String oldSelector = get(id).get("dkim_selector").asText();

        // Rotate (gRPC): a new key under a new selector, planned beside the current one.
        var rotated = Rpc.domains(server, KEY)
                .rotateDKIMKey(RotateDKIMKeyRequest.newBuilder().setId(id).build())
                .getDomain();
        assertThat(rotated.getDkimRotation().getNewKeyState()).isEqualTo(DKIMKeyState.PENDING_PUBLISH);
        String newSelector = rotated.getDkimRotation().getNewSelector();
        assertThat(newSelector).isNotEqualTo(oldSelector).isEqualTo("dk20261203b");
        assertThat(rotated.getDkimSelector())
                .as("SES still signs with the old key")
                .isEqualTo(oldSelector);
        List<JsonNode> planned = dkimRecords(get(id));
        assertThat(planned).hasSize(2);
        JsonNode second = planned.stream()
                .filter(r -> r.get("name").asText().startsWith(newSelector + "."))
                .findFirst()
                .orElseThrow();
        assertThat(second.get("required").asBoolean()).isFalse();
        assertThat(sandboxSelector()).isEqualTo(oldSelector);

        HttpResponse<String> again = server.http("POST", "/domains/" + id + "/rotate-dkim-key", KEY, "{}");
        assertThat(again.statusCode()).isEqualTo(400);
        assertThat(message(again)).contains("under way");

        // DNS does not serve the new key yet: nothing switches.
        clock.advance(Duration.ofMinutes(2));
        tick();
        assertThat(rotation(id).get("new_key_state").asText()).isEqualTo("PENDING_PUBLISH");
        assertThat(sandboxSelector()).isEqualTo(oldSelector);

        // A restart in the middle changes nothing.
        server.close();
        server = start(true);
        assertThat(rotation(id).get("new_key_state").asText()).isEqualTo("PENDING_PUBLISH");

        // DNS serves it: PUBLISHED, SES switches, ACTIVE; the old key retires but stays planned.
        publish(second);
        clock.advance(Duration.ofMinutes(2));
        tick();
        JsonNode switched = get(id);
        assertThat(switched.get("dkim_selector").asText()).isEqualTo(newSelector);
        assertThat(switched.get("dkim_status").asText()).isEqualTo("SUCCESS");
        JsonNode r = switched.get("dkim_rotation");
        assertThat(r.get("new_selector").asText()).isEmpty();
        assertThat(r.get("old_selector").asText()).isEqualTo(oldSelector);
        assertThat(r.get("old_key_state").asText()).isEqualTo("RETIRING");
        assertThat(Instant.parse(r.get("old_key_removable_at").asText()))
                .isEqualTo(Instant.parse(r.get("switched_at").asText()).plus(Duration.ofDays(7)));
        assertThat(sandboxSelector()).as("SES signs with the new key").isEqualTo(newSelector);
        assertThat(updatedEvents(id))
                .as("domain.updated for the start, the publication and the switch")
                .isEqualTo(3);
        assertThat(dkimRecords(switched)).hasSize(2);
        assertThat(privateKey(id, "dkim_private_key_sealed")).isNotEqualTo(oldPrivateKey);

        // Mail signed with the old key before the switch still verifies during the grace period.
        clock.advance(Duration.ofDays(6));
        tick();
        assertThat(rotation(id).get("old_key_state").asText()).isEqualTo("RETIRING");
        assertThat(verifiesAgainstDns(oldPrivateKey, first.get("name").asText()))
                .isTrue();
        assertThat(validation(id, "name", first.get("name").asText())).isEqualTo("VALID");

        // After 7 days the old key is removable and no longer planned.
        clock.advance(Duration.ofDays(1).plusMinutes(1));
        tick();
        JsonNode after = get(id);
        assertThat(after.get("dkim_rotation").get("old_key_state").asText()).isEqualTo("REMOVABLE");
        assertThat(dkimRecords(after))
                .singleElement()
                .satisfies(x -> assertThat(x.get("name").asText()).startsWith(newSelector + "."));

        // Neither private key is in clear in any response, log line or database column.
        String newPrivateKey = privateKey(id, "dkim_private_key_sealed");
        String everything = after.toString() + switched + rotated;
        List<String> cells = server.databaseCells();
        for (String secret : List.of(oldPrivateKey, newPrivateKey)) {
            assertThat(everything).doesNotContain(secret);
            assertThat(logs.texts()).noneMatch(m -> m.contains(secret));
            assertThat(cells).noneMatch(v -> v.contains(secret));
        }
    }

    /** SES is switched only once every authoritative name server of the zone serves the new key. */
    @Test
    void rotation_waitsForEveryAuthoritativeNameServer() {
        try (LoopbackNameServers zone = LoopbackNameServers.start()) {
            zone.delegate("example.com");
            server.close();
            server = start(
                    true,
                    Map.of(
                            "DOMAINKEEPER_DNS_RESOLVERS", zone.resolver().hostAndPort(),
                            "DOMAINKEEPER_DNS_AUTHORITATIVE_PORT", String.valueOf(zone.port()),
                            "DOMAINKEEPER_DNS_AUTHORITATIVE_ALLOW_PRIVATE", "true"));
            JsonNode d = add("{\"domain\":\"example.com\",\"dkim_mode\":\"BYODKIM\"}");
            String id = d.get("id").asText();
            JsonNode first = dkimRecords(d).get(0);
            zone.resolver()
                    .add(
                            first.get("name").asText(),
                            RecordType.TXT,
                            first.get("value").asText());
            clock.advance(Duration.ofMinutes(1));
            tick();
            assertThat(get(id).get("dkim_status").asText()).isEqualTo("SUCCESS");

            String newSelector = ok(server.http("POST", "/domains/" + id + "/rotate-dkim-key", KEY, "{}"))
                    .get("domain")
                    .get("dkim_rotation")
                    .get("new_selector")
                    .asText();
            JsonNode second = dkimRecords(get(id)).stream()
                    .filter(r -> r.get("name").asText().startsWith(newSelector + "."))
                    .findFirst()
                    .orElseThrow();
            // The recursive resolvers and two of the three name servers already serve it.
            zone.resolver()
                    .add(
                            second.get("name").asText(),
                            RecordType.TXT,
                            second.get("value").asText());
            for (LoopbackDnsServer ns : zone.nameServers().subList(0, 2)) {
                ns.add(
                        second.get("name").asText(),
                        RecordType.TXT,
                        second.get("value").asText());
            }
            clock.advance(Duration.ofMinutes(2));
            tick();
            assertThat(rotation(id).get("new_key_state").asText()).isEqualTo("PENDING_PUBLISH");

            zone.nameServers()
                    .get(2)
                    .add(
                            second.get("name").asText(),
                            RecordType.TXT,
                            second.get("value").asText());
            clock.advance(Duration.ofMinutes(2));
            tick();
            assertThat(get(id).get("dkim_selector").asText()).isEqualTo(newSelector);
            assertThat(rotation(id).get("old_key_state").asText()).isEqualTo("RETIRING");
        }
    }

    @Test
    void scheduledRotation_startsWhenDue_andItsPeriodIsChecked() {
        JsonNode d = add("{\"domain\":\"example.com\",\"dkim_mode\":\"BYODKIM\",\"dkim_rotation_days\":30}");
        String id = d.get("id").asText();
        publish(dkimRecords(d).get(0));
        assertThat(d.get("dkim_rotation_days").asInt()).isEqualTo(30);
        assertThat(Instant.parse(d.get("dkim_next_rotation_at").asText()))
                .isEqualTo(Instant.parse("2026-12-03T10:00:00Z").plus(Duration.ofDays(30)));

        clock.advance(Duration.ofDays(29));
        tick();
        assertThat(get(id).has("dkim_rotation")).as("not due yet").isFalse();
        clock.advance(Duration.ofDays(1).plusMinutes(1));
        tick();
        assertThat(rotation(id).get("new_key_state").asText()).isEqualTo("PENDING_PUBLISH");

        assertThat(patchRefusal(id, "{\"dkim_rotation_days\":5}")).startsWith("dkim_rotation_days: 5");
        assertThat(ok(server.http("PATCH", "/domains/" + id, KEY, "{\"dkim_rotation_days\":0}"))
                        .get("domain")
                        .get("dkim_rotation_days")
                        .asInt())
                .isZero();
        String easy = add("{\"domain\":\"easy.example.org\"}").get("id").asText();
        assertThat(patchRefusal(easy, "{\"dkim_rotation_days\":30}")).startsWith("dkim_rotation_days:");
        assertThat(refusal(400, "{\"domain\":\"x.example.org\",\"dkim_rotation_days\":30}"))
                .startsWith("dkim_rotation_days:");
    }

    private String patchRefusal(String id, String body) {
        HttpResponse<String> r = server.http("PATCH", "/domains/" + id, KEY, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        return message(r);
    }

    @Test
    void rotate_easyDkimDomain_isRefused_andAnotherAccountsDomainIsNotFound() {
        String easy = ok(server.http("POST", "/domains", KEY, "{\"domain\":\"easy.example.com\"}"))
                .get("domain")
                .get("id")
                .asText();
        String byo = ok(server.http(
                        "POST", "/domains", KEY, "{\"domain\":\"byo.example.com\",\"dkim_mode\":\"BYODKIM\"}"))
                .get("domain")
                .get("id")
                .asText();

        HttpResponse<String> refused = server.http("POST", "/domains/" + easy + "/rotate-dkim-key", KEY, "{}");
        HttpResponse<String> badSelector =
                server.http("POST", "/domains/" + byo + "/rotate-dkim-key", KEY, "{\"dkim_selector\":\"no way\"}");
        HttpResponse<String> stranger =
                server.http("POST", "/domains/" + byo + "/rotate-dkim-key", server.newAccountKey("bob"), "{}");

        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(message(refused)).contains("Easy DKIM");
        assertThat(badSelector.statusCode()).isEqualTo(400);
        assertThat(message(badSelector)).startsWith("dkim_selector:");
        assertThat(stranger.statusCode()).isEqualTo(404);
        assertThat(get(byo).has("dkim_rotation")).as("nothing started").isFalse();
    }

    // ---- helpers ----

    private void tick() {
        server.server().verifier().runOnce();
    }

    private void publish(JsonNode record) {
        dns.add(record.get("name").asText(), RecordType.TXT, record.get("value").asText());
    }

    private JsonNode rotation(String id) {
        return get(id).get("dkim_rotation");
    }

    /** Opens the domain's sealed private key column with the operator's key, as only the service may. */
    private String privateKey(String id, String column) {
        Map<String, Object> row = server.server()
                .database()
                .jdbi()
                .withHandle(
                        h -> h.createQuery("SELECT account_id, " + column + " AS sealed FROM domains WHERE id = :id")
                                .bind("id", id)
                                .mapToMap()
                                .one());
        return SecretBox.of(SecretBox.decodeKey(SECRETS_KEY), List.of())
                .open(String.valueOf(row.get("sealed")), "dkim-private-key:" + row.get("account_id") + ":" + id);
    }

    private int updatedEvents(String id) {
        return server.server()
                .database()
                .jdbi()
                .withHandle(h -> h.createQuery(
                                "SELECT COUNT(*) FROM domain_events WHERE domain_id = :id AND type = 'domain.updated'")
                        .bind("id", id)
                        .mapTo(Integer.class)
                        .one());
    }

    private String sandboxSelector() {
        return server.server()
                .database()
                .jdbi()
                .withHandle(
                        h -> h.createQuery("SELECT dkim_tokens FROM sandbox_identities WHERE domain = 'example.com'")
                                .mapTo(String.class)
                                .one());
    }

    /** Signs a message with {@code privateKey} and verifies it with the public key DNS serves at {@code name}. */
    private boolean verifiesAgainstDns(String privateKey, String name) throws Exception {
        var answer = DnsResolvers.create(List.of(dns.address()), Duration.ofSeconds(2))
                .query(name, RecordType.TXT)
                .get();
        String txt = answer.records().get(0).value();
        String p = txt.substring(txt.indexOf("p=") + 2).replaceAll("\\s", "");
        KeyFactory rsa = KeyFactory.getInstance("RSA");
        PrivateKey signing =
                rsa.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(privateKey)));
        PublicKey published =
                rsa.generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(p)));
        byte[] message = "From: a@example.com\r\nSubject: sent before the switch\r\n".getBytes(StandardCharsets.UTF_8);
        Signature signer = Signature.getInstance("SHA256withRSA");
        signer.initSign(signing);
        signer.update(message);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(published);
        verifier.update(message);
        return verifier.verify(signature);
    }

    private static String message(HttpResponse<String> r) {
        return Json.parse(r.body()).get("message").asText();
    }

    private JsonNode add(String body) {
        return ok(server.http("POST", "/domains", KEY, body)).get("domain");
    }

    private JsonNode get(String id) {
        return ok(server.http("GET", "/domains/" + id, KEY, null)).get("domain");
    }

    private static JsonNode ok(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.parse(r.body());
    }

    private String refusal(int status, String body) {
        HttpResponse<String> r = server.http("POST", "/domains", KEY, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        return Json.parse(r.body()).get("message").asText();
    }

    /** Returns the DNS check status of the domain's record whose {@code field} (purpose or name) is {@code value}. */
    private String validation(String id, String field, String value) {
        JsonNode records = ok(server.http("GET", "/domains/" + id + "?include_dns_validation=true", KEY, null))
                .get("domain")
                .get("dns_validation")
                .get("records");
        for (JsonNode r : records) {
            if (r.get("record").get(field).asText().equals(value)) {
                return r.get("status").asText();
            }
        }
        throw new AssertionError("no record with " + field + " " + value + " in " + records);
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
