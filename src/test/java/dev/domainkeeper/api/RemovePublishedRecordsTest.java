package dev.domainkeeper.api;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.domainkeeper.testing.Route53Stubs.changeResponse;
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
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.domainkeeper.accounts.AccountService;
import dev.domainkeeper.domain.RecordType;
import dev.domainkeeper.store.AccountStore;
import dev.domainkeeper.testing.AwsTestCredentials;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.Route53ChangeBatch;
import dev.domainkeeper.testing.Route53ChangeBatch.Change;
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
 * RemoveDomain with {@code remove_published_records} through the HTTP/JSON API, the Route 53 adapter
 * talking to WireMock in Route 53's REST-XML: it takes back exactly what ApplyDomainRecords wrote and
 * nothing someone changed since, keeps a third party's SPF mechanisms, and writes nothing without the
 * option or without the zone's grant.
 */
class RemovePublishedRecordsTest {
    @RegisterExtension
    static final WireMockExtension wm = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"))
            .build();

    private static final String KEY = TestServer.BOOTSTRAP_KEY;
    private static final String ZONE_ID = "ZEXAMPLE";
    private static final String RRSET = "/2013-04-01/hostedzone/" + ZONE_ID + "/rrset";
    private static final String CHANGE = RRSET + "/";

    @TempDir
    Path dir;

    TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start(
                dir,
                Map.of("DOMAINKEEPER_ROUTE53_ENDPOINT", wm.baseUrl(), "DOMAINKEEPER_BACKGROUND_WORKERS", "false"),
                a -> a.withAwsCredentials(AwsTestCredentials.PROVIDER));
        server.grantZones("default");
        wm.stubFor(zonesByName("example.com").willReturn(xml(zoneList(zone(ZONE_ID, "example.com.", false, 2)))));
        wm.stubFor(get("/2013-04-01/hostedzone/" + ZONE_ID)
                .willReturn(xml(getZone(zone(ZONE_ID, "example.com.", false, 2), "ns-1.awsdns-01.org"))));
        wm.stubFor(get(urlPathEqualTo(RRSET)).atPriority(10).willReturn(xml(recordPage(null, null))));
        wm.stubFor(post(CHANGE).willReturn(xml(changeResponse("C1", "PENDING"))));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void remove_withTheOption_deletesExactlyTheRecordSetsDomainkeeperCreated() {
        JsonNode domain = addAndApply("{\"domain\":\"example.com\"}");
        Map<String, List<String>> zone = zoneHolding(domain.get("dns_records"));
        stubZone(zone);

        JsonNode removed = removeWithRecords(domain.get("id").asText());

        List<Change> back = Route53ChangeBatch.parse(submitted(2).get(1));
        List<Change> expected = new ArrayList<>();
        for (JsonNode r : domain.get("dns_records")) {
            expected.add(new Change(
                    "DELETE",
                    r.get("name").asText() + ".",
                    RecordType.valueOf(r.get("type").asText()),
                    r.get("ttl").asLong(),
                    List.of(wire(r))));
        }
        assertThat(back)
                .as("each record set deleted exactly as the zone holds it")
                .containsExactlyInAnyOrderElementsOf(expected);
        assertThat(texts(removed.get("notes")))
                .hasSize(7)
                .allSatisfy(n -> assertThat(n).contains("was removed"));
        assertThat(server.http("GET", "/domains/" + domain.get("id").asText(), KEY, null)
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    void remove_withTheOption_leavesARecordSomeoneChangedSince_andSaysWhy() {
        JsonNode domain = addAndApply("{\"domain\":\"example.com\"}");
        Map<String, List<String>> zone = zoneHolding(domain.get("dns_records"));
        zone.put("_dmarc.example.com TXT", List.of("\"v=DMARC1; p=reject; rua=mailto:d@example.com\""));
        stubZone(zone);

        JsonNode removed = removeWithRecords(domain.get("id").asText());

        List<Change> back = Route53ChangeBatch.parse(submitted(2).get(1));
        assertThat(back).hasSize(6).allMatch(c -> c.action().equals("DELETE"));
        assertThat(back).noneMatch(c -> c.name().equals("_dmarc.example.com."));
        assertThat(texts(removed.get("notes")))
                .filteredOn(n -> n.contains("_dmarc.example.com"))
                .singleElement()
                .asString()
                .contains("changed since Domainkeeper published it")
                .contains("p=reject")
                .contains("left as it is");
    }

    @Test
    void remove_withTheOption_mergedThirdPartySpf_keepsTheThirdPartyAndOtherTxtValues() {
        wm.stubFor(get(urlPathEqualTo(RRSET))
                .atPriority(1)
                .withQueryParam("name", equalTo("example.com."))
                .willReturn(xml(recordPage(
                        null,
                        null,
                        recordSet(
                                "example.com.",
                                "TXT",
                                3600,
                                "\"google-site-verification=abc123\"",
                                "\"v=spf1 include:_spf.google.com ~all\"")))));
        JsonNode domain = addAndApply("{\"domain\":\"example.com\",\"spf_mode\":\"MERGE\"}");
        Map<String, List<String>> zone = zoneHolding(domain.get("dns_records"));
        zone.put(
                "example.com TXT",
                List.of(
                        "\"google-site-verification=abc123\"",
                        "\"v=spf1 include:_spf.google.com include:amazonses.com ~all\""));
        stubZone(zone);

        JsonNode removed = removeWithRecords(domain.get("id").asText());

        List<Change> back = Route53ChangeBatch.parse(submitted(2).get(1));
        assertThat(back)
                .filteredOn(c -> c.name().equals("example.com.") && c.type() == RecordType.TXT)
                .containsExactly(new Change(
                        "UPSERT",
                        "example.com.",
                        RecordType.TXT,
                        3600,
                        List.of("\"google-site-verification=abc123\"", "\"v=spf1 include:_spf.google.com ~all\"")));
        assertThat(texts(removed.get("notes")))
                .anySatisfy(n -> assertThat(n)
                        .contains("include:amazonses.com was taken out")
                        .contains("v=spf1 include:_spf.google.com ~all"));
    }

    @Test
    void remove_withoutTheOption_writesNothingToRoute53() {
        JsonNode domain = addAndApply("{\"domain\":\"example.com\"}");
        stubZone(zoneHolding(domain.get("dns_records")));

        HttpResponse<String> r =
                server.http("DELETE", "/domains/" + domain.get("id").asText(), KEY, null);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        submitted(1);
        assertThat(Json.parse(r.body()).get("notes")).isEmpty();
    }

    @Test
    void remove_withTheOption_afterTheZoneGrantWasRevoked_writesAndReadsNothing_andSaysSo() {
        JsonNode domain = addAndApply("{\"domain\":\"example.com\"}");
        stubZone(zoneHolding(domain.get("dns_records")));
        new AccountService(new AccountStore(server.server().database().jdbi()), Clock.systemUTC())
                .revokeZones("default", true, List.of());
        int readsBefore = wm.findAll(getRequestedFor(urlPathEqualTo(RRSET))).size();

        JsonNode removed = removeWithRecords(domain.get("id").asText());

        submitted(1);
        assertThat(wm.findAll(getRequestedFor(urlPathEqualTo(RRSET)))).hasSize(readsBefore);
        assertThat(texts(removed.get("notes")))
                .singleElement()
                .asString()
                .contains("ZEXAMPLE")
                .contains("no longer granted")
                .contains("_dmarc.example.com");
        assertThat(server.http("GET", "/domains/" + domain.get("id").asText(), KEY, null)
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    void remove_withTheOption_ofADomainNeverApplied_saysThereWasNothingToTakeBack() {
        HttpResponse<String> added = server.http("POST", "/domains", KEY, "{\"domain\":\"example.com\"}");
        String id = Json.parse(added.body()).get("domain").get("id").asText();

        JsonNode removed = removeWithRecords(id);

        assertThat(wm.findAll(postRequestedFor(urlPathEqualTo(CHANGE)))).isEmpty();
        assertThat(texts(removed.get("notes"))).singleElement().asString().contains("none to take back");
    }

    // ---- helpers ----

    private JsonNode addAndApply(String body) {
        HttpResponse<String> added = server.http("POST", "/domains", KEY, body);
        assertThat(added.statusCode()).as(added.body()).isEqualTo(200);
        JsonNode domain = Json.parse(added.body()).get("domain");
        HttpResponse<String> applied =
                server.http("POST", "/domains/" + domain.get("id").asText() + "/apply-records", KEY, "{}");
        assertThat(applied.statusCode()).as(applied.body()).isEqualTo(200);
        return domain;
    }

    private JsonNode removeWithRecords(String id) {
        HttpResponse<String> r = server.http("DELETE", "/domains/" + id + "?remove_published_records=true", KEY, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.parse(r.body());
    }

    /** Returns the zone holding exactly the planned records, keyed "name TYPE", values in wire form. */
    private static Map<String, List<String>> zoneHolding(JsonNode records) {
        Map<String, List<String>> zone = new LinkedHashMap<>();
        for (JsonNode r : records) {
            zone.computeIfAbsent(r.get("name").asText() + " " + r.get("type").asText(), k -> new ArrayList<>())
                    .add(wire(r));
        }
        return zone;
    }

    /** Makes ListResourceRecordSets answer with {@code zone}'s record sets, each at its name. */
    private static void stubZone(Map<String, List<String>> zone) {
        Map<String, List<String>> byName = new LinkedHashMap<>();
        zone.forEach((key, values) -> {
            String name = key.substring(0, key.indexOf(' '));
            String type = key.substring(key.indexOf(' ') + 1);
            long ttl = type.equals("CNAME") ? 1800 : name.equals("example.com") && values.size() > 1 ? 3600 : 300;
            byName.computeIfAbsent(name, n -> new ArrayList<>())
                    .add(recordSet(name + ".", type, ttl, values.toArray(String[]::new)));
        });
        byName.forEach((name, sets) -> wm.stubFor(get(urlPathEqualTo(RRSET))
                .atPriority(1)
                .withQueryParam("name", equalTo(name + "."))
                .willReturn(xml(recordPage(null, null, sets.toArray(String[]::new))))));
    }

    private static String wire(JsonNode r) {
        String value = r.get("value").asText();
        return switch (r.get("type").asText()) {
            case "MX" -> r.get("priority").asInt() + " " + value + ".";
            case "TXT" -> "\"" + value + "\"";
            default -> value + ".";
        };
    }

    /** Asserts that exactly {@code count} change batches were submitted; returns their bodies in order. */
    private static List<String> submitted(int count) {
        List<LoggedRequest> posts = wm.findAll(postRequestedFor(urlPathEqualTo(CHANGE)));
        assertThat(posts).hasSize(count);
        return posts.stream().map(LoggedRequest::getBodyAsString).toList();
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
