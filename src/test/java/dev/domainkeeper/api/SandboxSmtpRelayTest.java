package dev.domainkeeper.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.LoopbackDnsServer;
import dev.domainkeeper.testing.MutableClock;
import dev.domainkeeper.testing.TestServer;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.net.http.HttpResponse;
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
 * (GreenMail on loopback) as a well-formed multipart message.
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

    private JsonNode ok(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.parse(r.body());
    }

    @Test
    void normalTestEmail_fromADomainVerifiedThroughDns_isSentAndRelayedOverSmtp() throws Exception {
        String key = TestServer.BOOTSTRAP_KEY;
        JsonNode d = ok(server.http("POST", "/domains", key, "{\"domain\":\"relay.example.com\"}"))
                .get("domain");
        String id = d.get("id").asText();
        HttpResponse<String> early = server.http("POST", "/domains/test-email", key, "{\"id\":\"" + id + "\"}");
        assertThat(early.statusCode()).isEqualTo(400);
        for (JsonNode r : d.get("dns_records")) {
            if (r.get("purpose").asText().equals("DKIM")) {
                dns.addCname(r.get("name").asText(), r.get("value").asText());
            }
        }
        clock.advance(Duration.ofSeconds(6));

        String submissionId = ok(server.http(
                        "POST",
                        "/domains/test-email",
                        key,
                        "{\"id\":\"" + id + "\",\"test_type\":\"NORMAL\",\"to_email\":\"dev@example.org\"}"))
                .get("submission_id")
                .asText();
        server.server().submissionWorker().runOnce();

        JsonNode s = ok(server.http("GET", "/submissions/" + submissionId, key, null))
                .get("submission");
        assertThat(s.get("status").asText()).isEqualTo("SENT");
        await().atMost(Duration.ofSeconds(10)).until(() -> smtp.getReceivedMessages().length == 1);
        MimeMessage m = smtp.getReceivedMessages()[0];
        assertThat(m.getFrom()[0].toString()).isEqualTo("test@relay.example.com");
        assertThat(m.getAllRecipients()[0].toString()).isEqualTo("dev@example.org");
        assertThat(m.getSubject()).isEqualTo("Domainkeeper test email from relay.example.com (transactional)");
        assertThat(m.getMessageID()).isEqualTo("<" + s.get("message_id").asText() + "@email.amazonses.com>");
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

        ok(server.http(
                "POST", "/domains/test-email", key, "{\"id\":\"" + id + "\",\"test_type\":\"SIMULATOR_BOUNCE\"}"));

        await().atMost(Duration.ofSeconds(10)).until(() -> smtp.getReceivedMessages().length == 1);
        assertThat(GreenMailUtil.getAddressList(smtp.getReceivedMessages()[0].getAllRecipients()))
                .isEqualTo("bounce@simulator.amazonses.com");
    }
}
