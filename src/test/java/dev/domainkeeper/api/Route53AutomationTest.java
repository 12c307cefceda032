package dev.domainkeeper.api;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingXPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.domainkeeper.testing.Route53Stubs.changeResponse;
import static dev.domainkeeper.testing.Route53Stubs.error;
import static dev.domainkeeper.testing.Route53Stubs.getChange;
import static dev.domainkeeper.testing.Route53Stubs.getZone;
import static dev.domainkeeper.testing.Route53Stubs.recordPage;
import static dev.domainkeeper.testing.Route53Stubs.recordSet;
import static dev.domainkeeper.testing.Route53Stubs.xml;
import static dev.domainkeeper.testing.Route53Stubs.zone;
import static dev.domainkeeper.testing.Route53Stubs.zoneList;
import static dev.domainkeeper.testing.Route53Stubs.zonesByName;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.domainkeeper.domain.RecordType;
import dev.domainkeeper.testing.AwsTestCredentials;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.LoopbackDnsServer;
import dev.domainkeeper.testing.TestServer;
import java.io.StringReader;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * Drives CheckDNSProvider and ApplyDomainRecords through the real HTTP/JSON API, with the Route 53
 * adapter talking to WireMock serving Route 53's REST-XML, and NS lookups answered by a loopback
 * DNS server.
 */
class Route53AutomationTest {
    @RegisterExtension
    static final WireMockExtension wm = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"))
            .build();

    private static final String KEY = TestServer.BOOTSTRAP_KEY;
    private static final String ZONE_ID = "ZEXAMPLE";
    private static final String RRSET = "/2013-04-01/hostedzone/" + ZONE_ID + "/rrset";
    private static final String CHANGE = RRSET + "/";
    private static final String[] ROUTE53_NS = {
        "ns-1.awsdns-01.org", "ns-2.awsdns-02.com", "ns-3.awsdns-03.net", "ns-4.awsdns-04.co.uk"
    };

    @TempDir
    Path dir;

    LoopbackDnsServer dns;
    TestServer server;

    @BeforeEach
    void start() {
        dns = LoopbackDnsServer.start();
        server = start(Map.of("DOMAINKEEPER_ROUTE53_ENDPOINT", wm.baseUrl()));
    }

    private TestServer start(Map<String, String> extraEnv) {
        Map<String, String> env = new LinkedHashMap<>(extraEnv);
        env.put("DOMAINKEEPER_DNS_RESOLVERS", dns.hostAndPort());
        env.put("DOMAINKEEPER_DNS_TIMEOUT_MS", "1000");
        env.put("DOMAINKEEPER_BACKGROUND_WORKERS", "false");
        TestServer started = TestServer.start(dir, env, a -> a.withAwsCredentials(AwsTestCredentials.PROVIDER));
        started.grantZones("default"); // The operator lets the bootstrap account use every zone.
        return started;
    }

    @AfterEach
    void stop() {
        server.close();
        dns.close();
    }

    // ---- CheckDNSProvider ----

    @Test
    void checkDnsProvider_subZoneWinsAndPrivateZonesAreSkipped() {
        wm.stubFor(zonesByName("shop.example.com")
                .willReturn(xml(zoneList(
                        zone("ZPRIVATE", "shop.example.com.", true, 4),
                        zone("ZSHOP", "shop.example.com.", false, 7),
                        zone("ZLATER", "zzz.example.com.", false, 3)))));
        wm.stubFor(zonesByName("example.com").willReturn(xml(zoneList(zone("ZPARENT", "example.com.", false, 12)))));
        wm.stubFor(get("/2013-04-01/hostedzone/ZSHOP")
                .willReturn(xml(getZone(zone("ZSHOP", "shop.example.com.", false, 7), ROUTE53_NS))));
        for (String ns : ROUTE53_NS) {
            dns.add("shop.example.com", RecordType.NS, ns);
        }
        String id = addDomain("{\"domain\":\"shop.example.com\"}");

        JsonNode check = ok(server.http("GET", "/domains/" + id + "/dns-provider", KEY, null));

        assertThat(check.get("has_access").asBoolean()).isTrue();
        assertThat(check.get("provider_type").asText()).isEqualTo("ROUTE53");
        assertThat(check.get("route53").get("id").asText()).isEqualTo("ZSHOP");
        assertThat(check.get("route53").get("name").asText()).isEqualTo("shop.example.com");
        assertThat(check.get("route53").get("private_zone").asBoolean()).isFalse();
        assertThat(check.get("route53").get("record_count").asLong()).isEqualTo(7);
        assertThat(texts(check.get("route53").get("name_servers"))).containsExactly(ROUTE53_NS);
        assertThat(check.get("delegated").asBoolean()).isTrue();
        assertThat(texts(check.get("delegated_name_servers"))).containsExactlyInAnyOrder(ROUTE53_NS);
        assertThat(check.get("notes")).isEmpty();
    }

    @Test
    void checkDnsProvider_domainDelegatedElsewhere_warnsThatRecordsWouldNotBeSeen() {
        stubExampleZone();
        dns.add("example.com", RecordType.NS, "ns1.registrar-dns.example.net");
        String id = addDomain("{\"domain\":\"example.com\"}");

        JsonNode check = ok(server.http("GET", "/domains/" + id + "/dns-provider", KEY, null));

        assertThat(check.get("has_access").asBoolean()).isTrue();
        assertThat(check.get("delegated").asBoolean()).isFalse();
        assertThat(texts(check.get("delegated_name_servers"))).containsExactly("ns1.registrar-dns.example.net");
        assertThat(texts(check.get("notes")))
                .singleElement()
                .asString()
                .contains("ns1.registrar-dns.example.net")
                .contains("will not be seen");
    }

    @Test
    void checkDnsProvider_noZone_hasNoAccessWithANote() {
        wm.stubFor(get(urlPathEqualTo("/2013-04-01/hostedzonesbyname"))
                .willReturn(xml(zoneList(zone("ZOTHER", "other.net.", false, 3)))));
        String id = addDomain("{\"domain\":\"nozone.example.org\"}");

        JsonNode check = ok(server.http("GET", "/domains/" + id + "/dns-provider", KEY, null));

        assertThat(check.get("has_access").asBoolean()).isFalse();
        assertThat(check.has("provider_type")).as("no provider found").isFalse();
        assertThat(check.has("route53")).isFalse();
        assertThat(texts(check.get("notes")))
                .singleElement()
                .asString()
                .contains("No public Route 53 hosted zone")
                .contains("nozone.example.org");
    }

    @Test
    void checkDnsProvider_accessDenied_hasNoAccessWithTheReason() {
        wm.stubFor(
                get(urlPathEqualTo("/2013-04-01/hostedzonesbyname"))
                        .willReturn(
                                error(
                                        403,
                                        "AccessDenied",
                                        "User: arn:aws:iam::123456789012:user/dk is not authorized to perform: route53:ListHostedZonesByName")));
        String id = addDomain("{\"domain\":\"example.com\"}");

        JsonNode check = ok(server.http("GET", "/domains/" + id + "/dns-provider", KEY, null));

        assertThat(check.get("has_access").asBoolean()).isFalse();
        assertThat(texts(check.get("notes"))).singleElement().asString().contains("not authorized");
    }

    @Test
    void sandboxWithoutRoute53Endpoint_saysHowToEnableAutomation() {
        server.close();
        server = start(Map.of());
        String id = addDomain("{\"domain\":\"example.com\"}");

        JsonNode check = ok(server.http("GET", "/domains/" + id + "/dns-provider", KEY, null));
        HttpResponse<String> apply = server.http("POST", "/domains/" + id + "/apply-records", KEY, "{}");

        assertThat(check.get("has_access").asBoolean()).isFalse();
        assertThat(texts(check.get("notes")))
                .singleElement()
                .asString()
                .contains("DOMAINKEEPER_SES_BACKEND=aws")
                .contains("DOMAINKEEPER_ROUTE53_ENDPOINT");
        assertThat(apply.statusCode()).isEqualTo(400);
        assertThat(Json.parse(apply.body()).get("grpc-code").asText()).isEqualTo("FAILED_PRECONDITION");
        assertThat(Json.parse(apply.body()).get("message").asText()).contains("DOMAINKEEPER_ROUTE53_ENDPOINT");
        assertThat(wm.getAllServeEvents()).isEmpty();
    }

    // ---- ApplyDomainRecords ----

    @Test
    void apply_emptyZone_upsertsEveryRecordInOneBatchAndTracksItToApplied() {
        stubExampleZone();
        stubSubmit("C1");
        JsonNode domain = addDomainNode("{\"domain\":\"example.com\"}");
        String id = domain.get("id").asText();

        JsonNode applied = ok(server.http("POST", "/domains/" + id + "/apply-records", KEY, "{}"));

        String body = onlySubmittedBody();
        assertThat(xpath(body, "//Change")).hasSize(7);
        assertThat(xpath(body, "//Change/Action")).containsOnly("UPSERT");
        for (JsonNode r : domain.get("dns_records")) {
            if (r.get("purpose").asText().equals("DKIM")) {
                assertThat(values(body, r.get("name").asText(), "CNAME"))
                        .containsExactly(r.get("value").asText() + ".");
                assertThat(ttl(body, r.get("name").asText(), "CNAME")).isEqualTo("1800");
            }
        }
        assertThat(values(body, "mail.example.com", "MX")).containsExactly("10 feedback-smtp.us-east-1.amazonses.com.");
        assertThat(values(body, "mail.example.com", "TXT")).containsExactly("\"v=spf1 include:amazonses.com ~all\"");
        assertThat(values(body, "example.com", "TXT")).containsExactly("\"v=spf1 include:amazonses.com ~all\"");
        assertThat(values(body, "_dmarc.example.com", "TXT")).containsExactly("\"v=DMARC1; p=none\"");
        assertThat(applied.get("changes")).hasSize(7);
        assertThat(applied.get("records_failed")).isEmpty();
        assertThat(applied.get("failed_records")).isEmpty();
        assertThat(applied.get("records_unchanged")).isEmpty();
        JsonNode state = applied.get("domain").get("dns_apply_state");
        assertThat(applied.get("dns_apply_state"))
                .as("top-level, as documented")
                .isEqualTo(state);
        assertThat(applied.get("dns_validation"))
                .isEqualTo(applied.get("domain").get("dns_validation"));
        assertThat(state.get("status").asText()).isEqualTo("APPLYING");
        assertThat(state.get("provider").asText()).isEqualTo("ROUTE53");
        assertThat(state.get("change_id").asText()).isEqualTo("C1");
        assertThat(state.has("applied_at")).isFalse();
        JsonNode snapshot = applied.get("domain").get("dns_validation");
        assertThat(snapshot.get("records")).hasSameSizeAs(domain.get("dns_records"));
        assertThat(snapshot.get("checked_at").asText()).isNotEmpty();

        wm.stubFor(get("/2013-04-01/change/C1").willReturn(xml(getChange("C1", "PENDING"))));
        server.server().applyTracker().runOnce();
        assertThat(applyState(id).get("status").asText()).isEqualTo("APPLYING");

        wm.stubFor(get("/2013-04-01/change/C1").willReturn(xml(getChange("C1", "INSYNC"))));
        server.server().applyTracker().runOnce();
        JsonNode done = applyState(id);
        assertThat(done.get("status").asText()).isEqualTo("APPLIED");
        assertThat(done.get("applied_at").asText()).isNotEmpty();
        assertThat(done.get("error").asText()).isEmpty();
    }

    @Test
    void apply_googleWorkspaceSpf_keepsIncludeAndAddsAmazonses() {
        stubExampleZone();
        stubRecords(
                "example.com",
                recordSet("example.com.", "MX", 3600, "1 aspmx.l.google.com.", "5 alt1.aspmx.l.google.com."),
                recordSet("example.com.", "NS", 172800, "ns-1.awsdns-01.org."),
                recordSet(
                        "example.com.",
                        "TXT",
                        3600,
                        "\"google-site-verification=abc123\"",
                        "\"v=spf1 include:_spf.google.com ~all\""));
        stubSubmit("C1");
        String id = addDomain("{\"domain\":\"example.com\",\"spf_mode\":\"MERGE\",\"receive_enabled\":true}");

        JsonNode applied = ok(server.http("POST", "/domains/" + id + "/apply-records", KEY, "{}"));

        String body = onlySubmittedBody();
        assertThat(values(body, "example.com", "TXT"))
                .containsExactly(
                        "\"google-site-verification=abc123\"",
                        "\"v=spf1 include:_spf.google.com include:amazonses.com ~all\"");
        assertThat(ttl(body, "example.com", "TXT")).isEqualTo("3600");
        assertThat(values(body, "example.com", "MX")).isEmpty();
        assertThat(texts(applied.get("records_failed"))).containsExactly("example.com");
        JsonNode failed = applied.get("failed_records");
        assertThat(failed).hasSize(1);
        assertThat(failed.get(0).get("record").get("purpose").asText()).isEqualTo("INBOUND_MX");
        assertThat(failed.get(0).get("reason").asText())
                .contains("foreign MX hosts at example.com would be replaced: 1 aspmx.l.google.com");
        JsonNode state = applied.get("domain").get("dns_apply_state");
        assertThat(state.get("status").asText()).isEqualTo("APPLYING");
        assertThat(state.get("records_failed")).hasSize(1);
        assertThat(state.get("error").asText()).contains("1 of 8 records");

        wm.stubFor(get("/2013-04-01/change/C1").willReturn(xml(getChange("C1", "INSYNC"))));
        server.server().applyTracker().runOnce();
        assertThat(applyState(id).get("status").asText()).isEqualTo("PARTIALLY_APPLIED");
    }

    @Test
    void apply_existingRejectDmarc_isNotWeakenedToNone() {
        stubExampleZone();
        stubRecords(
                "_dmarc.example.com",
                recordSet("_dmarc.example.com.", "TXT", 300, "\"v=DMARC1; p=reject; rua=mailto:dmarc@example.com\""));
        stubSubmit("C1");
        String id = addDomain("{\"domain\":\"example.com\"}");

        JsonNode applied = ok(server.http("POST", "/domains/" + id + "/apply-records", KEY, "{}"));

        assertThat(values(onlySubmittedBody(), "_dmarc.example.com", "TXT")).isEmpty();
        assertThat(applied.get("records_unchanged")).singleElement().satisfies(r -> {
            assertThat(r.get("purpose").asText()).isEqualTo("DMARC");
            assertThat(r.get("value").asText()).isEqualTo("v=DMARC1; p=reject; rua=mailto:dmarc@example.com");
        });
    }

    @Test
    void apply_secondTime_submitsNothing() {
        stubExampleZone();
        stubSubmit("C1");
        JsonNode domain = addDomainNode("{\"domain\":\"example.com\"}");
        String id = domain.get("id").asText();
        ok(server.http("POST", "/domains/" + id + "/apply-records", KEY, "{}"));
        stubZoneHolding(domain.get("dns_records"));

        JsonNode again = ok(server.http("POST", "/domains/" + id + "/apply-records", KEY, "{}"));

        wm.verify(1, postRequestedFor(urlPathEqualTo(CHANGE)));
        assertThat(again.get("changes")).isEmpty();
        assertThat(again.get("records_failed")).isEmpty();
        assertThat(again.get("failed_records")).isEmpty();
        assertThat(again.get("records_unchanged")).hasSize(7);
        assertThat(again.get("domain").get("dns_apply_state").get("change_id").asText())
                .isEqualTo("C1");
    }

    @Test
    void apply_invalidChangeBatchOnOneRecord_namesItInRecordsFailed() {
        stubExampleZone();
        String refusal = "[RRSet of type TXT with DNS name _dmarc.example.com. is not permitted because a"
                + " conflicting RRSet of type CNAME with the same DNS name already exists]";
        wm.stubFor(post(CHANGE)
                .atPriority(1)
                .withRequestBody(matchingXPath("//*[local-name()='Change'][2]"))
                .willReturn(error(400, "InvalidChangeBatch", refusal)));
        wm.stubFor(post(CHANGE)
                .atPriority(2)
                .withRequestBody(containing("<Name>_dmarc.example.com.</Name>"))
                .willReturn(error(400, "InvalidChangeBatch", refusal)));
        wm.stubFor(post(CHANGE).atPriority(3).willReturn(xml(changeResponse("C9", "PENDING"))));
        String id = addDomain("{\"domain\":\"example.com\"}");

        JsonNode applied = ok(server.http("POST", "/domains/" + id + "/apply-records", KEY, "{}"));

        wm.verify(8, postRequestedFor(urlPathEqualTo(CHANGE)));
        assertThat(applied.get("changes")).hasSize(6);
        assertThat(texts(applied.get("records_failed"))).containsExactly("_dmarc.example.com");
        assertThat(applied.get("failed_records")).singleElement().satisfies(f -> {
            assertThat(f.get("record").get("name").asText()).isEqualTo("_dmarc.example.com");
            assertThat(f.get("reason").asText()).contains("InvalidChangeBatch").contains("conflicting RRSet");
        });
        JsonNode state = applied.get("domain").get("dns_apply_state");
        assertThat(state.get("status").asText()).isEqualTo("APPLYING");
        assertThat(state.get("change_id").asText()).isEqualTo("C9");
        assertThat(state.get("records_failed").get(0).get("reason").asText()).contains("conflicting RRSet");
    }

    @Test
    void apply_throttledOnceThenAccepted_succeeds() {
        stubExampleZone();
        wm.stubFor(post(CHANGE)
                .inScenario("throttle")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(error(400, "Throttling", "Rate exceeded"))
                .willSetStateTo("calm"));
        wm.stubFor(post(CHANGE)
                .inScenario("throttle")
                .whenScenarioStateIs("calm")
                .willReturn(xml(changeResponse("C2", "PENDING"))));
        String id = addDomain("{\"domain\":\"example.com\"}");

        JsonNode applied = ok(server.http("POST", "/domains/" + id + "/apply-records", KEY, "{}"));

        wm.verify(2, postRequestedFor(urlPathEqualTo(CHANGE)));
        assertThat(applied.get("domain").get("dns_apply_state").get("change_id").asText())
                .isEqualTo("C2");
    }

    @Test
    void apply_route53KeepsThrottling_answersUnavailableAndChangesNothing() {
        stubExampleZone();
        wm.stubFor(post(CHANGE).willReturn(error(400, "Throttling", "Rate exceeded")));
        String id = addDomain("{\"domain\":\"example.com\"}");

        HttpResponse<String> applied = server.http("POST", "/domains/" + id + "/apply-records", KEY, "{}");

        assertThat(applied.statusCode()).isEqualTo(503);
        assertThat(applied.headers().firstValue("retry-after")).isPresent();
        assertThat(Json.parse(applied.body()).get("message").asText()).contains("Route 53 is not answering");
        assertThat(applyState(id).get("status").asText()).isEqualTo("STATUS_UNSPECIFIED");
    }

    @Test
    void apply_dryRun_returnsThePlanAndSubmitsNothing() {
        stubExampleZone();
        stubRecords("example.com", recordSet("example.com.", "TXT", 300, "\"v=spf1 mx ~all\""));
        String id = addDomain("{\"domain\":\"example.com\",\"spf_mode\":\"MERGE\"}");

        JsonNode preview = ok(server.http("POST", "/domains/" + id + "/apply-records", KEY, "{\"dry_run\":true}"));

        wm.verify(0, postRequestedFor(urlPathEqualTo(CHANGE)));
        assertThat(preview.get("changes")).hasSize(7);
        assertThat(preview.get("changes")).anySatisfy(c -> {
            assertThat(c.get("action").asText()).isEqualTo("UPSERT");
            assertThat(c.get("record").get("purpose").asText()).isEqualTo("SPF");
            assertThat(c.get("record").get("value").asText()).isEqualTo("v=spf1 mx include:amazonses.com ~all");
        });
        assertThat(preview.get("domain").get("dns_apply_state").get("status").asText())
                .isEqualTo("STATUS_UNSPECIFIED");
        assertThat(applyState(id).get("status").asText()).isEqualTo("STATUS_UNSPECIFIED");
    }

    // ---- helpers ----

    private String addDomain(String body) {
        return addDomainNode(body).get("id").asText();
    }

    private JsonNode addDomainNode(String body) {
        return ok(server.http("POST", "/domains", KEY, body)).get("domain");
    }

    private JsonNode applyState(String id) {
        return ok(server.http("GET", "/domains/" + id, KEY, null)).get("domain").get("dns_apply_state");
    }

    private static JsonNode ok(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Json.parse(response.body());
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** Stubs the public zone example.com (ZEXAMPLE) with no records at the names asked for. */
    private static void stubExampleZone() {
        wm.stubFor(zonesByName("example.com").willReturn(xml(zoneList(zone(ZONE_ID, "example.com.", false, 2)))));
        wm.stubFor(get("/2013-04-01/hostedzone/" + ZONE_ID)
                .willReturn(xml(getZone(zone(ZONE_ID, "example.com.", false, 2), ROUTE53_NS))));
        wm.stubFor(get(urlPathEqualTo(RRSET)).atPriority(10).willReturn(xml(recordPage(null, null))));
    }

    /** Makes ListResourceRecordSets from {@code name} answer with {@code sets}. */
    private static void stubRecords(String name, String... sets) {
        wm.stubFor(get(urlPathEqualTo(RRSET))
                .atPriority(1)
                .withQueryParam("name", com.github.tomakehurst.wiremock.client.WireMock.equalTo(name + "."))
                .willReturn(xml(recordPage(null, null, sets))));
    }

    /** Makes the zone hold exactly the planned records, in Route 53's wire form. */
    private static void stubZoneHolding(JsonNode records) {
        Map<String, List<String>> byName = new LinkedHashMap<>();
        for (JsonNode r : records) {
            String name = r.get("name").asText();
            String value = r.get("value").asText();
            String wire = switch (r.get("type").asText()) {
                case "MX" -> r.get("priority").asInt() + " " + value + ".";
                case "TXT" -> "\"" + value + "\"";
                default -> value + ".";
            };
            byName.computeIfAbsent(name, n -> new ArrayList<>())
                    .add(recordSet(
                            name + ".", r.get("type").asText(), r.get("ttl").asLong(), wire));
        }
        byName.forEach((name, sets) -> stubRecords(name, sets.toArray(String[]::new)));
    }

    private static void stubSubmit(String changeId) {
        wm.stubFor(post(CHANGE).willReturn(xml(changeResponse(changeId, "PENDING"))));
    }

    private static String onlySubmittedBody() {
        List<LoggedRequest> posts = wm.findAll(postRequestedFor(urlPathEqualTo(CHANGE)));
        assertThat(posts).hasSize(1);
        return posts.get(0).getBodyAsString();
    }

    /** Returns the values sent for the record set {@code name} (without trailing dot) of {@code type}. */
    private static List<String> values(String body, String name, String type) {
        return xpath(body, rrset(name, type) + "/ResourceRecords/ResourceRecord/Value");
    }

    private static String ttl(String body, String name, String type) {
        return xpath(body, rrset(name, type) + "/TTL").get(0);
    }

    private static String rrset(String name, String type) {
        return "//Change[Action='UPSERT']/ResourceRecordSet[Name='" + name + ".' and Type='" + type + "']";
    }

    private static List<String> xpath(String xml, String expression) {
        try {
            var document = DocumentBuilderFactory.newInstance()
                    .newDocumentBuilder()
                    .parse(new InputSource(new StringReader(xml)));
            NodeList nodes = (NodeList)
                    XPathFactory.newInstance().newXPath().evaluate(expression, document, XPathConstants.NODESET);
            List<String> out = new ArrayList<>();
            for (int i = 0; i < nodes.getLength(); i++) {
                out.add(nodes.item(i).getTextContent());
            }
            return out;
        } catch (Exception e) {
            throw new AssertionError("cannot evaluate " + expression + " on " + xml, e);
        }
    }
}
