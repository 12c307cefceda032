package dev.domainkeeper.api;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.domainkeeper.testing.CloudflareStubs.TOKEN;
import static dev.domainkeeper.testing.CloudflareStubs.ZONE_ID;
import static dev.domainkeeper.testing.CloudflareStubs.authorized;
import static dev.domainkeeper.testing.CloudflareStubs.failure;
import static dev.domainkeeper.testing.CloudflareStubs.record;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.domainkeeper.accounts.AccountService;
import dev.domainkeeper.domain.RecordType;
import dev.domainkeeper.proto.dnsconnections.v1.DnsConnectionsServiceGrpc;
import dev.domainkeeper.proto.dnsconnections.v1.GetDnsConnectionRequest;
import dev.domainkeeper.proto.dnsconnections.v1.ListDnsConnectionsRequest;
import dev.domainkeeper.store.AccountStore;
import dev.domainkeeper.testing.CapturedLogs;
import dev.domainkeeper.testing.CloudflareStubs;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.LoopbackDnsServer;
import dev.domainkeeper.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives DNS connections and publishing to Cloudflare through the real API (HTTP/JSON, gRPC,
 * gRPC-Web), with the Cloudflare adapter talking to WireMock serving Cloudflare's API v4, and DNS
 * (NS lookups and the validator) answered by a loopback DNS server that serves what was written.
 */
class CloudflareConnectionTest {
    @RegisterExtension
    static final WireMockExtension wm = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"))
            .build();

    private static final String KEY = TestServer.BOOTSTRAP_KEY;
    private static final String SECRETS_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    private static final String GOOGLE_SPF = "v=spf1 include:_spf.google.com ~all";
    private static final String REJECT_DMARC = "v=DMARC1; p=reject; rua=mailto:dmarc@example.com";

    @TempDir
    Path dir;

    @RegisterExtension
    final CapturedLogs logs = new CapturedLogs();

    LoopbackDnsServer dns;
    TestServer server;

    @BeforeEach
    void start() {
        dns = LoopbackDnsServer.start();
        server = start(true);
    }

    private TestServer start(boolean withSecretsKey) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("DOMAINKEEPER_DNS_RESOLVERS", dns.hostAndPort());
        env.put("DOMAINKEEPER_DNS_TIMEOUT_MS", "1000");
        env.put("DOMAINKEEPER_BACKGROUND_WORKERS", "false");
        env.put("DOMAINKEEPER_CLOUDFLARE_ENDPOINT", wm.baseUrl());
        if (withSecretsKey) {
            env.put("DOMAINKEEPER_SECRETS_KEY", SECRETS_KEY);
        }
        return TestServer.start(dir, env, a -> a);
    }

    @AfterEach
    void stop() {
        server.close();
        dns.close();
    }

    private static String cloudflareBody(String zone) {
        return "{\"kind\":\"CLOUDFLARE\",\"display_name\":\"Cloudflare production\",\"zones\":[\"" + zone
                + "\"],\"cloudflare\":{\"api_token\":\"" + TOKEN + "\"}}";
    }

    // ---- Connections ----

    @Test
    void create_checksTheTokenAndTheZone_andNoProtocolEverReturnsTheToken() {
        CloudflareStubs.stubAccount(wm, "example.com");

        HttpResponse<String> created = server.http("POST", "/dns-connections", KEY, cloudflareBody("Example.COM"));

        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        JsonNode c = Json.parse(created.body()).get("dns_connection");
        String id = c.get("id").asText();
        assertThat(id).startsWith("dnc_");
        assertThat(c.get("kind").asText()).isEqualTo("CLOUDFLARE");
        assertThat(texts(c.get("zones"))).containsExactly("example.com");
        assertThat(c.get("has_secret").asBoolean()).isTrue();
        wm.verify(
                1,
                com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(urlPathEqualTo("/user/tokens/verify")));
        HttpResponse<String> listed = server.http("GET", "/dns-connections", KEY, null);
        HttpResponse<String> got = server.http("GET", "/dns-connections/" + id, KEY, null);
        var grpc = server.grpc(DnsConnectionsServiceGrpc.DnsConnectionsServiceBlockingStub.class, KEY);
        var web = server.grpc(DnsConnectionsServiceGrpc.DnsConnectionsServiceBlockingStub.class, KEY, true);
        var grpcGot = grpc.getDnsConnection(
                GetDnsConnectionRequest.newBuilder().setId(id).build());
        var webList = web.listDnsConnections(ListDnsConnectionsRequest.getDefaultInstance());

        assertThat(Json.parse(listed.body()).get("dns_connections")).hasSize(1);
        assertThat(Json.parse(got.body()).get("dns_connection").get("id").asText())
                .isEqualTo(id);
        assertThat(grpcGot.getDnsConnection().getId()).isEqualTo(id);
        assertThat(webList.getDnsConnectionsList()).hasSize(1);
        for (String body : List.of(created.body(), listed.body(), got.body(), grpcGot.toString(), webList.toString())) {
            assertThat(body).doesNotContain(TOKEN);
        }

        HttpResponse<String> deleted = server.http("DELETE", "/dns-connections/" + id, KEY, null);
        assertThat(deleted.statusCode()).isEqualTo(200);
        assertThat(server.http("GET", "/dns-connections/" + id, KEY, null).statusCode())
                .isEqualTo(404);
    }

    @Test
    void create_withoutSecretsKey_isRefusedNamingTheSetting_andStoresNothing() {
        server.close();
        server = start(false);
        CloudflareStubs.stubAccount(wm, "example.com");

        HttpResponse<String> created = server.http("POST", "/dns-connections", KEY, cloudflareBody("example.com"));

        assertThat(created.statusCode()).isEqualTo(400);
        assertThat(Json.parse(created.body()).get("grpc-code").asText()).isEqualTo("FAILED_PRECONDITION");
        assertThat(Json.parse(created.body()).get("message").asText()).contains("DOMAINKEEPER_SECRETS_KEY");
        assertThat(Json.parse(server.http("GET", "/dns-connections", KEY, null).body())
                        .get("dns_connections"))
                .isEmpty();
        assertThat(wm.getAllServeEvents()).as("nothing sent to Cloudflare").isEmpty();
    }

    @Test
    void create_invalidToken_isRefusedWithCloudflaresReason_andStoresNothing() {
        wm.stubFor(get("/user/tokens/verify").willReturn(failure(401, 1000, "Invalid API Token")));

        HttpResponse<String> created = server.http("POST", "/dns-connections", KEY, cloudflareBody("example.com"));

        assertThat(created.statusCode()).isEqualTo(400);
        JsonNode error = Json.parse(created.body());
        assertThat(error.get("grpc-code").asText()).isEqualTo("FAILED_PRECONDITION");
        assertThat(error.get("message").asText())
                .contains("Cloudflare refused access")
                .contains("Invalid API Token");
        assertThat(Json.parse(server.http("GET", "/dns-connections", KEY, null).body())
                        .get("dns_connections"))
                .isEmpty();
    }

    @Test
    void create_zoneTheTokenCannotRead_isRefusedNamingTheZone() {
        CloudflareStubs.stubAccount(wm, "example.com");

        HttpResponse<String> created = server.http("POST", "/dns-connections", KEY, cloudflareBody("other.org"));

        assertThat(created.statusCode()).isEqualTo(400);
        assertThat(Json.parse(created.body()).get("message").asText())
                .contains("zones:")
                .contains("other.org");
    }

    @Test
    void create_badInput_namesTheField() {
        assertThat(message(server.http("POST", "/dns-connections", KEY, "{\"zones\":[\"example.com\"]}")))
                .startsWith("kind:");
        assertThat(message(server.http("POST", "/dns-connections", KEY, "{\"kind\":\"CLOUDFLARE\"}")))
                .startsWith("zones:");
        assertThat(message(server.http(
                        "POST", "/dns-connections", KEY, "{\"kind\":\"CLOUDFLARE\",\"zones\":[\"example.com\"]}")))
                .startsWith("cloudflare.api_token:");
        assertThat(message(server.http(
                        "POST",
                        "/dns-connections",
                        KEY,
                        "{\"kind\":\"RFC2136\",\"zones\":[\"example.com\"],\"rfc2136\":{\"server\":\"a b:x\"}}")))
                .startsWith("rfc2136.server:");
        assertThat(message(server.http(
                        "POST",
                        "/dns-connections",
                        KEY,
                        "{\"kind\":\"RFC2136\",\"zones\":[\"example.com\"],\"rfc2136\":{\"server\":\"127.0.0.1:53\","
                                + "\"tsig_key_name\":\"k\",\"tsig_algorithm\":\"md5\",\"tsig_secret\":\"c2VjcmV0\"}}")))
                .startsWith("rfc2136.tsig_algorithm:");
        assertThat(Json.parse(server.http("GET", "/dns-connections", KEY, null).body())
                        .get("dns_connections"))
                .isEmpty();
    }

    /** The attack: account B knows A's connection id and tries to read, delete and publish through it. */
    @Test
    void otherAccount_cannotSeeDeleteOrPublishThroughTheConnection() {
        CloudflareStubs.stubAccount(wm, "example.com");
        String id = ok(server.http("POST", "/dns-connections", KEY, cloudflareBody("example.com")))
                .get("dns_connection")
                .get("id")
                .asText();
        AccountService accounts =
                new AccountService(new AccountStore(server.server().database().jdbi()), Clock.systemUTC());
        String bob = accounts.createAccount("bob").key();
        String bobsDomain = ok(server.http("POST", "/domains", bob, "{\"domain\":\"shop.example.com\"}"))
                .get("domain")
                .get("id")
                .asText();
        wm.resetRequests();

        HttpResponse<String> read = server.http("GET", "/dns-connections/" + id, bob, null);
        HttpResponse<String> delete = server.http("DELETE", "/dns-connections/" + id, bob, null);
        JsonNode list = ok(server.http("GET", "/dns-connections", bob, null));
        HttpResponse<String> apply = server.http("POST", "/domains/" + bobsDomain + "/apply-records", bob, "{}");
        JsonNode check = ok(server.http("GET", "/domains/" + bobsDomain + "/dns-provider", bob, null));

        assertThat(read.statusCode()).isEqualTo(404);
        assertThat(delete.statusCode()).isEqualTo(404);
        assertThat(list.get("dns_connections")).isEmpty();
        assertThat(apply.statusCode()).isEqualTo(400);
        assertThat(Json.parse(apply.body()).get("grpc-code").asText()).isEqualTo("FAILED_PRECONDITION");
        assertThat(check.get("has_access").asBoolean()).isFalse();
        assertThat(wm.getAllServeEvents())
                .as("Bob's calls never reach Alice's Cloudflare account")
                .isEmpty();
        assertThat(ok(server.http("GET", "/dns-connections/" + id, KEY, null))
                        .get("dns_connection")
                        .get("id")
                        .asText())
                .isEqualTo(id);
    }

    // ---- Publishing ----

    @Test
    void apply_keepsThirdPartySpfRejectDmarcAndForeignMx_writesUnproxied_andEveryRecordTurnsValid() {
        CloudflareStubs.stubAccount(wm, "example.com");
        List<ObjectNode> before = new ArrayList<>(List.of(
                record("r-spf", "TXT", "example.com", "\"" + GOOGLE_SPF + "\"", null),
                record("r-dmarc", "TXT", "_dmarc.example.com", REJECT_DMARC, null),
                record("r-mx", "MX", "example.com", "aspmx.l.google.com", 10),
                record("r-www", "CNAME", "www.example.com", "example.com", null)));
        for (int i = 0; i < 120; i++) { // Enough to need a second page.
            before.add(record("r-a" + i, "A", "host" + i + ".example.com", "192.0.2." + (i % 250), null));
        }
        CloudflareStubs.stubRecords(wm, before, 100);
        CloudflareStubs.stubBatch(wm);
        dns.addTxt("example.com", GOOGLE_SPF)
                .addTxt("_dmarc.example.com", REJECT_DMARC)
                .addMx("example.com", 10, "aspmx.l.google.com");
        CloudflareStubs.NAME_SERVERS.forEach(ns -> dns.add("example.com", RecordType.NS, ns));
        ok(server.http("POST", "/dns-connections", KEY, cloudflareBody("example.com")));
        String id = ok(server.http("POST", "/domains", KEY, "{\"domain\":\"example.com\",\"spf_mode\":\"MERGE\"}"))
                .get("domain")
                .get("id")
                .asText();

        JsonNode check = ok(server.http("GET", "/domains/" + id + "/dns-provider", KEY, null));
        JsonNode preview = ok(server.http("POST", "/domains/" + id + "/apply-records", KEY, "{\"dry_run\":true}"));
        assertThat(wm.findAll(postRequestedFor(urlPathEqualTo("/zones/" + ZONE_ID + "/dns_records/batch"))))
                .as("a dry run submits nothing")
                .isEmpty();
        JsonNode applied = ok(server.http("POST", "/domains/" + id + "/apply-records", KEY, "{}"));

        assertThat(check.get("has_access").asBoolean()).isTrue();
        assertThat(check.get("provider_type").asText()).isEqualTo("CLOUDFLARE");
        assertThat(check.get("zone_name").asText()).isEqualTo("example.com");
        assertThat(check.get("delegated").asBoolean()).isTrue();
        assertThat(check.get("dns_connection_id").asText()).startsWith("dnc_");
        assertThat(preview.get("changes")).hasSameSizeAs(applied.get("changes"));
        var batches = wm.findAll(postRequestedFor(urlPathEqualTo("/zones/" + ZONE_ID + "/dns_records/batch")));
        assertThat(batches).hasSize(1);
        JsonNode batch = Json.parse(batches.get(0).getBodyAsString());
        assertThat(batch.get("deletes")).as("nothing deleted").isEmpty();
        List<JsonNode> written = new ArrayList<>();
        batch.get("puts").forEach(written::add);
        batch.get("posts").forEach(written::add);
        assertThat(written)
                .allSatisfy(r -> assertThat(r.get("proxied").asBoolean()).isFalse());
        assertThat(batch.get("puts")).singleElement().satisfies(p -> {
            assertThat(p.get("id").asText()).isEqualTo("r-spf");
            assertThat(p.get("content").asText())
                    .isEqualTo("\"v=spf1 include:_spf.google.com include:amazonses.com ~all\"");
        });
        assertThat(written)
                .extracting(r -> r.get("name").asText() + " " + r.get("type").asText())
                .doesNotContain("_dmarc.example.com TXT", "example.com MX");
        assertThat(written)
                .filteredOn(r -> r.get("type").asText().equals("CNAME"))
                .hasSize(3);
        JsonNode state = applied.get("dns_apply_state");
        assertThat(state.get("status").asText()).isEqualTo("APPLIED");
        assertThat(state.get("provider").asText()).isEqualTo("CLOUDFLARE");
        assertThat(state.get("applied_at").asText()).isNotEmpty();

        CloudflareStubs.serve(before, batch, dns);
        JsonNode domain = ok(server.http("GET", "/domains/" + id + "?include_dns_validation=true", KEY, null))
                .get("domain");
        assertThat(domain.get("dns_validation").get("records"))
                .allSatisfy(r ->
                        assertThat(r.get("status").asText()).as(r.toString()).isEqualTo("VALID"));
        assertThat(domain.get("dns_validation").get("all_valid").asBoolean()).isTrue();
    }

    @Test
    void removeWithPublishedRecords_takesBackFromTheConnectionsZone_keepingTheThirdPartySpfDmarcAndMx() {
        CloudflareStubs.stubAccount(wm, "example.com");
        List<ObjectNode> before = List.of(
                record("r-spf", "TXT", "example.com", "\"" + GOOGLE_SPF + "\"", null),
                record("r-dmarc", "TXT", "_dmarc.example.com", REJECT_DMARC, null),
                record("r-mx", "MX", "example.com", "aspmx.l.google.com", 10));
        CloudflareStubs.stubRecords(wm, before, 100);
        CloudflareStubs.stubBatch(wm);
        ok(server.http("POST", "/dns-connections", KEY, cloudflareBody("example.com")));
        String id = ok(server.http("POST", "/domains", KEY, "{\"domain\":\"example.com\",\"spf_mode\":\"MERGE\"}"))
                .get("domain")
                .get("id")
                .asText();
        ok(server.http("POST", "/domains/" + id + "/apply-records", KEY, "{}"));
        String batchPath = "/zones/" + ZONE_ID + "/dns_records/batch";
        JsonNode applied = Json.parse(
                wm.findAll(postRequestedFor(urlPathEqualTo(batchPath))).get(0).getBodyAsString());
        List<ObjectNode> published = CloudflareStubs.after(before, applied);
        CloudflareStubs.stubRecords(wm, published, 100);
        wm.resetRequests();

        JsonNode removed = ok(server.http("DELETE", "/domains/" + id + "?remove_published_records=true", KEY, null));

        var batches = wm.findAll(postRequestedFor(urlPathEqualTo(batchPath)));
        assertThat(batches)
                .as("one batch takes the records back from the connection's zone")
                .hasSize(1);
        JsonNode back = Json.parse(batches.get(0).getBodyAsString());
        List<String> deleted = new ArrayList<>();
        back.get("deletes").forEach(d -> deleted.add(d.get("id").asText()));
        assertThat(deleted)
                .as("every record Domainkeeper created, and nothing else")
                .hasSize(published.size() - before.size())
                .allMatch(d -> d.startsWith("new-"));
        assertThat(back.get("puts")).singleElement().satisfies(p -> {
            assertThat(p.get("id").asText()).isEqualTo("r-spf");
            assertThat(p.get("content").asText()).isEqualTo("\"" + GOOGLE_SPF + "\"");
        });
        assertThat(back.toString()).doesNotContain("r-dmarc", "r-mx");
        assertThat(removed.toString()).contains("include:amazonses.com was taken out");
        assertThat(server.http("GET", "/domains/" + id, KEY, null).statusCode()).isEqualTo(404);
    }

    @Test
    void apply_rateLimited_answersUnavailableWithRetryAfter() {
        CloudflareStubs.stubAccount(wm, "example.com");
        ok(server.http("POST", "/dns-connections", KEY, cloudflareBody("example.com")));
        String id = ok(server.http("POST", "/domains", KEY, "{\"domain\":\"example.com\"}"))
                .get("domain")
                .get("id")
                .asText();
        wm.stubFor(authorized(get(urlPathEqualTo("/zones/" + ZONE_ID + "/dns_records")))
                .willReturn(failure(429, 971, "Please wait and consider throttling your request speed")
                        .withHeader("Retry-After", "17")));

        HttpResponse<String> apply = server.http("POST", "/domains/" + id + "/apply-records", KEY, "{}");

        assertThat(apply.statusCode()).isEqualTo(503);
        assertThat(Json.parse(apply.body()).get("grpc-code").asText()).isEqualTo("UNAVAILABLE");
        assertThat(Json.parse(apply.body()).get("message").asText()).contains("throttling");
        assertThat(apply.headers().firstValue("retry-after")).contains("17");
    }

    @Test
    void checkDnsProvider_noConnection_namesCloudflareFromTheNsRecordsWithTheStep() {
        CloudflareStubs.NAME_SERVERS.forEach(ns -> dns.add("example.com", RecordType.NS, ns));
        String id = ok(server.http("POST", "/domains", KEY, "{\"domain\":\"mail.example.com\"}"))
                .get("domain")
                .get("id")
                .asText();

        JsonNode check = ok(server.http("GET", "/domains/" + id + "/dns-provider", KEY, null));

        assertThat(check.get("has_access").asBoolean()).isFalse();
        assertThat(check.get("detected_provider").asText()).isEqualTo("Cloudflare");
        assertThat(texts(check.get("detected_name_servers")))
                .containsExactlyInAnyOrderElementsOf(CloudflareStubs.NAME_SERVERS);
        assertThat(check.get("enable_automation").asText()).contains("CLOUDFLARE DNS connection");
    }

    /** The token is in no response (above), no log line and no database column in clear text. */
    @Test
    void secret_appearsInNoLogLineAndNoDatabaseColumn() {
        CloudflareStubs.stubAccount(wm, "example.com");
        CloudflareStubs.stubRecords(wm, List.of(), 100);
        CloudflareStubs.stubBatch(wm);
        String created = server.http("POST", "/dns-connections", KEY, cloudflareBody("example.com"))
                .body();
        String id = ok(server.http("POST", "/domains", KEY, "{\"domain\":\"example.com\"}"))
                .get("domain")
                .get("id")
                .asText();
        String applied = server.http("POST", "/domains/" + id + "/apply-records", KEY, "{}")
                .body();
        server.http("POST", "/dns-connections", KEY, cloudflareBody("other.org")); // A refused one, too.

        assertThat(created + applied).doesNotContain(TOKEN);
        assertThat(logs.texts()).noneMatch(m -> m.contains(TOKEN));
        List<String> cells = server.databaseCells();
        assertThat(cells).isNotEmpty().noneMatch(v -> v.contains(TOKEN));
        assertThat(cells).anyMatch(v -> v.startsWith("dk1:")).as("the sealed token is stored");
    }

    private static String message(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        return Json.parse(r.body()).get("message").asText();
    }

    private static JsonNode ok(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.parse(r.body());
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
