package dev.domainkeeper.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.domainkeeper.domain.RecordType;
import dev.domainkeeper.proto.domains.v1.AddDomainRequest;
import dev.domainkeeper.proto.domains.v1.DNSRecord;
import dev.domainkeeper.proto.domains.v1.DNSValidationResult;
import dev.domainkeeper.proto.domains.v1.Domain;
import dev.domainkeeper.proto.domains.v1.DomainsServiceGrpc;
import dev.domainkeeper.proto.domains.v1.GetDomainRequest;
import dev.domainkeeper.proto.domains.v1.RecordPurpose;
import dev.domainkeeper.testing.LoopbackDnsServer;
import dev.domainkeeper.testing.MutableClock;
import dev.domainkeeper.testing.Rpc;
import dev.domainkeeper.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Walks sandbox domains from nothing published to verified by publishing their records on a real DNS
 * server: the SES statuses go PENDING to SUCCESS, and the DNS validation snapshot from MISSING to all valid.
 * Calls the typed gRPC stubs: this is about behaviour, not the JSON mapping.
 */
class SandboxVerificationTest {
    @TempDir
    Path dir;

    LoopbackDnsServer dns;
    MutableClock clock;
    TestServer server;

    @BeforeEach
    void start() {
        dns = LoopbackDnsServer.start();
        clock = new MutableClock(Instant.now());
        server = TestServer.start(
                dir,
                Map.of(
                        "DOMAINKEEPER_DNS_RESOLVERS",
                        dns.hostAndPort(),
                        "DOMAINKEEPER_BACKGROUND_WORKERS",
                        "false",
                        "DOMAINKEEPER_DNS_TIMEOUT_MS",
                        "1000"),
                a -> a.withClock(clock));
    }

    @AfterEach
    void stop() {
        server.close();
        dns.close();
    }

    private DomainsServiceGrpc.DomainsServiceBlockingStub domains() {
        return Rpc.domains(server, TestServer.BOOTSTRAP_KEY);
    }

    private Domain add(AddDomainRequest.Builder request) {
        return domains().addDomain(request.build()).getDomain();
    }

    private Domain get(String id) {
        return domains()
                .getDomain(GetDomainRequest.newBuilder().setId(id).build())
                .getDomain();
    }

    @Test
    void domainVerifies_whenItsDkimCnamesAndMailFromMxResolve() {
        Domain d = add(AddDomainRequest.newBuilder().setDomain("verify.example.com"));
        String id = d.getId();
        clock.advance(Duration.ofSeconds(6));
        assertThat(get(id).getDkimStatus().name()).isEqualTo("PENDING");

        for (DNSRecord r : d.getDnsRecordsList()) {
            if (r.getPurpose() == RecordPurpose.DKIM) {
                dns.addCname(r.getName(), r.getValue());
            }
        }
        // Within the refresh window the stored state is served without asking SES again.
        assertThat(get(id).getDkimStatus().name()).isEqualTo("PENDING");
        clock.advance(Duration.ofSeconds(6));
        Domain verified = get(id);

        assertThat(verified.getDkimStatus().name()).isEqualTo("SUCCESS");
        assertThat(verified.getVerificationStatus().name()).isEqualTo("SUCCESS");
        assertThat(verified.getCanSend()).isTrue();
        assertThat(verified.getMailFromStatus().name()).isEqualTo("PENDING");

        dns.addMx("mail.verify.example.com", 10, "feedback-smtp.us-east-1.amazonses.com");
        clock.advance(Duration.ofSeconds(6));
        assertThat(get(id).getMailFromStatus().name()).isEqualTo("SUCCESS");

        long events = server.server()
                .database()
                .jdbi()
                .withHandle(h -> h.createQuery("SELECT COUNT(*) FROM domain_events WHERE domain_id = :id"
                                + " AND type = 'domain.status_changed'")
                        .bind("id", id)
                        .mapTo(Long.class)
                        .one());
        assertThat(events).isEqualTo(2);
    }

    @Test
    void wrongDkimTarget_staysPending_andFailsAfter72Hours() {
        Domain d = add(AddDomainRequest.newBuilder().setDomain("never.example.com"));
        String id = d.getId();
        for (DNSRecord r : d.getDnsRecordsList()) {
            if (r.getPurpose() == RecordPurpose.DKIM) {
                dns.addCname(r.getName(), "wrong.dkim.amazonses.com");
            }
        }
        clock.advance(Duration.ofSeconds(6));
        assertThat(get(id).getDkimStatus().name()).isEqualTo("PENDING");

        clock.advance(Duration.ofHours(73));
        Domain failed = get(id);

        assertThat(failed.getDkimStatus().name()).isEqualTo("FAILED");
        assertThat(failed.getVerificationStatus().name()).isEqualTo("FAILED");
    }

    @Test
    void backgroundVerifier_picksUpPublishedRecords() {
        Domain d = add(AddDomainRequest.newBuilder().setDomain("bg.example.com"));
        for (DNSRecord r : d.getDnsRecordsList()) {
            if (r.getPurpose() == RecordPurpose.DKIM) {
                dns.add(r.getName(), RecordType.CNAME, r.getValue());
            }
        }
        clock.advance(Duration.ofSeconds(31));

        assertThat(server.server().verifier().runOnce()).isEqualTo(1);

        String status = server.server()
                .database()
                .jdbi()
                .withHandle(h -> h.createQuery("SELECT dkim_status FROM domains WHERE name = 'bg.example.com'")
                        .mapTo(String.class)
                        .one());
        assertThat(status).isEqualTo("SUCCESS");
        assertThat(server.server().verifier().runOnce())
                .as("next check is not due yet")
                .isZero();
    }

    private DNSValidationResult validation(String id) {
        return domains()
                .getDomain(GetDomainRequest.newBuilder()
                        .setId(id)
                        .setIncludeDnsValidation(true)
                        .build())
                .getDomain()
                .getDnsValidation();
    }

    private static List<String> statuses(DNSValidationResult validation) {
        List<String> out = new ArrayList<>();
        validation.getRecordsList().forEach(c -> out.add(c.getStatus().name()));
        return out;
    }

    @Test
    void getDomain_walkedFromNothingToAllPublished_showsMissingThenMixedThenAllValid() {
        Domain added =
                add(AddDomainRequest.newBuilder().setDomain("walk.example.com").setReceiveEnabled(true));
        String id = added.getId();
        List<DNSRecord> records = added.getDnsRecordsList();

        assertThat(get(id).hasDnsValidation()).isFalse();

        DNSValidationResult nothing = validation(id);
        assertThat(statuses(nothing)).hasSize(records.size()).containsOnly("MISSING");
        assertThat(nothing.getAllValid()).isFalse();
        assertThat(nothing.getRecords(0).getRecord()).isEqualTo(records.get(0));
        assertThat(nothing.getRecords(0).getMessage()).startsWith("No CNAME at ");

        List<DNSRecord> dkim = new ArrayList<>();
        records.forEach(r -> {
            if (r.getPurpose() == RecordPurpose.DKIM) {
                dkim.add(r);
            }
        });
        dns.addCname(dkim.get(0).getName(), dkim.get(0).getValue())
                .addCname(dkim.get(1).getName(), dkim.get(1).getValue())
                .addCname(dkim.get(2).getName(), "wrong.dkim.amazonses.com")
                .addMx("mail.walk.example.com", 10, "feedback-smtp.us-east-1.amazonses.com");
        clock.advance(Duration.ofSeconds(6));

        DNSValidationResult some = validation(id);
        assertThat(statuses(some))
                .containsExactly("VALID", "VALID", "MISMATCH", "VALID", "MISSING", "MISSING", "MISSING", "MISSING");
        assertThat(some.getAllValid()).isFalse();
        assertThat(some.getRecords(2).getFoundValues(0)).isEqualTo("wrong.dkim.amazonses.com");
        assertThat(some.getRecords(2).getMessage())
                .isEqualTo("Found CNAME wrong.dkim.amazonses.com; expected "
                        + dkim.get(2).getValue());

        dns.remove(dkim.get(2).getName(), RecordType.CNAME)
                .addCname(dkim.get(2).getName(), dkim.get(2).getValue());
        DNSValidationResult again = validation(id);
        assertThat(statuses(again))
                .as("a look right after fixing a record shows it fixed")
                .containsExactly("VALID", "VALID", "VALID", "VALID", "MISSING", "MISSING", "MISSING", "MISSING");
        records.forEach(r -> {
            switch (r.getPurpose()) {
                case MAIL_FROM_SPF, SPF, DMARC -> dns.addTxt(r.getName(), r.getValue());
                case INBOUND_MX -> dns.addMx(r.getName(), r.getPriority(), r.getValue());
                default -> {}
            }
        });
        dns.addTxt("amazonses.com", "v=spf1 ip4:199.255.192.0/22 -all");
        clock.advance(Duration.ofSeconds(6));

        DNSValidationResult all = validation(id);
        assertThat(statuses(all)).containsOnly("VALID");
        assertThat(all.getAllValid()).isTrue();
        assertThat(all.getWarningsList()).isEmpty();
    }
}
