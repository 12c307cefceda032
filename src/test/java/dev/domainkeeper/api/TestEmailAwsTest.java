package dev.domainkeeper.api;

import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.domainkeeper.testing.SesStubs.createIdentity;
import static dev.domainkeeper.testing.SesStubs.created;
import static dev.domainkeeper.testing.SesStubs.empty;
import static dev.domainkeeper.testing.SesStubs.error;
import static dev.domainkeeper.testing.SesStubs.putAnyMailFrom;
import static dev.domainkeeper.testing.SesStubs.sendEmail;
import static dev.domainkeeper.testing.SesStubs.sent;
import static dev.domainkeeper.testing.SesStubs.statusOnly;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.domainkeeper.accounts.AccountService;
import dev.domainkeeper.proto.common.v1.MessageClass;
import dev.domainkeeper.proto.domains.v1.SendTestEmailRequest;
import dev.domainkeeper.proto.domains.v1.SendTestEmailResponse;
import dev.domainkeeper.proto.domains.v1.TestEmailType;
import dev.domainkeeper.proto.submissions.v1.GetSubmissionRequest;
import dev.domainkeeper.proto.submissions.v1.Submission;
import dev.domainkeeper.store.AccountStore;
import dev.domainkeeper.testing.AwsTestCredentials;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.MutableClock;
import dev.domainkeeper.testing.Rpc;
import dev.domainkeeper.testing.SesStubs;
import dev.domainkeeper.testing.TestServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the service with {@code DOMAINKEEPER_SES_BACKEND=aws} against WireMock speaking the SES v2
 * wire format, and checks what reaches SES for test emails.
 */
class TestEmailAwsTest {
    private static final String SEND = SesStubs.SEND;

    @RegisterExtension
    static final WireMockExtension wm = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"))
            .build();

    @TempDir
    static Path dir;

    static MutableClock clock;
    static TestServer server;
    static AccountService accounts;
    String key;

    @BeforeAll
    static void start() {
        clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
        server = TestServer.start(
                dir,
                Map.of(
                        "DOMAINKEEPER_SES_BACKEND",
                        "aws",
                        "DOMAINKEEPER_SES_ENDPOINT",
                        wm.baseUrl(),
                        "AWS_REGION",
                        "eu-west-1",
                        "DOMAINKEEPER_BACKGROUND_WORKERS",
                        "false",
                        "DOMAINKEEPER_SES_CONFIGURATION_SET_TRANSACTIONAL",
                        "cs-transactional",
                        "DOMAINKEEPER_SES_CONFIGURATION_SET_MARKETING",
                        "cs-marketing",
                        "DOMAINKEEPER_TEST_EMAIL_BURST",
                        "1000"),
                a -> a.withClock(clock).withAwsCredentials(AwsTestCredentials.PROVIDER));
        accounts =
                new AccountService(new AccountStore(server.server().database().jdbi()), Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void setUp() {
        key = accounts.createAccount("acct-" + System.nanoTime()).key();
        wm.stubFor(createIdentity().willReturn(created("t1", "t2", "t3").response()));
        wm.stubFor(putAnyMailFrom().willReturn(empty()));
    }

    /** Adds a domain through SES (WireMock) and marks it verified in the database. */
    private String verifiedDomain(String name) {
        String id = TestEmailTest.addDomain(server, key, name).get("id").asText();
        TestEmailTest.setStatuses(server, id, "SUCCESS", "SUCCESS");
        return id;
    }

    private static SendTestEmailRequest.Builder request(String domainId) {
        return SendTestEmailRequest.newBuilder().setId(domainId);
    }

    private SendTestEmailResponse send(SendTestEmailRequest.Builder request) {
        return Rpc.domains(server, key).sendTestEmail(request.build());
    }

    private Submission submission(String id) {
        return Rpc.submissions(server, key)
                .getSubmission(GetSubmissionRequest.newBuilder().setId(id).build())
                .getSubmission();
    }

    private static void sesAnswers(String messageId) {
        wm.stubFor(sendEmail().willReturn(sent(messageId)));
    }

    @Test
    void sendTestEmail_simulator_sendsFromToTagsAndConfigurationSetToSes() {
        String name = TestEmailTest.unique("example.com");
        String id = verifiedDomain(name);
        sesAnswers("0100018c-sim-000000");

        SendTestEmailResponse r = send(request(id).setTestType(TestEmailType.SIMULATOR_COMPLAINT));

        assertThat(r.getMessageId()).isEqualTo("0100018c-sim-000000");
        String expected = """
                {"FromEmailAddress":"test@%s",
                 "Destination":{"ToAddresses":["complaint@simulator.amazonses.com"]},
                 "ConfigurationSetName":"cs-transactional",
                 "EmailTags":[{"Name":"message_class","Value":"transactional"},
                              {"Name":"test_email_type","Value":"simulator_complaint"}]}""".formatted(name);
        wm.verify(1, postRequestedFor(urlPathEqualTo(SEND)).withRequestBody(equalToJson(expected, true, true)));
        String body = wm.getAllServeEvents().stream()
                .filter(e -> e.getRequest().getUrl().equals(SEND))
                .findFirst()
                .orElseThrow()
                .getRequest()
                .getBodyAsString();
        JsonNode content = Json.parse(body).get("Content").get("Simple");
        assertThat(content.get("Subject").get("Data").asText()).contains(name).contains("transactional");
        assertThat(content.get("Body").get("Text").get("Data").asText())
                .contains(name)
                .contains("2030-01-01");
        assertThat(content.get("Body").get("Html").get("Data").asText()).contains("<strong>" + name + "</strong>");
    }

    @Test
    void sendTestEmail_normalMarketing_isSentByTheWorkerWithTheMarketingConfigurationSet() {
        String name = TestEmailTest.unique("example.com");
        String id = verifiedDomain(name);
        sesAnswers("0100018c-normal-000000");
        String submissionId = send(request(id)
                        .setTestType(TestEmailType.NORMAL)
                        .setToEmail("rcpt@example.org")
                        .setFromEmail("news@" + name)
                        .setMessageClass(MessageClass.MARKETING))
                .getSubmissionId();

        server.server().submissionWorker().runOnce();

        Submission sent = submission(submissionId);
        assertThat(sent.getStatus().name()).isEqualTo("SENT");
        assertThat(sent.getMessageId()).isEqualTo("0100018c-normal-000000");
        wm.verify(
                1,
                postRequestedFor(urlPathEqualTo(SEND)).withRequestBody(equalToJson("""
                {"FromEmailAddress":"news@%s",
                 "Destination":{"ToAddresses":["rcpt@example.org"]},
                 "ConfigurationSetName":"cs-marketing",
                 "EmailTags":[{"Name":"message_class","Value":"marketing"},
                              {"Name":"test_email_type","Value":"normal"}]}""".formatted(name), true, true)));
    }

    @Test
    void submission_ses5xxThenSuccess_isRetriedAndSent() {
        String id = verifiedDomain(TestEmailTest.unique("example.com"));
        wm.stubFor(sendEmail()
                .inScenario("flaky")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(statusOnly(503, "Service Unavailable")));
        wm.stubFor(sendEmail()
                .inScenario("flaky")
                .whenScenarioStateIs("recovered")
                .willReturn(sent("0100018c-retried-000000")));
        String submissionId = send(request(id).setTestType(TestEmailType.NORMAL).setToEmail("r@example.org"))
                .getSubmissionId();

        server.server().submissionWorker().runOnce();

        Submission waiting = submission(submissionId);
        assertThat(waiting.getStatus().name()).isEqualTo("QUEUED");
        assertThat(waiting.getError()).contains("status 503");
        wm.setScenarioState("flaky", "recovered");
        clock.advance(Duration.ofMinutes(1));
        server.server().submissionWorker().runOnce();

        Submission sent = submission(submissionId);
        assertThat(sent.getStatus().name()).isEqualTo("SENT");
        assertThat(sent.getMessageId()).isEqualTo("0100018c-retried-000000");
        assertThat(sent.getAttempts()).isEqualTo(2);
    }

    @Test
    void submission_messageRejected_isFailedWithTheReason() {
        String id = verifiedDomain(TestEmailTest.unique("example.com"));
        wm.stubFor(sendEmail().willReturn(error(400, "MessageRejected", "Email address is not verified.")));
        String submissionId = send(request(id).setTestType(TestEmailType.NORMAL).setToEmail("r@example.org"))
                .getSubmissionId();

        server.server().submissionWorker().runOnce();

        Submission failed = submission(submissionId);
        assertThat(failed.getStatus().name()).isEqualTo("FAILED");
        assertThat(failed.getAttempts()).isEqualTo(1);
        assertThat(failed.getError()).contains("MessageRejected").contains("Email address is not verified.");
        wm.verify(1, postRequestedFor(urlPathEqualTo(SEND)));
    }

    @Test
    void sendTestEmail_simulatorMailFromNotVerified_isFailedPrecondition() {
        String id = verifiedDomain(TestEmailTest.unique("example.com"));
        wm.stubFor(sendEmail().willReturn(error(400, "MailFromDomainNotVerifiedException", "MAIL FROM not verified")));

        StatusRuntimeException r = Rpc.failure(() -> send(request(id)));

        assertThat(r.getStatus().getCode()).as("%s", r).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(r.getStatus().getDescription()).contains("MailFromDomainNotVerifiedException");
    }
}
