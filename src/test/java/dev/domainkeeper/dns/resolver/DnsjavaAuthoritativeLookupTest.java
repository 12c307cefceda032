package dev.domainkeeper.dns.resolver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.domainkeeper.dns.AuthoritativeLookup;
import dev.domainkeeper.dns.DnsAnswer;
import dev.domainkeeper.dns.DnsAnswer.Outcome;
import dev.domainkeeper.domain.RecordType;
import dev.domainkeeper.testing.LoopbackDnsServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Checks the dnsjava adapter of the authoritative port on the wire, against a loopback DNS server. */
class DnsjavaAuthoritativeLookupTest {
    @RegisterExtension
    static final LoopbackDnsServer dns = LoopbackDnsServer.start();

    private static AuthoritativeLookup lookup(int port, boolean allowPrivate) {
        return DnsResolvers.authoritative(List.of(dns.address()), Duration.ofSeconds(2), port, allowPrivate);
    }

    @Test
    void query_asksWithoutRecursion_andTakesAnAuthoritativeAnswer() {
        dns.addTxt("example.com", "hello");

        DnsAnswer answer = lookup(53, true)
                .query(dns.address(), "example.com", RecordType.TXT)
                .join();

        assertThat(answer.outcome()).isEqualTo(Outcome.FOUND);
        assertThat(answer.records()).extracting(DnsAnswer.DnsValue::value).containsExactly("hello");
        assertThat(dns.totalQueryCount()).isEqualTo(1);
        assertThat(dns.recursionDesiredQueryCount()).isZero();
    }

    @Test
    void query_answeredWithoutTheAaFlag_isAnError() {
        dns.addTxt("example.com", "hello").authoritative(false);

        DnsAnswer answer = lookup(53, true)
                .query(dns.address(), "example.com", RecordType.TXT)
                .join();

        assertThat(answer.outcome()).isEqualTo(Outcome.ERROR);
        assertThat(answer.error())
                .isEqualTo("not authoritative: " + dns.hostAndPort()
                        + " answered without the AA flag, so it does not serve the zone");
    }

    @Test
    void addresses_areTheHostsARecords_withTheConfiguredPort() {
        dns.addA("ns1.example.net", "127.0.0.2").addA("ns1.example.net", "127.0.0.3");

        AuthoritativeLookup.Addresses found =
                lookup(5353, true).addresses("ns1.example.net").join();

        assertThat(found.addresses())
                .containsExactly(new InetSocketAddress("127.0.0.2", 5353), new InetSocketAddress("127.0.0.3", 5353));
        assertThat(found.error()).isEmpty();
        assertThat(dns.recursionDesiredQueryCount())
                .as("asked of the resolvers, with recursion")
                .isEqualTo(2);
    }

    @Test
    void addresses_ofAnUnknownHost_sayThereIsNone() {
        AuthoritativeLookup.Addresses found =
                lookup(53, true).addresses("nowhere.example.net").join();

        assertThat(found.addresses()).isEmpty();
        assertThat(found.error()).isEqualTo("no A or AAAA record at nowhere.example.net");
    }

    @Test
    void addresses_thatAreNotPublic_areRefusedUnlessAllowed() {
        dns.addA("ns1.example.net", "10.0.0.5");

        AuthoritativeLookup.Addresses found =
                lookup(53, false).addresses("ns1.example.net").join();

        assertThat(found.addresses()).isEmpty();
        assertThat(found.error())
                .isEqualTo("ns1.example.net resolves to 10.0.0.5, a private address, where name servers are not asked"
                        + " (expected: a public address; the operator may allow private ones with"
                        + " DOMAINKEEPER_DNS_AUTHORITATIVE_ALLOW_PRIVATE=true)");
        assertThat(lookup(53, true).addresses("ns1.example.net").join().addresses())
                .containsExactly(new InetSocketAddress("10.0.0.5", 53));
    }

    @Test
    void authoritative_withAPortOutOfRange_isRefused() {
        assertThatThrownBy(() -> lookup(0, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("port: 0 (expected: 1-65535)");
    }
}
