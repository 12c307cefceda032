package dev.domainkeeper.dns.resolver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.domainkeeper.dns.DnsAnswer;
import dev.domainkeeper.dns.DnsAnswer.DnsValue;
import dev.domainkeeper.dns.DnsAnswer.Outcome;
import dev.domainkeeper.dns.DnsLookup;
import dev.domainkeeper.domain.RecordType;
import dev.domainkeeper.testing.LoopbackDnsServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DnsjavaLookupTest {

    @RegisterExtension
    static final LoopbackDnsServer dns = LoopbackDnsServer.start();

    private final DnsLookup lookup = DnsResolvers.create(List.of(dns.address()), Duration.ofSeconds(5));

    @Test
    void query_cname_isFound() {
        dns.addCname("abc._domainkey.example.com", "abc.dkim.amazonses.com");

        DnsAnswer answer = query(lookup, "ABC._domainkey.Example.COM.", RecordType.CNAME);

        assertThat(answer.outcome()).isEqualTo(Outcome.FOUND);
        assertThat(answer.records()).containsExactly(new DnsValue(RecordType.CNAME, 0, "abc.dkim.amazonses.com"));
        assertThat(answer.cnames()).isEmpty();
        assertThat(answer.error()).isEmpty();
    }

    @Test
    void query_mx_isFoundWithPriorityAndNormalizedHost() {
        dns.addMx("mail.example.com", 10, "Feedback-SMTP.us-east-1.amazonses.com.")
                .addMx("mail.example.com", 20, "backup.example.net");

        DnsAnswer answer = query(lookup, "mail.example.com", RecordType.MX);

        assertThat(answer.outcome()).isEqualTo(Outcome.FOUND);
        assertThat(answer.records())
                .containsExactlyInAnyOrder(
                        new DnsValue(RecordType.MX, 10, "feedback-smtp.us-east-1.amazonses.com"),
                        new DnsValue(RecordType.MX, 20, "backup.example.net"));
    }

    @Test
    void query_ns_isFound() {
        dns.add("example.com", RecordType.NS, "NS-1.awsdns-01.org.");

        DnsAnswer answer = query(lookup, "example.com", RecordType.NS);

        assertThat(answer.records()).containsExactly(new DnsValue(RecordType.NS, 0, "ns-1.awsdns-01.org"));
    }

    @Test
    void query_txt_isFound() {
        dns.addTxt("example.com", "v=spf1 include:amazonses.com ~all")
                .addTxt("example.com", "google-site-verification=abc");

        DnsAnswer answer = query(lookup, "example.com", RecordType.TXT);

        assertThat(answer.outcome()).isEqualTo(Outcome.FOUND);
        assertThat(answer.records())
                .extracting(DnsValue::value)
                .containsExactlyInAnyOrder("v=spf1 include:amazonses.com ~all", "google-site-verification=abc");
    }

    @Test
    void query_txtInSeveralStrings_isOneValue() {
        dns.addTxt("_dmarc.example.com", "v=DMARC1; p=none; ", "rua=mailto:dmarc@example.com");

        DnsAnswer answer = query(lookup, "_dmarc.example.com", RecordType.TXT);

        assertThat(answer.records())
                .extracting(DnsValue::value)
                .containsExactly("v=DMARC1; p=none; rua=mailto:dmarc@example.com");
    }

    @Test
    void query_txtWithQuotesBackslashesAndUnicode_keepsThemAsPublished() {
        dns.addTxt("example.com", "say \"hi\" \\ to café");

        DnsAnswer answer = query(lookup, "example.com", RecordType.TXT);

        assertThat(answer.records()).extracting(DnsValue::value).containsExactly("say \"hi\" \\ to café");
    }

    @Test
    void query_unknownName_isNxdomain() {
        dns.addTxt("example.com", "v=spf1 -all");

        DnsAnswer answer = query(lookup, "missing.example.com", RecordType.TXT);

        assertThat(answer.outcome()).isEqualTo(Outcome.NXDOMAIN);
        assertThat(answer.records()).isEmpty();
        assertThat(answer.error()).isEmpty();
    }

    @Test
    void query_nameWithoutThatType_isNoData() {
        dns.addTxt("example.com", "v=spf1 -all");

        DnsAnswer answer = query(lookup, "example.com", RecordType.MX);

        assertThat(answer.outcome()).isEqualTo(Outcome.NO_DATA);
        assertThat(answer.records()).isEmpty();
        assertThat(answer.cnames()).isEmpty();
    }

    @Test
    void query_txtBehindCname_isFoundAndReportsCname() {
        dns.addCname("_dmarc.example.com", "dmarc.provider.net").addTxt("dmarc.provider.net", "v=DMARC1; p=reject");

        DnsAnswer answer = query(lookup, "_dmarc.example.com", RecordType.TXT);

        assertThat(answer.outcome()).isEqualTo(Outcome.FOUND);
        assertThat(answer.records()).extracting(DnsValue::value).containsExactly("v=DMARC1; p=reject");
        assertThat(answer.cnames()).containsExactly(new DnsValue(RecordType.CNAME, 0, "dmarc.provider.net"));
    }

    @Test
    void query_cnameWhereTxtBelongs_isNoDataWithCname() {
        dns.addCname("example.com", "elsewhere.example.org");

        DnsAnswer answer = query(lookup, "example.com", RecordType.TXT);

        assertThat(answer.outcome()).isEqualTo(Outcome.NO_DATA);
        assertThat(answer.cnames()).containsExactly(new DnsValue(RecordType.CNAME, 0, "elsewhere.example.org"));
    }

    @Test
    void query_servfail_isError() {
        dns.addTxt("example.com", "v=spf1 -all").servfail("example.com");

        DnsAnswer answer = query(lookup, "example.com", RecordType.TXT);

        assertThat(answer.outcome()).isEqualTo(Outcome.ERROR);
        assertThat(answer.error()).isEqualTo("server failure (SERVFAIL) from " + dns.hostAndPort());
    }

    @Test
    void query_refused_isError() {
        dns.refuse("example.com");

        DnsAnswer answer = query(lookup, "example.com", RecordType.TXT);

        assertThat(answer.outcome()).isEqualTo(Outcome.ERROR);
        assertThat(answer.error()).isEqualTo("query refused (REFUSED) by " + dns.hostAndPort());
    }

    @Test
    void query_droppedQuery_isErrorWithTimeout() {
        dns.addTxt("example.com", "v=spf1 -all").dropQueries("example.com");
        DnsLookup impatient = DnsResolvers.create(List.of(dns.address()), Duration.ofMillis(300));

        DnsAnswer answer = query(impatient, "example.com", RecordType.TXT);

        assertThat(answer.outcome()).isEqualTo(Outcome.ERROR);
        assertThat(answer.error()).isEqualTo("timed out after 300ms");
    }

    @Test
    void query_firstServerSilent_isAnsweredBySecond() {
        try (LoopbackDnsServer silent = LoopbackDnsServer.start()) {
            silent.dropQueries("example.com");
            dns.addTxt("example.com", "v=spf1 -all");
            DnsLookup twoServers = DnsResolvers.create(List.of(silent.address(), dns.address()), Duration.ofSeconds(2));

            DnsAnswer answer = query(twoServers, "example.com", RecordType.TXT);

            assertThat(answer.outcome()).isEqualTo(Outcome.FOUND);
            assertThat(silent.queryCount("example.com")).isEqualTo(1);
            assertThat(dns.queryCount("example.com")).isEqualTo(1);
        }
    }

    @Test
    void query_answerOver512Bytes_arrivesCompleteOverTcp() {
        String value = "v=verify " + "x".repeat(591);
        dns.add("big.example.com", RecordType.TXT, value);

        DnsAnswer answer = query(lookup, "big.example.com", RecordType.TXT);

        assertThat(answer.outcome()).isEqualTo(Outcome.FOUND);
        assertThat(answer.records()).extracting(DnsValue::value).containsExactly(value);
        assertThat(dns.queryCount("big.example.com")).isEqualTo(2);
        assertThat(dns.tcpQueryCount("big.example.com")).isEqualTo(1);
    }

    @Test
    void query_manyAtOnce_areInFlightTogether() {
        dns.delay(Duration.ofMillis(200));
        List<CompletableFuture<DnsAnswer>> answers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            dns.addTxt("n" + i + ".example.com", "value " + i);
        }

        for (int i = 0; i < 10; i++) {
            answers.add(lookup.query("n" + i + ".example.com", RecordType.TXT));
        }

        assertThat(answers)
                .allSatisfy(
                        f -> assertThat(f.get(10, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.FOUND));
        assertThat(dns.maxConcurrentQueries()).isGreaterThan(1);
    }

    @Test
    void query_askedTwice_asksTheServerTwice() {
        dns.addTxt("example.com", "v=spf1 -all");
        query(lookup, "example.com", RecordType.TXT);
        dns.remove("example.com", RecordType.TXT).addTxt("example.com", "v=spf1 include:amazonses.com -all");

        DnsAnswer second = query(lookup, "example.com", RecordType.TXT);

        assertThat(second.records()).extracting(DnsValue::value).containsExactly("v=spf1 include:amazonses.com -all");
        assertThat(dns.queryCount("example.com", RecordType.TXT)).isEqualTo(2);
    }

    @Test
    void query_invalidName_isErrorNotException() {
        DnsAnswer answer = query(lookup, "exa..mple.com", RecordType.TXT);

        assertThat(answer.outcome()).isEqualTo(Outcome.ERROR);
        assertThat(answer.error()).contains("\"exa..mple.com\" is not a valid DNS name");
    }

    @Test
    void query_serverGone_isError() {
        InetSocketAddress gone;
        try (LoopbackDnsServer closed = LoopbackDnsServer.start()) {
            gone = closed.address();
        }
        DnsLookup toNowhere = DnsResolvers.create(List.of(gone), Duration.ofMillis(500));

        DnsAnswer answer = query(toNowhere, "example.com", RecordType.TXT);

        assertThat(answer.outcome()).isEqualTo(Outcome.ERROR);
        // Loopback reports the closed port at once; a timeout is the other honest answer.
        assertThat(answer.error())
                .isIn(
                        "no DNS server listening at " + gone.getAddress().getHostAddress() + ":" + gone.getPort()
                                + " (port unreachable)",
                        "timed out after 500ms");
    }

    @Test
    void create_zeroTimeout_isRejected() {
        assertThatThrownBy(() -> DnsResolvers.create(List.of(dns.address()), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeout: PT0S (expected: > 0)");
    }

    @Test
    void create_unresolvedServer_isRejected() {
        InetSocketAddress unresolved = InetSocketAddress.createUnresolved("dns.invalid", 53);

        assertThatThrownBy(() -> DnsResolvers.create(List.of(unresolved), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is unresolved (expected: an IP address and port)");
    }

    private static DnsAnswer query(DnsLookup lookup, String name, RecordType type) {
        return lookup.query(name, type).orTimeout(10, TimeUnit.SECONDS).join();
    }
}
