package dev.domainkeeper.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Timestamp;
import dev.domainkeeper.accounts.AccountService;
import dev.domainkeeper.proto.common.v1.MessageClass;
import dev.domainkeeper.proto.domains.v1.DomainsServiceGrpc;
import dev.domainkeeper.proto.domains.v1.RemoveDomainRequest;
import dev.domainkeeper.proto.domains.v1.SendTestEmailRequest;
import dev.domainkeeper.proto.domains.v1.SendTestEmailResponse;
import dev.domainkeeper.proto.domains.v1.TestEmailType;
import dev.domainkeeper.proto.domains.v1.UpdateDomainRequest;
import dev.domainkeeper.proto.submissions.v1.GetSubmissionRequest;
import dev.domainkeeper.proto.submissions.v1.Submission;
import dev.domainkeeper.proto.submissions.v1.SubmissionStatus;
import dev.domainkeeper.proto.submissions.v1.SubmissionsServiceGrpc;
import dev.domainkeeper.store.AccountStore;
import dev.domainkeeper.store.SubmissionStore;
import dev.domainkeeper.testemail.SubmissionWorker;
import dev.domainkeeper.testing.FlakySes;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.LoopbackDnsServer;
import dev.domainkeeper.testing.MutableClock;
import dev.domainkeeper.testing.Rpc;
import dev.domainkeeper.testing.TestServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Sends test emails through the typed gRPC API on the sandbox backend (the set-up helpers that other
 * test classes share add domains over HTTP/JSON).
 */
class TestEmailTest {
    @TempDir
    static Path dir;

    static LoopbackDnsServer dns;
    static MutableClock clock;
    static TestServer server;
    static AccountService accounts;
    static final AtomicReference<FlakySes> flaky = new AtomicReference<>();
    String key;

    @BeforeAll
    static void start() {
        dns = LoopbackDnsServer.start();
        clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
        server = TestServer.start(
                dir,
                Map.of(
                        "DOMAINKEEPER_DNS_RESOLVERS",
                        dns.hostAndPort(),
                        "DOMAINKEEPER_BACKGROUND_WORKERS",
                        "false",
                        "DOMAINKEEPER_DNS_TIMEOUT_MS",
                        "1000",
                        "DOMAINKEEPER_TEST_EMAIL_BURST",
                        "1000"),
                a -> a.withClock(clock).withSesDecorator(ses -> {
                    flaky.set(new FlakySes(ses));
                    return flaky.get();
                }));
        accounts =
                new AccountService(new AccountStore(server.server().database().jdbi()), Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        server.close();
        dns.close();
    }

    @BeforeEach
    void newAccount() {
        key = accounts.createAccount("acct-" + System.nanoTime()).key();
        flaky.get().down.set(false);
    }

    // ---- helpers ----

    static String unique(String base) {
        return "t" + Long.toString(System.nanoTime(), 36) + "." + base;
    }

    static JsonNode addDomain(TestServer server, String key, String name) {
        HttpResponse<String> r = server.http("POST", "/domains", key, "{\"domain\":\"" + name + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.parse(r.body()).get("domain");
    }

    /** Sets the domain's SES statuses in the database (verification is not the point of these tests). */
    static void setStatuses(TestServer server, String id, String verification, String dkim) {
        server.server()
                .database()
                .jdbi()
                .useHandle(h -> h.createUpdate("UPDATE domains SET verification_status = :v, "
                                + "dkim_status = :d, mail_from_status = 'SUCCESS' WHERE id = :id")
                        .bind("v", verification)
                        .bind("d", dkim)
                        .bind("id", id)
                        .execute());
    }

    static String verifiedDomain(TestServer server, String key, String name) {
        String id = addDomain(server, key, name).get("id").asText();
        setStatuses(server, id, "SUCCESS", "SUCCESS");
        return id;
    }

    private DomainsServiceGrpc.DomainsServiceBlockingStub domains() {
        return Rpc.domains(server, key);
    }

    private static SendTestEmailRequest.Builder request(String domainId) {
        return SendTestEmailRequest.newBuilder().setId(domainId);
    }

    private SendTestEmailResponse send(SendTestEmailRequest.Builder request) {
        return domains().sendTestEmail(request.build());
    }

    /** Sends {@code request}, which must be refused with {@code code}; returns the status description. */
    private String refused(SendTestEmailRequest.Builder request, Status.Code code) {
        StatusRuntimeException e = Rpc.failure(() -> send(request));
        assertThat(e.getStatus().getCode()).as("%s", e).isEqualTo(code);
        return e.getStatus().getDescription();
    }

    private static GetSubmissionRequest getSubmission(String id) {
        return GetSubmissionRequest.newBuilder().setId(id).build();
    }

    /** Sends a NORMAL test email to a@example.org and returns its submission id. */
    private String queueNormal(String domainId) {
        return queueNormal(domainId, "a@example.org");
    }

    /** Sends a NORMAL test email to {@code to} and returns its submission id. */
    private String queueNormal(String domainId, String to) {
        return send(request(domainId).setTestType(TestEmailType.NORMAL).setToEmail(to))
                .getSubmissionId();
    }

    private Submission submission(String id) {
        return Rpc.submissions(server, key).getSubmission(getSubmission(id)).getSubmission();
    }

    private static String outboxOutcome(String messageId) {
        return server.server()
                .database()
                .jdbi()
                .withHandle(h -> h.createQuery("SELECT outcome FROM sandbox_outbox WHERE message_id = :id")
                        .bind("id", messageId)
                        .mapTo(String.class)
                        .one());
    }

    // ---- simulator types ----

    @ParameterizedTest
    @CsvSource({
        "SIMULATOR_SUCCESS, success@simulator.amazonses.com, DELIVERED",
        "SIMULATOR_BOUNCE, bounce@simulator.amazonses.com, BOUNCE",
        "SIMULATOR_COMPLAINT, complaint@simulator.amazonses.com, COMPLAINT",
        "SIMULATOR_OOTO, ooto@simulator.amazonses.com, OOTO",
        "SIMULATOR_SUPPRESSION_LIST, suppressionlist@simulator.amazonses.com, SUPPRESSED"
    })
    void sendTestEmail_simulatorType_sendsToItsSimulatorAddressAndNamesIt(String type, String address, String outcome) {
        String name = unique("example.com");
        String id = verifiedDomain(server, key, name);

        SendTestEmailResponse r =
                send(request(id).setTestType(TestEmailType.valueOf(type)).setToEmail("ignored@example.org"));

        assertThat(r.getMessageId()).matches("0100[0-9a-f]{12}-[0-9a-f-]{36}-000000");
        assertThat(r.hasSubmissionId()).as("no submission for a simulator send").isFalse();
        assertThat(r.getNote()).contains("SES mailbox simulator at " + address);
        assertThat(r.getToEmail()).isEqualTo(address);
        assertThat(r.getFromEmail()).isEqualTo("test@" + name);
        assertThat(outboxOutcome(r.getMessageId())).isEqualTo(outcome);
    }

    @Test
    void sendTestEmail_noType_isSimulatorSuccess_withTransactionalClass() {
        String id = verifiedDomain(server, key, unique("example.com"));

        SendTestEmailResponse r = send(request(id));

        assertThat(r.getToEmail()).isEqualTo("success@simulator.amazonses.com");
        String messageClass = server.server()
                .database()
                .jdbi()
                .withHandle(h -> h.createQuery("SELECT message_class FROM sandbox_outbox WHERE message_id = :id")
                        .bind("id", r.getMessageId())
                        .mapTo(String.class)
                        .one());
        assertThat(messageClass).isEqualTo("transactional");
    }

    @Test
    void sendTestEmail_overGrpc_returnsTheMessageId() {
        String id = verifiedDomain(server, key, unique("example.com"));
        var stub = server.grpc(DomainsServiceGrpc.DomainsServiceBlockingStub.class, key);

        SendTestEmailResponse r = stub.sendTestEmail(SendTestEmailRequest.newBuilder()
                .setId(id)
                .setTestType(TestEmailType.SIMULATOR_BOUNCE)
                .build());

        assertThat(r.getMessageId()).startsWith("0100");
        assertThat(r.getNote()).contains("bounce@simulator.amazonses.com");
    }

    // ---- who may send ----

    @Test
    void sendTestEmail_unverifiedDomain_isFailedPrecondition() {
        String id = addDomain(server, key, unique("example.com")).get("id").asText();

        String message = refused(request(id), Status.Code.FAILED_PRECONDITION);

        assertThat(message).contains("domain is not verified yet: verification_status PENDING, dkim_status PENDING");
    }

    @Test
    void sendTestEmail_dkimPending_isFailedPreconditionNamingDkim() {
        String id = addDomain(server, key, unique("example.com")).get("id").asText();
        setStatuses(server, id, "SUCCESS", "PENDING");
        var stub = server.grpc(DomainsServiceGrpc.DomainsServiceBlockingStub.class, key);

        assertThatThrownBy(() -> stub.sendTestEmail(
                        SendTestEmailRequest.newBuilder().setId(id).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                    assertThat(e.getStatus().getDescription())
                            .startsWith("domain is not verified yet: dkim_status PENDING (");
                });
    }

    @Test
    void sendTestEmail_sendDisabled_isFailedPrecondition() {
        String id = verifiedDomain(server, key, unique("example.com"));
        domains()
                .updateDomain(UpdateDomainRequest.newBuilder()
                        .setId(id)
                        .setSendEnabled(false)
                        .build());

        assertThat(refused(request(id), Status.Code.FAILED_PRECONDITION)).contains("send_enabled false");
    }

    @Test
    void sendTestEmail_senderOutsideTheDomain_isFailedPrecondition() {
        String name = unique("example.com");
        String id = verifiedDomain(server, key, name);

        String message = refused(request(id).setFromEmail("me@other.example.org"), Status.Code.FAILED_PRECONDITION);

        assertThat(message).contains("from_email: \"me@other.example.org\" is not at " + name);
    }

    @Test
    void sendTestEmail_senderAtASubdomain_findsTheDomainWithoutAnId() {
        String name = unique("example.com");
        verifiedDomain(server, key, name);

        SendTestEmailResponse r = send(SendTestEmailRequest.newBuilder()
                .setFromEmail("alerts@news." + name)
                .setTestType(TestEmailType.SIMULATOR_OOTO));

        assertThat(r.getFromEmail()).isEqualTo("alerts@news." + name);
        assertThat(r.getToEmail()).isEqualTo("ooto@simulator.amazonses.com");
    }

    @Test
    void sendTestEmail_anotherAccountsDomain_isNotFound() {
        String other = accounts.createAccount("other-" + System.nanoTime()).key();
        String name = unique("example.com");
        String id = verifiedDomain(server, other, name);

        assertThat(refused(request(id), Status.Code.NOT_FOUND)).contains("no domain");
        assertThat(refused(SendTestEmailRequest.newBuilder().setFromEmail("test@" + name), Status.Code.NOT_FOUND))
                .contains("no domain");
        assertThat(refused(request("dom_doesnotexist000000"), Status.Code.NOT_FOUND))
                .contains("no domain");
    }

    @Test
    void sendTestEmail_neitherIdNorSender_isInvalidArgument() {
        assertThat(refused(
                        SendTestEmailRequest.newBuilder().setTestType(TestEmailType.SIMULATOR_SUCCESS),
                        Status.Code.INVALID_ARGUMENT))
                .startsWith("id, from_email: both empty");
    }

    @Test
    void sendTestEmail_invalidSender_isInvalidArgument() {
        String id = verifiedDomain(server, key, unique("example.com"));

        assertThat(refused(request(id).setFromEmail("a..b@x.com"), Status.Code.INVALID_ARGUMENT))
                .startsWith("from_email: \"a..b@x.com\" is not a valid email address");
    }

    @Test
    void sendTestEmail_normalWithoutValidSingleRecipient_isInvalidArgument() {
        String id = verifiedDomain(server, key, unique("example.com"));

        SendTestEmailRequest.Builder normal = request(id).setTestType(TestEmailType.NORMAL);
        assertThat(refused(normal.clone(), Status.Code.INVALID_ARGUMENT))
                .startsWith("to_email: required with type NORMAL");
        assertThat(refused(normal.clone().setToEmail("a@x.com, b@x.com"), Status.Code.INVALID_ARGUMENT))
                .contains("more than one address");
        assertThat(refused(normal.clone().setToEmail("nobody"), Status.Code.INVALID_ARGUMENT))
                .startsWith("to_email: \"nobody\" is not a valid email address");
        assertThat(submissionsOf(id)).as("a rejected request changes nothing").isZero();
    }

    private static long submissionsOf(String domainId) {
        return server.server()
                .database()
                .jdbi()
                .withHandle(h -> h.createQuery("SELECT COUNT(*) FROM submissions WHERE domain_id = :d")
                        .bind("d", domainId)
                        .mapTo(Long.class)
                        .one());
    }

    // ---- NORMAL through the pipeline ----

    @Test
    void sendTestEmail_normal_isQueuedThenSentByTheWorker() {
        String name = unique("example.com");
        String id = verifiedDomain(server, key, name);

        SendTestEmailResponse r = send(request(id)
                .setTestType(TestEmailType.NORMAL)
                .setToEmail("Someone@Example.org")
                .setMessageClass(MessageClass.MARKETING));

        String submissionId = r.getSubmissionId();
        assertThat(submissionId).startsWith("sub_");
        assertThat(r.getMessageId()).isEmpty();
        assertThat(r.getToEmail()).isEqualTo("Someone@example.org");
        Submission queued = submission(submissionId);
        assertThat(queued.getStatus().name()).isEqualTo("QUEUED");
        assertThat(queued.getMessageClass().name()).isEqualTo("MARKETING");
        assertThat(queued.getDomainId()).isEqualTo(id);

        server.server().submissionWorker().runOnce();

        Submission sent = submission(submissionId);
        assertThat(sent.getStatus().name()).isEqualTo("SENT");
        assertThat(sent.getAttempts()).isEqualTo(1);
        assertThat(sent.getError()).isEmpty();
        assertThat(sent.getMessageId()).startsWith("0100");
        assertThat(outboxOutcome(sent.getMessageId())).isEqualTo("DELIVERED");
    }

    @Test
    void submission_sesDown_isRetriedWithBackoffThenSent() {
        String id = verifiedDomain(server, key, unique("example.com"));
        String submissionId = queueNormal(id);
        flaky.get().down.set(true);

        server.server().submissionWorker().runOnce();

        Submission waiting = submission(submissionId);
        assertThat(waiting.getStatus().name()).isEqualTo("QUEUED");
        assertThat(waiting.getAttempts()).isEqualTo(1);
        assertThat(waiting.getError()).contains("injected: SES is down");
        Timestamp next = waiting.getNextAttemptAt();
        assertThat(Instant.ofEpochSecond(next.getSeconds(), next.getNanos())).isAfter(clock.instant());
        server.server().submissionWorker().runOnce();
        assertThat(submission(submissionId).getAttempts())
                .as("not due before the backoff")
                .isEqualTo(1);

        flaky.get().down.set(false);
        clock.advance(Duration.ofMinutes(1));
        server.server().submissionWorker().runOnce();

        Submission sent = submission(submissionId);
        assertThat(sent.getStatus().name()).isEqualTo("SENT");
        assertThat(sent.getAttempts()).isEqualTo(2);
        assertThat(sent.getError()).isEmpty();
    }

    @Test
    void submission_sesDownThroughEveryAttempt_isFailed() {
        String id = verifiedDomain(server, key, unique("example.com"));
        String submissionId = queueNormal(id);
        flaky.get().down.set(true);

        for (int i = 0; i < SubmissionWorker.MAX_ATTEMPTS; i++) {
            server.server().submissionWorker().runOnce();
            clock.advance(Duration.ofMinutes(20));
        }

        Submission failed = submission(submissionId);
        assertThat(failed.getStatus().name()).isEqualTo("FAILED");
        assertThat(failed.getAttempts()).isEqualTo(SubmissionWorker.MAX_ATTEMPTS);
        assertThat(failed.getError()).startsWith("gave up after 5 attempts: injected: SES is down");
    }

    @Test
    void submission_workerStoppedMidSend_isSentAgainAfterTheLease() {
        String id = verifiedDomain(server, key, unique("example.com"));
        String submissionId = queueNormal(id);
        // A worker claims it, starts the send and dies before recording anything.
        SubmissionStore store = new SubmissionStore(server.server().database().jdbi(), false);
        assertThat(store.claimDue(
                        "claim_crashed", clock.instant(), clock.instant().plus(Duration.ofMinutes(2)), 100))
                .extracting(dev.domainkeeper.domain.Submission::id)
                .contains(submissionId);
        store.beginAttempt(submissionId, "claim_crashed", clock.instant());
        assertThat(submission(submissionId).getStatus().name()).isEqualTo("SENDING");
        server.server().submissionWorker().runOnce();
        assertThat(submission(submissionId).getStatus().name())
                .as("lease still held")
                .isEqualTo("SENDING");

        clock.advance(Duration.ofMinutes(3));
        server.server().submissionWorker().runOnce();

        Submission sent = submission(submissionId);
        assertThat(sent.getStatus().name()).isEqualTo("SENT");
        assertThat(sent.getAttempts()).isEqualTo(2);
    }

    @Test
    void submission_claimedByWorkersThatDiedBeforeReachingIt_costsNoAttempt() {
        String to = "stranded-" + System.nanoTime() + "@example.org";
        String submissionId = queueNormal(verifiedDomain(server, key, unique("example.com")), to);
        SubmissionStore store = new SubmissionStore(server.server().database().jdbi(), false);
        // More claims than there are attempts, each by a worker that died before sending anything.
        for (int kill = 1; kill <= SubmissionWorker.MAX_ATTEMPTS + 2; kill++) {
            assertThat(store.claimDue(
                            "claim_dead_" + kill,
                            clock.instant(),
                            clock.instant().plus(Duration.ofMinutes(2)),
                            100))
                    .extracting(dev.domainkeeper.domain.Submission::id)
                    .contains(submissionId);
            Submission claimed = submission(submissionId);
            assertThat(claimed.getStatus().name()).as("claimed, not started").isEqualTo("QUEUED");
            assertThat(claimed.getAttempts()).isZero();
            server.server().submissionWorker().runOnce();
            assertThat(outboxRows(to))
                    .as("the live claim keeps the other worker off it")
                    .isZero();
            clock.advance(Duration.ofMinutes(3));
        }

        server.server().submissionWorker().runOnce();

        Submission sent = submission(submissionId);
        assertThat(sent.getStatus().name()).isEqualTo("SENT");
        assertThat(sent.getAttempts()).isEqualTo(1);
        assertThat(outboxRows(to)).isEqualTo(1);
    }

    @Test
    void submission_everyAttemptCutOffByAWorkerDying_isFailedSayingTheLastDidNotFinish() {
        String to = "cutoff-" + System.nanoTime() + "@example.org";
        String submissionId = queueNormal(verifiedDomain(server, key, unique("example.com")), to);
        SubmissionStore store = new SubmissionStore(server.server().database().jdbi(), false);
        for (int attempt = 1; attempt <= SubmissionWorker.MAX_ATTEMPTS; attempt++) {
            String claim = "claim_cut_" + attempt;
            store.claimDue(claim, clock.instant(), clock.instant().plus(Duration.ofMinutes(2)), 100);
            assertThat(store.beginAttempt(submissionId, claim, clock.instant())).isTrue();
            clock.advance(Duration.ofMinutes(3));
        }

        server.server().submissionWorker().runOnce();

        Submission failed = submission(submissionId);
        assertThat(failed.getStatus().name()).isEqualTo("FAILED");
        assertThat(failed.getAttempts()).isEqualTo(SubmissionWorker.MAX_ATTEMPTS);
        assertThat(failed.getError()).isEqualTo("gave up after 5 attempts; the last did not finish (worker stopped)");
        assertThat(outboxRows(to)).as("no sixth send").isZero();
    }

    private static long outboxRows(String to) {
        return server.server()
                .database()
                .jdbi()
                .withHandle(h -> h.createQuery("SELECT COUNT(*) FROM sandbox_outbox WHERE to_email = :to")
                        .bind("to", to)
                        .mapTo(Long.class)
                        .one());
    }

    @Test
    void submission_domainRemovedBeforeSending_isFailed() {
        String id = verifiedDomain(server, key, unique("example.com"));
        String submissionId = queueNormal(id);
        domains().removeDomain(RemoveDomainRequest.newBuilder().setId(id).build());

        server.server().submissionWorker().runOnce();

        Submission failed = submission(submissionId);
        assertThat(failed.getStatus().name()).isEqualTo("FAILED");
        assertThat(failed.getError()).contains("was removed");
    }

    // ---- GetSubmission ----

    @Test
    void getSubmission_anotherAccountsSubmission_isNotFound() {
        String id = verifiedDomain(server, key, unique("example.com"));
        String submissionId = queueNormal(id);
        String other = accounts.createAccount("other-" + System.nanoTime()).key();

        StatusRuntimeException foreign =
                Rpc.failure(() -> Rpc.submissions(server, other).getSubmission(getSubmission(submissionId)));
        StatusRuntimeException unknown = Rpc.failure(() -> submission("sub_doesnotexist000000"));

        assertThat(foreign.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(unknown.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(foreign.getStatus().getDescription().replace(submissionId, "X"))
                .isEqualTo(unknown.getStatus().getDescription().replace("sub_doesnotexist000000", "X"));
        var stub = server.grpc(SubmissionsServiceGrpc.SubmissionsServiceBlockingStub.class, other);
        assertThatThrownBy(() -> stub.getSubmission(
                        GetSubmissionRequest.newBuilder().setId(submissionId).build()))
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }

    @Test
    void getSubmission_overGrpc_showsTheSubmission() {
        String id = verifiedDomain(server, key, unique("example.com"));
        String submissionId = queueNormal(id);
        var stub = server.grpc(SubmissionsServiceGrpc.SubmissionsServiceBlockingStub.class, key);

        Submission s = stub.getSubmission(
                        GetSubmissionRequest.newBuilder().setId(submissionId).build())
                .getSubmission();

        assertThat(s.getStatus()).isEqualTo(SubmissionStatus.QUEUED);
        assertThat(s.getToEmail()).isEqualTo("a@example.org");
        assertThat(s.getFromEmail()).startsWith("test@");
        assertThat(s.hasNextAttemptAt()).isTrue();
    }
}
