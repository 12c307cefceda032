package dev.domainkeeper.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import dev.domainkeeper.proto.domains.v1.AddDomainRequest;
import dev.domainkeeper.proto.domains.v1.DNSRecord;
import dev.domainkeeper.proto.domains.v1.Domain;
import dev.domainkeeper.proto.domains.v1.DomainsServiceGrpc;
import dev.domainkeeper.proto.domains.v1.RecordPurpose;
import dev.domainkeeper.proto.domains.v1.SendTestEmailRequest;
import dev.domainkeeper.proto.domains.v1.TestEmailType;
import dev.domainkeeper.proto.submissions.v1.GetSubmissionRequest;
import dev.domainkeeper.proto.submissions.v1.Submission;
import dev.domainkeeper.proto.submissions.v1.SubmissionStatus;
import dev.domainkeeper.testing.LoopbackDnsServer;
import dev.domainkeeper.testing.MutableClock;
import dev.domainkeeper.testing.Rpc;
import dev.domainkeeper.testing.TestServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Walks the README's flow on the sandbox: a domain verifies through real DNS (loopback), a NORMAL
 * test email goes through the pipeline to SENT, and the sandbox delivers it to an SMTP server
 * (GreenMail on loopback) as a well-formed multipart message. Calls the typed gRPC stubs.
 */
class SandboxSmtpRelayTest {
    @TempDir
    Path dir;

    LoopbackDnsServer dns;
    GreenMail smtp;
    MutableClock clock;
    TestServer server;

    @BeforeEach
    void start() {
        dns = LoopbackDnsServer.start();
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
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
                        "DOMAINKEEPER_SMTP_RELAY",
                        "127.0.0.1:" + smtp.getSmtp().getPort()),
                a -> a.withClock(clock));
    }

    @AfterEach
    void stop() {
        server.close();
        smtp.stop();
        dns.close();
    }

    private DomainsServiceGrpc.DomainsServiceBlockingStub domains() {
        return Rpc.domains(server, TestServer.BOOTSTRAP_KEY);
    }

    @Test
    void normalTestEmail_fromADomainVerifiedThroughDns_isSentAndRelayedOverSmtp() throws Exception {
        String key = TestServer.BOOTSTRAP_KEY;
        Domain d = domains()
                .addDomain(AddDomainRequest.newBuilder()
                        .setDomain("relay.example.com")
                        .build())
                .getDomain();
        String id = d.getId();
        StatusRuntimeException early = Rpc.failure(() -> domains()
                .sendTestEmail(SendTestEmailRequest.newBuilder().setId(id).build()));
        assertThat(early.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        for (DNSRecord r : d.getDnsRecordsList()) {
            if (r.getPurpose() == RecordPurpose.DKIM) {
                dns.addCname(r.getName(), r.getValue());
            }
        }
        clock.advance(Duration.ofSeconds(6));

        String submissionId = domains()
                .sendTestEmail(SendTestEmailRequest.newBuilder()
                        .setId(id)
                        .setTestType(TestEmailType.NORMAL)
                        .setToEmail("dev@example.org")
                        .build())
                .getSubmissionId();
        server.server().submissionWorker().runOnce();

        Submission s = Rpc.submissions(server, key)
                .getSubmission(
                        GetSubmissionRequest.newBuilder().setId(submissionId).build())
                .getSubmission();
        assertThat(s.getStatus()).isEqualTo(SubmissionStatus.SENT);
        await().atMost(Duration.ofSeconds(10)).until(() -> smtp.getReceivedMessages().length == 1);
        MimeMessage m = smtp.getReceivedMessages()[0];
        assertThat(m.getFrom()[0].toString()).isEqualTo("test@relay.example.com");
        assertThat(m.getAllRecipients()[0].toString()).isEqualTo("dev@example.org");
        assertThat(m.getSubject()).isEqualTo("Domainkeeper test email from relay.example.com (transactional)");
        assertThat(m.getMessageID()).isEqualTo("<" + s.getMessageId() + "@email.amazonses.com>");
        assertThat(m.getContentType()).startsWith("multipart/alternative");
        MimeMultipart parts = (MimeMultipart) m.getContent();
        assertThat(parts.getCount()).isEqualTo(2);
        assertThat(parts.getBodyPart(0).getContentType()).startsWith("text/plain");
        assertThat(parts.getBodyPart(1).getContentType()).startsWith("text/html");
        assertThat(GreenMailUtil.getBody(parts.getBodyPart(0)))
                .contains("relay.example.com")
                .contains("2030-01-01 00:00:06 UTC");
    }

    @Test
    void simulatorTestEmail_isRelayedToo() throws Exception {
        String key = TestServer.BOOTSTRAP_KEY;
        String id = TestEmailTest.verifiedDomain(server, key, "sim.example.com");

        domains()
                .sendTestEmail(SendTestEmailRequest.newBuilder()
                        .setId(id)
                        .setTestType(TestEmailType.SIMULATOR_BOUNCE)
                        .build());

        await().atMost(Duration.ofSeconds(10)).until(() -> smtp.getReceivedMessages().length == 1);
        assertThat(GreenMailUtil.getAddressList(smtp.getReceivedMessages()[0].getAllRecipients()))
                .isEqualTo("bounce@simulator.amazonses.com");
    }
}
