package dev.domainkeeper.api;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.domainkeeper.testing.Route53Stubs.error;
import static dev.domainkeeper.testing.Route53Stubs.getZone;
import static dev.domainkeeper.testing.Route53Stubs.recordPage;
import static dev.domainkeeper.testing.Route53Stubs.xml;
import static dev.domainkeeper.testing.Route53Stubs.zone;
import static dev.domainkeeper.testing.Route53Stubs.zoneList;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.domainkeeper.testing.AwsTestCredentials;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.Route53Stubs;
import dev.domainkeeper.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Attacks the operator's AWS account details through the API: SES and Route 53 (WireMock, their
 * real wire formats) answer AccessDenied with a message naming the operator's IAM user and AWS
 * account id, on every path a tenant can reach (AddDomain, CheckDNSProvider, ApplyDomainRecords with
 * its per-record fallback, a NORMAL test send through the worker, a simulator send). The tenant's
 * answer, the stored apply state and the stored submission carry neither; the log has the full text
 * under the reference the tenant was given.
 */
class AwsErrorRedactionTest {
    private static final String KEY = TestServer.BOOTSTRAP_KEY;
    private static final String ACCOUNT_ID = "123456789012";
    private static final String ARN = "arn:aws:iam::" + ACCOUNT_ID + ":user/dk";
    private static final String DENIED = "User: " + ARN + " is not authorized to perform: %s on resource: arn:aws:"
            + "%s:eu-west-1:" + ACCOUNT_ID + ":identity/example.com because no identity-based policy allows it";
    private static final Pattern REFERENCE = Pattern.compile("awserr_[0-9a-z]{10}");
    private static final String ZONE_ID = "ZEXAMPLE";
    private static final String CHANGE = "/2013-04-01/hostedzone/" + ZONE_ID + "/rrset/";
    private static final String SEND = "/v2/email/outbound-emails";

    @RegisterExtension
    static final WireMockExtension wm = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"))
            .build();

    @TempDir
    Path dir;

    TestServer server;
    final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeEach
    void start() {
        logs.start();
        root().addAppender(logs);
        server = TestServer.start(
                dir,
                Map.of(
                        "DOMAINKEEPER_SES_BACKEND", "aws",
                        "DOMAINKEEPER_SES_ENDPOINT", wm.baseUrl(),
                        "DOMAINKEEPER_ROUTE53_ENDPOINT", wm.baseUrl(),
                        "AWS_REGION", "eu-west-1",
                        "DOMAINKEEPER_BACKGROUND_WORKERS", "false"),
                a -> a.withAwsCredentials(AwsTestCredentials.PROVIDER));
        server.grantZones("default");
        wm.stubFor(post("/v2/email/identities").willReturn(okJson("""
                {"IdentityType":"DOMAIN","VerifiedForSendingStatus":false,
                 "DkimAttributes":{"SigningEnabled":true,"Status":"PENDING","Tokens":["t1","t2","t3"],
                   "SigningHostedZone":"dkim.amazonses.com"}}""")));
        wm.stubFor(put(urlPathMatching("/v2/email/identities/[^/]+/mail-from")).willReturn(okJson("{}")));
    }

    @AfterEach
    void stop() {
        server.close();
        root().detachAppender(logs);
    }

    @Test
    void addDomain_sesAccessDenied_answersWithoutTheArnOrAccountId_andLogsThemUnderTheReference() {
        wm.stubFor(post("/v2/email/identities")
                .atPriority(1)
                .withRequestBody(containing("denied.example.com"))
                .willReturn(sesAccessDenied("ses:CreateEmailIdentity")));

        HttpResponse<String> r = server.http("POST", "/domains", KEY, "{\"domain\":\"denied.example.com\"}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        String message = Json.parse(r.body()).get("message").asText();
        assertThat(message).contains("not authorized").contains("ask the operator");
        assertTenantSafe(r.body());
        assertLogged(reference(message));
    }

    @Test
    void checkDnsProvider_route53AccessDenied_notesCarryNoArnOrAccountId() {
        String id = add("example.com");
        wm.stubFor(get(urlPathEqualTo(Route53Stubs.BY_NAME))
                .willReturn(error(403, "AccessDenied", DENIED.formatted("route53:ListHostedZonesByName", "route53"))));

        HttpResponse<String> r = server.http("GET", "/domains/" + id + "/dns-provider", KEY, null);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        String note = Json.parse(r.body()).get("notes").get(0).asText();
        assertThat(note).contains("not authorized");
        assertTenantSafe(r.body());
        assertLogged(reference(note));
    }

    @Test
    void applyRecords_route53AccessDenied_answerAndStoredApplyStateCarryNoArnOrAccountId() {
        String id = add("example.com");
        stubExampleZone();
        wm.stubFor(post(CHANGE).willReturn(error(403, "AccessDenied", DENIED.formatted("route53:Change", "route53"))));

        HttpResponse<String> r = server.http("POST", "/domains/" + id + "/apply-records", KEY, "{}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(Json.parse(r.body()).get("grpc-code").asText()).isEqualTo("FAILED_PRECONDITION");
        assertTenantSafe(r.body());
        assertLogged(reference(Json.parse(r.body()).get("message").asText()));
    }

    @Test
    void applyRecords_batchRefusedThenAccessDeniedPerRecord_failedReasonsAndStoredStateCarryNoArnOrAccountId() {
        String id = add("example.com");
        stubExampleZone();
        wm.stubFor(post(CHANGE)
                .inScenario("refused")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(error(
                        400, "InvalidChangeBatch", "[Tried to change a record in " + ARN + " of " + ACCOUNT_ID + "]"))
                .willSetStateTo("denied"));
        wm.stubFor(post(CHANGE)
                .inScenario("refused")
                .whenScenarioStateIs("denied")
                .willReturn(error(403, "AccessDenied", DENIED.formatted("route53:Change", "route53"))));

        HttpResponse<String> r = server.http("POST", "/domains/" + id + "/apply-records", KEY, "{}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = Json.parse(r.body());
        assertThat(body.get("failed_records")).isNotEmpty();
        String reason = body.get("failed_records").get(0).get("reason").asText();
        assertThat(reason).contains("not authorized");
        assertTenantSafe(r.body());
        assertTenantSafe(server.http("GET", "/domains/" + id, KEY, null).body());
        String stored = server.server()
                .database()
                .jdbi()
                .withHandle(h -> h.createQuery("SELECT apply_error || ' ' || apply_failed FROM domains")
                        .mapTo(String.class)
                        .one());
        assertTenantSafe(stored);
        assertLogged(reference(reason));
    }

    @Test
    void normalTestSend_sesAccessDenied_storedSubmissionErrorCarriesNoArnOrAccountId() {
        String id = verified("send.example.com");
        wm.stubFor(post(SEND).willReturn(sesAccessDenied("ses:SendEmail")));
        HttpResponse<String> queued = server.http(
                "POST",
                "/domains/test-email",
                KEY,
                "{\"id\":\"" + id + "\",\"test_type\":\"NORMAL\",\"to_email\":\"r@example.org\"}");
        assertThat(queued.statusCode()).as(queued.body()).isEqualTo(200);
        String submissionId = Json.parse(queued.body()).get("submission_id").asText();

        server.server().submissionWorker().runOnce();

        HttpResponse<String> got = server.http("GET", "/submissions/" + submissionId, KEY, null);
        JsonNode submission = Json.parse(got.body()).get("submission");
        assertThat(submission.get("status").asText()).isEqualTo("FAILED");
        String error = submission.get("error").asText();
        assertThat(error).contains("not authorized");
        assertTenantSafe(got.body());
        assertTenantSafe(server.server()
                .database()
                .jdbi()
                .withHandle(h -> h.createQuery("SELECT error FROM submissions")
                        .mapTo(String.class)
                        .one()));
        assertLogged(reference(error));
    }

    @Test
    void simulatorTestSend_sesAccessDenied_answersWithoutTheArnOrAccountId() {
        String id = verified("sim.example.com");
        wm.stubFor(post(SEND).willReturn(sesAccessDenied("ses:SendEmail")));

        HttpResponse<String> r = server.http("POST", "/domains/test-email", KEY, "{\"id\":\"" + id + "\"}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        String message = Json.parse(r.body()).get("message").asText();
        assertThat(message).contains("not authorized");
        assertTenantSafe(r.body());
        assertLogged(reference(message));
    }

    private static ResponseDefinitionBuilder sesAccessDenied(String action) {
        return aResponse()
                .withStatus(403)
                .withHeader("x-amzn-ErrorType", "AccessDeniedException")
                .withHeader("Content-Type", "application/json")
                .withBody("{\"message\":\"" + DENIED.formatted(action, "ses") + "\"}");
    }

    private static void stubExampleZone() {
        wm.stubFor(get(urlPathEqualTo(Route53Stubs.BY_NAME))
                .willReturn(xml(zoneList(zone(ZONE_ID, "example.com.", false, 2)))));
        wm.stubFor(get("/2013-04-01/hostedzone/" + ZONE_ID)
                .willReturn(xml(getZone(zone(ZONE_ID, "example.com.", false, 2), "ns-1.awsdns-01.org"))));
        wm.stubFor(get(urlPathEqualTo("/2013-04-01/hostedzone/" + ZONE_ID + "/rrset"))
                .willReturn(xml(recordPage(null, null))));
    }

    private String add(String name) {
        HttpResponse<String> r = server.http("POST", "/domains", KEY, "{\"domain\":\"" + name + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.parse(r.body()).get("domain").get("id").asText();
    }

    private String verified(String name) {
        String id = add(name);
        TestEmailTest.setStatuses(server, id, "SUCCESS", "SUCCESS");
        return id;
    }

    private static void assertTenantSafe(String text) {
        assertThat(text).doesNotContain("arn:aws").doesNotContain(ACCOUNT_ID).doesNotContain("user/dk");
    }

    private static String reference(String tenantText) {
        Matcher m = REFERENCE.matcher(tenantText);
        assertThat(m.find()).as("a reference in: " + tenantText).isTrue();
        return m.group();
    }

    /** Asserts that the operator's log has the full AWS text under {@code reference}. */
    private void assertLogged(String reference) {
        assertThat(logs.list)
                .extracting(ILoggingEvent::getFormattedMessage)
                .anySatisfy(line ->
                        assertThat(line).contains(reference).contains(ARN).contains(ACCOUNT_ID));
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }
}
