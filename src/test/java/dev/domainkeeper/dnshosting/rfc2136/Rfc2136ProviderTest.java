package dev.domainkeeper.dnshosting.rfc2136;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.domainkeeper.dnshosting.HostedZone;
import dev.domainkeeper.dnshosting.ProviderAccessDeniedException;
import dev.domainkeeper.dnshosting.ProviderConcurrentChangeException;
import dev.domainkeeper.dnshosting.RecordChange;
import dev.domainkeeper.dnshosting.RecordSet;
import dev.domainkeeper.domain.RecordType;
import dev.domainkeeper.testing.KnotServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Update;

/** Drives the RFC 2136 adapter against a real Knot DNS server on a loopback port. */
class Rfc2136ProviderTest {
    private static final String ZONE = "example.org";
    private static final String GOOGLE_SPF = "v=spf1 include:_spf.google.com ~all";

    @TempDir
    Path dir;

    KnotServer knot;

    @BeforeEach
    void start() {
        knot = KnotServer.start(
                dir, ZONE, List.of("@ IN TXT \"" + GOOGLE_SPF + "\"", "@ IN MX 10 aspmx.l.google.com."));
    }

    @AfterEach
    void stop() {
        if (knot != null) {
            knot.close();
        }
    }

    private Rfc2136Provider provider() {
        return Rfc2136Provider.create(
                knot.hostAndPort(),
                KnotServer.KEY_NAME,
                KnotServer.ALGORITHM,
                KnotServer.SECRET,
                Duration.ofSeconds(5));
    }

    @Test
    void findZone_signedSoaQuery_findsTheZoneForASubdomain() {
        HostedZone zone = provider().findZone("mail.example.org").orElseThrow();

        assertThat(zone.name()).isEqualTo(ZONE);
        assertThat(zone.nameServers()).containsExactly("ns1.example.org");
        assertThat(provider().findZone("example.net")).isEmpty();
    }

    @Test
    void wrongSecret_isRefusedNamingTheTsigKey() {
        Rfc2136Provider wrong = Rfc2136Provider.create(
                knot.hostAndPort(),
                KnotServer.KEY_NAME,
                KnotServer.ALGORITHM,
                "d3JvbmdzZWNyZXR3cm9uZ3NlY3JldHdyb25nc2VjcmV0MTI=",
                Duration.ofSeconds(5));

        assertThatThrownBy(() -> wrong.findZone(ZONE))
                .isInstanceOf(ProviderAccessDeniedException.class)
                .hasMessageContaining("TSIG key");
    }

    @Test
    void submit_writesWithPrerequisitesAndReadsBack() {
        Rfc2136Provider p = provider();
        List<RecordSet> before = p.readRecords(ZONE, List.of(ZONE, "_dmarc.example.org"));
        assertThat(before).extracting(RecordSet::type).containsExactly(RecordType.MX, RecordType.TXT, RecordType.NS);

        String merged = "v=spf1 include:_spf.google.com include:amazonses.com ~all";
        p.submit(
                ZONE,
                List.of(
                        new RecordChange(
                                RecordChange.Action.UPSERT, new RecordSet(ZONE, RecordType.TXT, 300, List.of(merged))),
                        new RecordChange(
                                RecordChange.Action.UPSERT,
                                new RecordSet(
                                        "_dmarc.example.org", RecordType.TXT, 300, List.of("v=DMARC1; p=none")))));

        List<RecordSet> after = provider().readRecords(ZONE, List.of(ZONE, "_dmarc.example.org"));
        assertThat(after)
                .filteredOn(s -> s.type() == RecordType.TXT)
                .extracting(RecordSet::values)
                .containsExactly(List.of(merged), List.of("v=DMARC1; p=none"));
        assertThat(after)
                .filteredOn(s -> s.type() == RecordType.MX)
                .extracting(RecordSet::values)
                .containsExactly(List.of("10 aspmx.l.google.com"));
    }

    @Test
    void concurrentChangeBetweenReadAndWrite_abortsTheUpdateAndKeepsTheOtherWritersRecord() throws Exception {
        Rfc2136Provider p = provider();
        p.readRecords(ZONE, List.of(ZONE, "_dmarc.example.org"));
        // Another TSIG client changes the SPF record after our read.
        String theirs = "v=spf1 include:_spf.google.com include:mailgun.org ~all";
        Update other = new Update(Name.fromString(ZONE + "."));
        other.replace(new TXTRecord(Name.fromString(ZONE + "."), DClass.IN, 300, theirs));
        SimpleResolver resolver = new SimpleResolver("127.0.0.1");
        resolver.setPort(knot.port());
        resolver.setTCP(true);
        resolver.setTSIGKey(new TSIG(KnotServer.ALGORITHM, KnotServer.KEY_NAME, KnotServer.SECRET));
        Message answer = resolver.send(other);
        assertThat(Rcode.string(answer.getRcode())).isEqualTo("NOERROR");

        String ours = "v=spf1 include:_spf.google.com include:amazonses.com ~all";
        assertThatThrownBy(() -> p.submit(
                        ZONE,
                        List.of(
                                new RecordChange(
                                        RecordChange.Action.UPSERT,
                                        new RecordSet(ZONE, RecordType.TXT, 300, List.of(ours))),
                                new RecordChange(
                                        RecordChange.Action.UPSERT,
                                        new RecordSet(
                                                "_dmarc.example.org",
                                                RecordType.TXT,
                                                300,
                                                List.of("v=DMARC1; p=none"))))))
                .isInstanceOf(ProviderConcurrentChangeException.class)
                .hasMessageContaining("changed since Domainkeeper read it")
                .hasMessageContaining("nothing was written");

        List<RecordSet> now = provider().readRecords(ZONE, List.of(ZONE, "_dmarc.example.org"));
        assertThat(now)
                .filteredOn(s -> s.type() == RecordType.TXT)
                .extracting(RecordSet::values)
                .as("the other writer's SPF stands, and the DMARC of the aborted update was not written either")
                .containsExactly(List.of(theirs));
    }
}
