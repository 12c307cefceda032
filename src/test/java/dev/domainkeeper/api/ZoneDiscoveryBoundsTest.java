package dev.domainkeeper.api;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.domainkeeper.testing.Route53Stubs.BY_NAME;
import static dev.domainkeeper.testing.Route53Stubs.getZone;
import static dev.domainkeeper.testing.Route53Stubs.xml;
import static dev.domainkeeper.testing.Route53Stubs.zone;
import static dev.domainkeeper.testing.Route53Stubs.zoneList;
import static dev.domainkeeper.testing.Route53Stubs.zonesByName;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.domainkeeper.accounts.AccountService;
import dev.domainkeeper.store.AccountStore;
import dev.domainkeeper.testing.AwsTestCredentials;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.MutableClock;
import dev.domainkeeper.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plays CheckDNSProvider for a name of 120 labels against WireMock serving Route 53: the zone is
 * found with a small constant number of Route 53 calls, never above the registrable domain, and a
 * second check within the cache time costs none; the cache answers only the account that asked.
 */
class ZoneDiscoveryBoundsTest {
    @RegisterExtension
    static final WireMockExtension wm = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"))
            .build();

    /** 120 labels, 247 characters (so that mail.<name> still fits): "1.2.3. ... .7.8.example.com". */
    static final String LONG_NAME;

    static {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= 118; i++) {
            b.append(i % 10).append('.');
        }
        LONG_NAME = b.append("example.com").toString();
    }

    /** The zone that serves the long name: four of its labels under example.com. */
    static final String DEEP_ZONE = "5.6.7.8.example.com";

    @TempDir
    Path dir;

    final MutableClock clock = new MutableClock(Instant.now());
    TestServer server;

    @BeforeEach
    void start() {
        assertThat(LONG_NAME).hasSize(247).endsWith("." + DEEP_ZONE);
        server = TestServer.start(
                dir,
                Map.of(
                        "DOMAINKEEPER_ROUTE53_ENDPOINT",
                        wm.baseUrl(),
                        "DOMAINKEEPER_BACKGROUND_WORKERS",
                        "false",
                        "DOMAINKEEPER_ROUTE53_ZONE_CACHE_SECONDS",
                        "60"),
                a -> a.withClock(clock).withAwsCredentials(AwsTestCredentials.PROVIDER));
        // Route 53 answers a listing with the zones at or after the name, in reversed-label order:
        // for a name under example.com that has no zone of its own, the zones after it.
        wm.stubFor(get(urlPathEqualTo(BY_NAME))
                .atPriority(10)
                .willReturn(xml(zoneList(zone("ZNET", "example.net.", false, 3)))));
        wm.stubFor(zonesByName("example.com")
                .willReturn(xml(zoneList(
                        zone("ZEXAMPLE", "example.com.", false, 12),
                        zone("ZPRIVATE", DEEP_ZONE + ".", true, 2),
                        zone("ZDEEP", DEEP_ZONE + ".", false, 4),
                        zone("ZSIDE", "zzz.example.com.", false, 1),
                        zone("ZNET", "example.net.", false, 3)))));
        wm.stubFor(get("/2013-04-01/hostedzone/ZDEEP")
                .willReturn(xml(getZone(zone("ZDEEP", DEEP_ZONE + ".", false, 4), "ns-1.awsdns-01.org"))));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private String add(String key, String name) {
        HttpResponse<String> r = server.http("POST", "/domains", key, "{\"domain\":\"" + name + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.parse(r.body()).get("domain").get("id").asText();
    }

    private JsonNode check(String key, String id) {
        HttpResponse<String> r = server.http("GET", "/domains/" + id + "/dns-provider", key, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.parse(r.body());
    }

    private static int route53Calls() {
        return wm.findAll(anyRequestedFor(anyUrl())).size();
    }

    @Test
    void aNameOf120Labels_costsAtMostFourRoute53Calls_andASecondCheckWithinTheTtlNone() {
        server.grantZones("default", "ZDEEP");
        String id = add(TestServer.BOOTSTRAP_KEY, LONG_NAME);
        wm.resetRequests();

        JsonNode first = check(TestServer.BOOTSTRAP_KEY, id);

        assertThat(first.get("has_access").asBoolean()).as(first.toString()).isTrue();
        assertThat(first.get("route53").get("id").asText()).isEqualTo("ZDEEP");
        // The name and its parent one by one, then one listing from the registrable domain; one GetHostedZone.
        assertThat(wm.findAll(getRequestedFor(urlPathEqualTo(BY_NAME)))).hasSize(3);
        assertThat(route53Calls()).isEqualTo(4);
        wm.verify(0, getRequestedFor(urlPathEqualTo(BY_NAME)).withQueryParam("dnsname", equalTo("com")));

        wm.resetRequests();
        JsonNode second = check(TestServer.BOOTSTRAP_KEY, id);

        assertThat(second).isEqualTo(first);
        assertThat(route53Calls()).as("answered from the cache").isZero();

        clock.advance(Duration.ofSeconds(61));
        check(TestServer.BOOTSTRAP_KEY, id);
        assertThat(route53Calls()).as("the cache entry expired").isEqualTo(4);
    }

    @Test
    void theCachedZone_neverAnswersAnotherAccount_whoseGrantIsAskedAnew() {
        server.grantZones("default", "ZDEEP");
        String id = add(TestServer.BOOTSTRAP_KEY, LONG_NAME);
        assertThat(check(TestServer.BOOTSTRAP_KEY, id).get("has_access").asBoolean())
                .isTrue();
        assertThat(server.http("DELETE", "/domains/" + id, TestServer.BOOTSTRAP_KEY, null)
                        .statusCode())
                .isEqualTo(200);
        AccountService.NewKey other = new AccountService(
                        new AccountStore(server.server().database().jdbi()), Clock.systemUTC())
                .createAccount("other");
        String othersId = add(other.key(), LONG_NAME);
        wm.resetRequests();

        JsonNode refused = check(other.key(), othersId);

        assertThat(refused.get("has_access").asBoolean()).isFalse();
        assertThat(refused.get("notes").toString()).contains("grant-zones other ZDEEP");
        assertThat(route53Calls()).as("its own lookup, not the other account's").isEqualTo(4);
        wm.verify(0, anyRequestedFor(urlPathEqualTo("/2013-04-01/hostedzone/ZDEEP/rrset")));
    }
}
