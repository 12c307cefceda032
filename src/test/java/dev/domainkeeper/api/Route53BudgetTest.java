package dev.domainkeeper.api;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.domainkeeper.testing.Route53Stubs.BY_NAME;
import static dev.domainkeeper.testing.Route53Stubs.changeResponse;
import static dev.domainkeeper.testing.Route53Stubs.getZone;
import static dev.domainkeeper.testing.Route53Stubs.recordPage;
import static dev.domainkeeper.testing.Route53Stubs.xml;
import static dev.domainkeeper.testing.Route53Stubs.zone;
import static dev.domainkeeper.testing.Route53Stubs.zoneList;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.domainkeeper.accounts.AccountService;
import dev.domainkeeper.store.AccountStore;
import dev.domainkeeper.testing.AwsTestCredentials;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.LoopbackDnsServer;
import dev.domainkeeper.testing.MutableClock;
import dev.domainkeeper.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plays one account using up the shared Route 53 request budget through the API (Route 53 is WireMock
 * serving its REST-XML): its apply is refused with RESOURCE_EXHAUSTED and a retry hint before Route 53
 * is asked anything, and another account's apply goes through. The clock stands still.
 */
class Route53BudgetTest {
    @RegisterExtension
    static final WireMockExtension wm = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"))
            .build();

    private static final String ZONE_ID = "ZEXAMPLE";
    private static final String CHANGE = "/2013-04-01/hostedzone/" + ZONE_ID + "/rrset/";

    @TempDir
    Path dir;

    final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
    LoopbackDnsServer dns;
    TestServer server;
    AccountService.NewKey alice;
    AccountService.NewKey bob;

    @BeforeEach
    void start() {
        dns = LoopbackDnsServer.start();
        // 1 Route 53 request a second in bursts of 20: one account alone holds 10, about one apply.
        server = TestServer.start(
                dir,
                Map.of(
                        "DOMAINKEEPER_ROUTE53_ENDPOINT", wm.baseUrl(),
                        "DOMAINKEEPER_ROUTE53_MAX_RPS", "1",
                        "DOMAINKEEPER_ROUTE53_BURST", "20",
                        "DOMAINKEEPER_DNS_RESOLVERS", dns.hostAndPort(),
                        "DOMAINKEEPER_DNS_TIMEOUT_MS", "1000",
                        "DOMAINKEEPER_BACKGROUND_WORKERS", "false"),
                a -> a.withAwsCredentials(AwsTestCredentials.PROVIDER).withClock(clock));
        AccountService accounts =
                new AccountService(new AccountStore(server.server().database().jdbi()), Clock.systemUTC());
        alice = accounts.createAccount("alice");
        bob = accounts.createAccount("bob");
        accounts.grantZones("alice", false, List.of(ZONE_ID));
        accounts.grantZones("bob", false, List.of(ZONE_ID));
        String zone = zone(ZONE_ID, "example.com.", false, 2);
        wm.stubFor(get(urlPathEqualTo(BY_NAME)).willReturn(xml(zoneList(zone))));
        wm.stubFor(get("/2013-04-01/hostedzone/" + ZONE_ID).willReturn(xml(getZone(zone, "ns-1.awsdns-01.org"))));
        wm.stubFor(get(urlPathEqualTo("/2013-04-01/hostedzone/" + ZONE_ID + "/rrset"))
                .willReturn(xml(recordPage(null, null))));
        wm.stubFor(post(CHANGE).willReturn(xml(changeResponse("C1", "PENDING"))));
    }

    @AfterEach
    void stop() {
        server.close();
        dns.close();
    }

    @Test
    void anAccountOverItsShare_isRefusedBeforeRoute53IsAsked_whileAnotherAccountsApplyGoesThrough() {
        String own = add(alice, "alice.example.com");
        String others = add(bob, "bob.example.com");
        ok(server.http("POST", "/domains/" + own + "/apply-records", alice.key(), "{}"));
        int requestsBefore = wm.getAllServeEvents().size();
        Map<String, Object> before = row(own);

        HttpResponse<String> refused = server.http("POST", "/domains/" + own + "/apply-records", alice.key(), "{}");
        HttpResponse<String> check = server.http("GET", "/domains/" + own + "/dns-provider", alice.key(), null);

        for (HttpResponse<String> r : List.of(refused, check)) {
            assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
            assertThat(r.headers().firstValue("retry-after")).isPresent();
            assertThat(Json.parse(r.body()).get("message").asText())
                    .contains("Route 53 requests: this account is over its share of the Route 53 request budget"
                            + " (1 a second in bursts of up to 20");
        }
        assertThat(wm.getAllServeEvents()).as("Route 53 was asked nothing").hasSize(requestsBefore);
        assertThat(row(own)).as("the domain row is unchanged").isEqualTo(before);

        JsonNode applied = ok(server.http("POST", "/domains/" + others + "/apply-records", bob.key(), "{}"));
        assertThat(applied.get("dns_apply_state").get("status").asText()).isEqualTo("APPLYING");
        wm.verify(2, postRequestedFor(urlPathEqualTo(CHANGE)));

        clock.advance(Duration.ofMinutes(1));
        ok(server.http("POST", "/domains/" + own + "/apply-records", alice.key(), "{}"));
    }

    private String add(AccountService.NewKey account, String name) {
        return ok(server.http("POST", "/domains", account.key(), "{\"domain\":\"" + name + "\"}"))
                .get("domain")
                .get("id")
                .asText();
    }

    private Map<String, Object> row(String id) {
        return server.server()
                .database()
                .jdbi()
                .withHandle(h -> h.createQuery("SELECT * FROM domains WHERE id = :id")
                        .bind("id", id)
                        .mapToMap()
                        .one());
    }

    private static JsonNode ok(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Json.parse(response.body());
    }
}
