package dev.domainkeeper.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.domainkeeper.domain.RecordType;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/** Checks the fixture on the wire with a bare dnsjava resolver, so other tests can trust it. */
class LoopbackDnsServerTest {

    @RegisterExtension
    static final LoopbackDnsServer dns = LoopbackDnsServer.start();

    @Test
    void start_bindsUdpAndTcpOnOneLoopbackPort() {
        assertThat(dns.address().getAddress().isLoopbackAddress()).isTrue();
        assertThat(dns.hostAndPort()).isEqualTo("127.0.0.1:" + dns.address().getPort());
        // Both sockets are taken: binding either again fails.
        assertThatThrownBy(() -> new DatagramSocket(dns.address()).close()).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> new ServerSocket(
                                dns.address().getPort(), 1, dns.address().getAddress())
                        .close())
                .isInstanceOf(IOException.class);
    }

    @Test
    void knownRecords_areAnsweredAuthoritatively() throws IOException {
        dns.add("Example.com.", RecordType.MX, "10 inbound-smtp.us-east-1.amazonaws.com");

        Message response = send(udp(), "example.com", Type.MX);

        assertThat(response.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(response.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(response.getSection(Section.ANSWER))
                .extracting(Record::rdataToString)
                .containsExactly("10 inbound-smtp.us-east-1.amazonaws.com.");
    }

    @Test
    void unknownName_isNxdomain_andKnownNameWithoutType_isNoData() throws IOException {
        dns.add("example.com", RecordType.NS, "ns1.example.net");

        assertThat(send(udp(), "other.example.com", Type.NS).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        Message noData = send(udp(), "example.com", Type.TXT);
        assertThat(noData.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(noData.getSection(Section.ANSWER)).isEmpty();
        assertThat(send(udp(), "example.com", Type.A).getRcode()).isEqualTo(Rcode.NOERROR);
    }

    @Test
    void cname_isFollowedWithinItsData() throws IOException {
        dns.addCname("a.example.com", "b.example.com")
                .addCname("b.example.com", "c.example.com")
                .addTxt("c.example.com", "end");

        Message response = send(udp(), "a.example.com", Type.TXT);

        assertThat(response.getSection(Section.ANSWER))
                .extracting(r -> r.getName() + " " + Type.string(r.getType()))
                .containsExactly("a.example.com. CNAME", "b.example.com. CNAME", "c.example.com. TXT");
        assertThat(send(udp(), "a.example.com", Type.CNAME).getSection(Section.ANSWER))
                .hasSize(1);
    }

    @Test
    void cnameLoop_endsWithoutHanging() throws IOException {
        dns.addCname("a.example.com", "b.example.com").addCname("b.example.com", "a.example.com");

        Message response = send(udp(), "a.example.com", Type.TXT);

        assertThat(response.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(response.getSection(Section.ANSWER)).hasSize(2);
    }

    @Test
    void udpAnswerOver512Bytes_isTruncated_andWholeOverTcp() throws IOException {
        dns.add("big.example.com", RecordType.TXT, "y".repeat(600));
        SimpleResolver udpOnly = udp();
        udpOnly.setIgnoreTruncation(true);

        Message truncated = send(udpOnly, "big.example.com", Type.TXT);
        Message whole = send(tcp(), "big.example.com", Type.TXT);

        assertThat(truncated.getHeader().getFlag(Flags.TC)).isTrue();
        assertThat(truncated.getSection(Section.ANSWER)).isEmpty();
        assertThat(whole.getHeader().getFlag(Flags.TC)).isFalse();
        TXTRecord txt = (TXTRecord) whole.getSection(Section.ANSWER).get(0);
        assertThat(txt.getStrings()).hasSize(3);
        assertThat(String.join("", txt.getStrings())).isEqualTo("y".repeat(600));
        assertThat(dns.tcpQueryCount("big.example.com")).isEqualTo(1);
        assertThat(dns.queryCount("big.example.com", RecordType.TXT)).isEqualTo(2);
    }

    @Test
    void faults_areAnsweredAsSet_untilEnded() throws IOException {
        dns.addTxt("example.com", "v=spf1 -all");

        dns.servfail("example.com");
        assertThat(send(udp(), "example.com", Type.TXT).getRcode()).isEqualTo(Rcode.SERVFAIL);
        dns.refuse("example.com");
        assertThat(send(udp(), "example.com", Type.TXT).getRcode()).isEqualTo(Rcode.REFUSED);
        dns.answerNormally("example.com");
        assertThat(send(udp(), "example.com", Type.TXT).getRcode()).isEqualTo(Rcode.NOERROR);
    }

    @Test
    void droppedQueries_areCountedButNeverAnswered() {
        dns.dropQueries("example.com");
        SimpleResolver resolver = udp();
        resolver.setTimeout(Duration.ofMillis(200));

        CompletableFuture<Message> response =
                resolver.sendAsync(query("example.com", Type.TXT)).toCompletableFuture();

        assertThat(response).failsWithin(Duration.ofSeconds(5));
        // The client gives up after 200 ms; on a loaded machine the server may read the query later.
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(dns.queryCount("example.com")).isEqualTo(1));
    }

    @Test
    void delayedAnswers_overlap() {
        dns.addTxt("slow.example.com", "x").delay("slow.example.com", Duration.ofMillis(300));
        SimpleResolver resolver = udp();

        List<CompletableFuture<Message>> responses = List.of(
                resolver.sendAsync(query("slow.example.com", Type.TXT)).toCompletableFuture(),
                resolver.sendAsync(query("slow.example.com", Type.TXT)).toCompletableFuture());

        assertThat(CompletableFuture.allOf(responses.toArray(CompletableFuture[]::new)))
                .succeedsWithin(Duration.ofSeconds(5));
        assertThat(dns.maxConcurrentQueries()).isEqualTo(2);
    }

    @Test
    void remove_andClear_forgetRecords() throws IOException {
        dns.addTxt("example.com", "a").addMx("example.com", 10, "mx.example.com");

        dns.remove("example.com", RecordType.TXT);
        assertThat(send(udp(), "example.com", Type.TXT).getRcode()).isEqualTo(Rcode.NOERROR);
        dns.remove("example.com", RecordType.MX);
        assertThat(send(udp(), "example.com", Type.TXT).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        dns.addTxt("example.com", "b").servfail("example.com").clear();
        assertThat(send(udp(), "example.com", Type.TXT).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(dns.queryCount("example.com")).isEqualTo(3);
        dns.resetCounters();
        assertThat(dns.queryCount("example.com")).isZero();
        assertThat(dns.totalQueryCount()).isZero();
    }

    @Test
    void cnameBesideOtherRecords_isRejected() {
        dns.addTxt("example.com", "a").addCname("www.example.com", "example.com");

        assertThatThrownBy(() -> dns.addCname("example.com", "elsewhere.example.net"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("name: example.com holds [TXT]");
        assertThatThrownBy(() -> dns.addTxt("www.example.com", "b"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("name: www.example.com holds a CNAME");
        assertThatThrownBy(() -> dns.addCname("www.example.com", "other.example.com"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already has a CNAME to example.com");
        dns.addCname("www.example.com", "EXAMPLE.com."); // the same CNAME again changes nothing
    }

    @Test
    void invalidInput_isRejectedWithTheValue() {
        assertThatThrownBy(() -> dns.add("example.com", RecordType.MX, "mx.example.com"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("value: \"mx.example.com\" is not an MX value");
        assertThatThrownBy(() -> dns.addTxt("example.com", "z".repeat(256)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("strings: one is 256 bytes long (expected: at most 255");
        assertThatThrownBy(() -> dns.addTxt("a..example.com", "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("name: \"a..example.com\" is not a valid DNS name");
        assertThatThrownBy(() -> dns.delay(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("delay: PT-0.001S (expected: >= 0)");
    }

    @Test
    void close_releasesThePort() throws IOException {
        InetSocketAddress address;
        try (LoopbackDnsServer server = LoopbackDnsServer.start()) {
            address = server.address();
        }

        new DatagramSocket(address).close();
    }

    @Test
    void aRecords_areServed_andAnotherTypeAtTheirNameIsNoData() throws IOException {
        dns.addA("ns1.example.net", "127.0.0.2").addA("ns1.example.net", "127.0.0.3");

        Message a = send(udp(), "ns1.example.net", Type.A);
        Message txt = send(udp(), "ns1.example.net", Type.TXT);

        assertThat(a.getSection(Section.ANSWER))
                .extracting(Record::rdataToString)
                .containsExactly("127.0.0.2", "127.0.0.3");
        assertThat(txt.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(txt.getSection(Section.ANSWER)).isEmpty();
        assertThatThrownBy(() -> dns.addA("ns1.example.net", "::1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void authoritativeOff_answersWithoutTheAaFlag_untilCleared() throws IOException {
        dns.addTxt("example.com", "hello").authoritative(false);

        Message lame = send(udp(), "example.com", Type.TXT);
        dns.clear().addTxt("example.com", "hello");
        Message again = send(udp(), "example.com", Type.TXT);

        assertThat(lame.getHeader().getFlag(Flags.AA)).isFalse();
        assertThat(lame.getSection(Section.ANSWER)).hasSize(1);
        assertThat(again.getHeader().getFlag(Flags.AA)).isTrue();
    }

    @Test
    void recursionDesired_isCounted() throws IOException {
        dns.addTxt("example.com", "hello");
        Message withoutRd = query("example.com", Type.TXT);
        withoutRd.getHeader().unsetFlag(Flags.RD);

        send(udp(), "example.com", Type.TXT);
        try {
            udp().sendAsync(withoutRd).toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IOException(e);
        }

        assertThat(dns.totalQueryCount()).isEqualTo(2);
        assertThat(dns.recursionDesiredQueryCount()).isEqualTo(1);
    }

    @Test
    void aGroup_sharesOnePort_onSeveralLoopbackAddresses() throws IOException {
        List<LoopbackDnsServer> group = LoopbackDnsServer.startGroup("127.0.0.2", "127.0.0.3");
        try {
            int port = group.get(0).address().getPort();
            assertThat(group.get(1).hostAndPort()).isEqualTo("127.0.0.3:" + port);
            group.get(0).addTxt("example.com", "two");
            group.get(1).addTxt("example.com", "three");
            SimpleResolver second = new SimpleResolver(new InetSocketAddress("127.0.0.3", port));
            second.setTimeout(Duration.ofSeconds(5));

            Message answer = send(second, "example.com", Type.TXT);

            assertThat(answer.getSection(Section.ANSWER))
                    .extracting(Record::rdataToString)
                    .containsExactly("\"three\"");
            assertThat(group.get(0).totalQueryCount()).isZero();
        } finally {
            group.forEach(LoopbackDnsServer::close);
        }
    }

    private static SimpleResolver udp() {
        SimpleResolver resolver = new SimpleResolver(dns.address());
        resolver.setTimeout(Duration.ofSeconds(5));
        return resolver;
    }

    private static SimpleResolver tcp() {
        SimpleResolver resolver = udp();
        resolver.setTCP(true);
        return resolver;
    }

    private static Message send(SimpleResolver resolver, String name, int type) throws IOException {
        try {
            return resolver.sendAsync(query(name, type)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IOException("query " + name + "/" + Type.string(type) + " failed", e);
        }
    }

    private static Message query(String name, int type) {
        return Message.newQuery(Record.newRecord(Name.fromConstantString(name + "."), type, DClass.IN));
    }
}
