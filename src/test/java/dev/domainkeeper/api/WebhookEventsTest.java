package dev.domainkeeper.api;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.domainkeeper.testing.Route53Stubs.changeResponse;
import static dev.domainkeeper.testing.Route53Stubs.error;
import static dev.domainkeeper.testing.Route53Stubs.getChange;
import static dev.domainkeeper.testing.Route53Stubs.getZone;
import static dev.domainkeeper.testing.Route53Stubs.recordPage;
import static dev.domainkeeper.testing.Route53Stubs.xml;
import static dev.domainkeeper.testing.Route53Stubs.zone;
import static dev.domainkeeper.testing.Route53Stubs.zoneList;
import static dev.domainkeeper.testing.Route53Stubs.zonesByName;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.domainkeeper.testing.AwsTestCredentials;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.LoopbackDnsServer;
import dev.domainkeeper.testing.MutableClock;
import dev.domainkeeper.testing.TestServer;
import dev.domainkeeper.testing.WebhookReceiver;
import dev.domainkeeper.testing.WebhookTesting;
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
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Follows a domain through its life with a webhook receiver on loopback: every event arrives, in
 * order, signed (checked by the independent Standard Webhooks library), in the documented envelope
 * with the resource as the API returns it.
 */
class WebhookEventsTest {
    @RegisterExtension
    static final WireMockExtension route53 = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"))
            .build();

    private static final String KEY = TestServer.BOOTSTRAP_KEY;

    @TempDir
    Path dir;

    LoopbackDnsServer dns;
    MutableClock clock;
    TestServer server;
    WebhookReceiver receiver;

    @BeforeEach
    void start() {
        dns = LoopbackDnsServer.start();
        receiver = WebhookReceiver.start();
        clock = new MutableClock(Instant.now());
        Map<String, String> env = WebhookTesting.env();
        env.put("DOMAINKEEPER_ROUTE53_ENDPOINT", route53.baseUrl());
        env.put("DOMAINKEEPER_DNS_RESOLVERS", dns.hostAndPort());
        env.put("DOMAINKEEPER_DNS_TIMEOUT_MS", "1000");
        server = TestServer.start(dir, env, a -> a.withClock(clock).withAwsCredentials(AwsTestCredentials.PROVIDER));
        server.grantZones("default", "ZLIFE");
        String zoneXml = zone("ZLIFE", "life.example.com.", false, 2);
        route53.stubFor(zonesByName("life.example.com").willReturn(xml(zoneList(zoneXml))));
        route53.stubFor(get("/2013-04-01/hostedzone/ZLIFE").willReturn(xml(getZone(zoneXml, "ns-1.awsdns-01.org"))));
        route53.stubFor(
                get(urlPathEqualTo("/2013-04-01/hostedzone/ZLIFE/rrset")).willReturn(xml(recordPage(null, null))));
        route53.stubFor(post("/2013-04-01/hostedzone/ZLIFE/rrset/").willReturn(xml(changeResponse("C1", "PENDING"))));
        route53.stubFor(get("/2013-04-01/change/C1").willReturn(xml(getChange("C1", "INSYNC"))));
    }

    @AfterEach
    void stop() {
        server.close();
        receiver.close();
        dns.close();
    }

    private JsonNode call(String method, String path, String body) {
        HttpResponse<String> r = server.http(method, path, KEY, body);
        assertThat(r.statusCode()).as("%s %s: %s", method, path, r.body()).isEqualTo(200);
        return Json.parse(r.body());
    }

    private String addDomain() {
        return call("POST", "/domains", "{\"domain\":\"life.example.com\"}")
                .get("domain")
                .get("id")
                .asText();
    }

    private void publishDkim(String id) {
        for (JsonNode r : call("GET", "/domains/" + id, null).get("domain").get("dns_records")) {
            if (r.get("purpose").asText().equals("DKIM")) {
                dns.addCname(r.get("name").asText(), r.get("value").asText());
            }
        }
    }

    @Test
    void receiverGetsEveryEventOfADomainsLife_inOrder_signedAndAsTheApiRendersTheResource() {
        WebhookTesting.Created hook = WebhookTesting.create(server, KEY, receiver.url("/hooks"));
        assertThat(hook.secret()).startsWith("whsec_");
        assertThat(hook.webhook().get("event_types").get(0).asText()).isEqualTo("*");

        String id = addDomain();
        call("PATCH", "/domains/" + id, "{\"dmarc_policy\":\"REJECT\"}");
        assertThat(call("POST", "/domains/" + id + "/apply-records", "{}")
                        .get("dns_apply_state")
                        .get("status")
                        .asText())
                .isEqualTo("APPLYING");
        server.server().applyTracker().runOnce();
        publishDkim(id);
        clock.advance(Duration.ofSeconds(6));
        JsonNode verified = call("GET", "/domains/" + id, null).get("domain");
        assertThat(verified.get("can_send").asBoolean()).isTrue();
        String submission = call(
                        "POST",
                        "/domains/test-email",
                        "{\"id\":\"" + id + "\",\"test_type\":\"NORMAL\",\"to_email\":\"someone@example.org\"}")
                .get("submission_id")
                .asText();
        server.server().submissionWorker().runOnce();
        JsonNode beforeRemoval = call("GET", "/domains/" + id, null).get("domain");
        call("DELETE", "/domains/" + id, null);

        WebhookTesting.deliver(server, receiver, 6);

        List<WebhookReceiver.Received> got = receiver.received();
        assertThat(WebhookTesting.types(got))
                .containsExactly(
                        "domain.created",
                        "domain.updated",
                        "dns_apply.completed",
                        "domain.verified",
                        "submission.sent",
                        "domain.deleted");
        List<String> ids = new ArrayList<>();
        for (WebhookReceiver.Received r : got) {
            WebhookTesting.verify(hook.secret(), r);
            JsonNode event = Json.parse(r.body());
            assertThat(event.fieldNames()).toIterable().containsExactly("id", "type", "timestamp", "data");
            assertThat(r.header("webhook-id"))
                    .isEqualTo(event.get("id").asText())
                    .startsWith("evt_");
            assertThat(r.header("content-type")).startsWith("application/json");
            assertThat(Instant.parse(event.get("timestamp").asText())).isNotNull();
            ids.add(event.get("id").asText());
            JsonNode data = event.get("data");
            if (event.get("type").asText().startsWith("submission.")) {
                assertThat(data.get("submission").get("id").asText()).isEqualTo(submission);
                assertThat(data.get("submission").get("domain_id").asText()).isEqualTo(id);
            } else {
                assertThat(data.get("domain").get("id").asText()).isEqualTo(id);
                // The resource as GetDomain renders it: the same fields (all of them, defaults included).
                assertThat(data.get("domain").fieldNames())
                        .toIterable()
                        .containsExactlyInAnyOrderElementsOf(() -> beforeRemoval.fieldNames());
            }
        }
        assertThat(ids).doesNotHaveDuplicates();
        JsonNode created = Json.parse(got.get(0).body()).get("data").get("domain");
        assertThat(created.get("verification_status").asText()).isEqualTo("PENDING");
        assertThat(Json.parse(got.get(1).body())
                        .get("data")
                        .get("domain")
                        .get("dmarc_policy")
                        .asText())
                .isEqualTo("REJECT");
        assertThat(Json.parse(got.get(2).body())
                        .get("data")
                        .get("domain")
                        .get("dns_apply_state")
                        .get("status")
                        .asText())
                .isEqualTo("APPLIED");
        assertThat(Json.parse(got.get(3).body())
                        .get("data")
                        .get("domain")
                        .get("can_send")
                        .asBoolean())
                .isTrue();
        JsonNode sent = Json.parse(got.get(4).body()).get("data").get("submission");
        assertThat(sent.get("status").asText()).isEqualTo("SENT");
        assertThat(sent.get("message_id").asText()).isNotEmpty();
        assertThat(sent.get("attempts").asInt()).isEqualTo(1);
        assertThat(Json.parse(got.get(5).body()).get("data").get("domain")).isEqualTo(beforeRemoval);

        JsonNode log = call("GET", "/webhooks/" + hook.id() + "/deliveries?page_size=10", null);
        assertThat(log.get("attempts")).hasSize(6);
        for (JsonNode a : log.get("attempts")) {
            assertThat(a.get("http_status").asInt()).isEqualTo(200);
            assertThat(a.get("error").asText()).isEmpty();
            assertThat(a.get("attempt").asInt()).isEqualTo(1);
        }
        assertThat(log.get("attempts").get(0).get("event_type").asText()).isEqualTo("domain.deleted");
    }

    @Test
    void failureEvents_areDelivered_andAnEndpointGetsOnlyTheTypesItAskedFor() {
        WebhookTesting.Created hook = WebhookTesting.create(
                server,
                KEY,
                receiver.url("/failures"),
                "dns_apply.failed",
                "submission.failed",
                "domain.verification_failed");
        route53.stubFor(post("/2013-04-01/hostedzone/ZLIFE/rrset/")
                .willReturn(error(400, "InvalidChangeBatch", "RRSet of type CNAME with DNS name x is not permitted")));
        String id = addDomain();
        assertThat(call("POST", "/domains/" + id + "/apply-records", "{}")
                        .get("dns_apply_state")
                        .get("status")
                        .asText())
                .isEqualTo("APPLY_FAILED");
        for (JsonNode r : call("GET", "/domains/" + id, null).get("domain").get("dns_records")) {
            if (r.get("purpose").asText().equals("DKIM")) {
                dns.addCname(r.get("name").asText(), "wrong.dkim.amazonses.com");
            }
        }
        clock.advance(Duration.ofHours(73));
        assertThat(call("GET", "/domains/" + id, null)
                        .get("domain")
                        .get("dkim_status")
                        .asText())
                .isEqualTo("FAILED");

        WebhookTesting.deliver(server, receiver, 2);

        assertThat(WebhookTesting.types(receiver.received()))
                .containsExactly("dns_apply.failed", "domain.verification_failed");
        JsonNode failedApply =
                Json.parse(receiver.received().get(0).body()).get("data").get("domain");
        assertThat(failedApply.get("dns_apply_state").get("records_failed")).isNotEmpty();
        assertThat(hook.id()).startsWith("whk_");
    }

    @Test
    void submissionThatCannotBeSent_emitsSubmissionFailed() {
        WebhookTesting.Created hook = WebhookTesting.create(server, KEY, receiver.url("/s"), "submission.failed");
        String id = addDomain();
        publishDkim(id);
        clock.advance(Duration.ofSeconds(6));
        String submission = call(
                        "POST",
                        "/domains/test-email",
                        "{\"id\":\"" + id + "\",\"test_type\":\"NORMAL\",\"to_email\":\"someone@example.org\"}")
                .get("submission_id")
                .asText();
        call("DELETE", "/domains/" + id, null);
        server.server().submissionWorker().runOnce();

        WebhookTesting.deliver(server, receiver, 1);

        WebhookReceiver.Received r = receiver.received().get(0);
        WebhookTesting.verify(hook.secret(), r);
        JsonNode s = Json.parse(r.body()).get("data").get("submission");
        assertThat(Json.parse(r.body()).get("type").asText()).isEqualTo("submission.failed");
        assertThat(s.get("id").asText()).isEqualTo(submission);
        assertThat(s.get("status").asText()).isEqualTo("FAILED");
        assertThat(s.get("error").asText()).contains("was removed");
    }

    @Test
    void rotatedSecret_bothSecretsSignDuringTheGracePeriod_andTestEventsReachOnlyTheirEndpoint() {
        WebhookTesting.Created hook = WebhookTesting.create(server, KEY, receiver.url("/rotate"), "domain.created");
        WebhookTesting.Created other = WebhookTesting.create(server, KEY, receiver.url("/other"), "domain.created");
        JsonNode rotated = call("POST", "/webhooks/" + hook.id() + "/rotate-secret", "{}");
        String newSecret = rotated.get("signing_secret").asText();
        assertThat(newSecret).startsWith("whsec_").isNotEqualTo(hook.secret());
        assertThat(Instant.parse(
                        rotated.get("webhook").get("previous_secret_expires_at").asText()))
                .isAfter(clock.instant().plus(Duration.ofHours(23)));
        assertThat(call("GET", "/webhooks/" + hook.id(), null).toString())
                .as("the secret is never shown again")
                .doesNotContain(newSecret.substring(6))
                .doesNotContain(hook.secret().substring(6));

        String eventId = call("POST", "/webhooks/" + hook.id() + "/test", "{}")
                .get("event_id")
                .asText();
        WebhookTesting.deliver(server, receiver, 1);

        WebhookReceiver.Received r = receiver.received().get(0);
        assertThat(r.header("webhook-id")).isEqualTo(eventId);
        assertThat(Json.parse(r.body()).get("type").asText()).isEqualTo("webhook.test");
        assertThat(r.header("webhook-signature").split(" ")).hasSize(2);
        WebhookTesting.verify(newSecret, r);
        WebhookTesting.verify(hook.secret(), r);
        assertThat(call("GET", "/webhooks/" + other.id() + "/deliveries", null).get("attempts"))
                .isEmpty();
    }

    @Test
    void withoutASecretsKey_creatingAWebhookIsRefused_namingTheSetting() {
        server.close();
        Map<String, String> env = WebhookTesting.env();
        env.remove("DOMAINKEEPER_SECRETS_KEY");
        server = TestServer.start(dir.resolve("nokey"), env, a -> a.withClock(clock));

        HttpResponse<String> r =
                server.http("POST", "/webhooks", KEY, "{\"url\":\"" + receiver.url("/x") + "\",\"event_types\":[]}");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(Json.parse(r.body()).get("grpc-code").asText()).isEqualTo("FAILED_PRECONDITION");
        assertThat(r.body()).contains("DOMAINKEEPER_SECRETS_KEY");
        assertThat(Json.parse(server.http("GET", "/webhooks", KEY, null).body()).get("webhooks"))
                .isEmpty();
    }
}
