package dev.domainkeeper.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.domainkeeper.dns.AuthoritativeLookup;
import dev.domainkeeper.dns.resolver.DnsResolvers;
import dev.domainkeeper.domain.DkimSetup;
import dev.domainkeeper.domain.DnsRecord;
import dev.domainkeeper.domain.DomainName;
import dev.domainkeeper.domain.DomainSettings;
import dev.domainkeeper.domain.RecordPurpose;
import dev.domainkeeper.domain.RecordType;
import dev.domainkeeper.domain.RequiredRecords;
import dev.domainkeeper.testing.LoopbackDnsServer;
import dev.domainkeeper.testing.LoopbackNameServers;
import dev.domainkeeper.validation.DnsValidation.NameServerCheck;
import dev.domainkeeper.validation.DnsValidation.Propagation;
import dev.domainkeeper.validation.DnsValidation.RecordCheck;
import dev.domainkeeper.validation.DnsValidation.Status;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Checks propagation on real DNS servers on loopback: one acts as the recursive resolver (it holds
 * the zone's NS records and the name servers' A records), three on 127.0.0.2-4 act as the zone's
 * authoritative name servers, all on one port.
 */
class DnsPropagationTest {
    private static final DomainName DOMAIN = DomainName.parse("domain", "example.com");
    private static final DkimSetup DKIM = new DkimSetup(List.of("abc", "def", "ghi"), "dkim.amazonses.com");
    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");
    private static final DomainSettings SETTINGS = DomainSettings.defaults(DOMAIN);
    private static final List<DnsRecord> PLAN = RequiredRecords.plan(DOMAIN, SETTINGS, DKIM, "us-east-1");

    @RegisterExtension
    static final LoopbackNameServers zone = LoopbackNameServers.start();

    static final LoopbackDnsServer resolver = zone.resolver();
    static final List<LoopbackDnsServer> nameServers = zone.nameServers();

    @BeforeEach
    void publishOnTheResolver() {
        zone.delegate("example.com");
        publish(resolver);
        resolver.addTxt("amazonses.com", "v=spf1 ip4:199.255.192.0/22 -all");
    }

    private DnsValidator validator(Duration deadline) {
        return validator(deadline, true);
    }

    private DnsValidator validator(Duration deadline, boolean allowPrivate) {
        List<InetSocketAddress> resolvers = List.of(resolver.address());
        AuthoritativeLookup authoritative =
                DnsResolvers.authoritative(resolvers, Duration.ofSeconds(2), zone.port(), allowPrivate);
        return new DnsValidator(
                DnsResolvers.create(resolvers, Duration.ofSeconds(2)),
                authoritative,
                Clock.fixed(NOW, ZoneOffset.UTC),
                deadline,
                DnsValidator.Timer.DEFAULT);
    }

    private DnsValidation validate(boolean propagation) {
        return validator(Duration.ofSeconds(10))
                .validate(PLAN, SETTINGS, propagation ? DOMAIN : null)
                .join();
    }

    private static void publish(LoopbackDnsServer server, RecordPurpose... except) {
        server.publish(PLAN, except);
    }

    private static RecordCheck check(DnsValidation v, RecordPurpose purpose) {
        return v.records().stream()
                .filter(c -> c.record().purpose() == purpose)
                .findFirst()
                .orElseThrow();
    }

    private static Propagation propagation(DnsValidation v, RecordPurpose purpose) {
        return check(v, purpose).propagation().orElseThrow();
    }

    @Test
    void oneNameServerLagging_showsTwoOfThree_thenThreeOfThreeOnceItHasTheRecord() {
        publish(nameServers.get(0));
        publish(nameServers.get(1));
        publish(nameServers.get(2), RecordPurpose.DMARC); // ns3 has not got the DMARC record yet

        DnsValidation lagging = validate(true);

        Propagation dmarc = propagation(lagging, RecordPurpose.DMARC);
        assertThat(check(lagging, RecordPurpose.DMARC).status())
                .as("the resolver already has it")
                .isEqualTo(Status.VALID);
        assertThat(dmarc.zone()).isEqualTo("example.com");
        assertThat(dmarc.nameServersTotal()).isEqualTo(3);
        assertThat(dmarc.nameServersServing()).isEqualTo(2);
        assertThat(dmarc.summary()).isEqualTo("2 of 3 name servers of example.com serve the expected value");
        assertThat(dmarc.nameServers())
                .extracting(NameServerCheck::host, NameServerCheck::address, NameServerCheck::status)
                .containsExactly(
                        tuple("ns1.example.net", "127.0.0.2", Status.VALID),
                        tuple("ns2.example.net", "127.0.0.3", Status.VALID),
                        tuple("ns3.example.net", "127.0.0.4", Status.MISSING));
        assertThat(dmarc.nameServers().get(2).message()).contains("No DMARC record at _dmarc.example.com");
        assertThat(dmarc.nameServers().get(0).foundValues()).containsExactly("v=DMARC1; p=none");
        assertThat(propagation(lagging, RecordPurpose.DKIM).summary())
                .isEqualTo("3 of 3 name servers of example.com serve the expected value");

        nameServers
                .get(2)
                .add(
                        "_dmarc.example.com",
                        RecordType.TXT,
                        check(lagging, RecordPurpose.DMARC).record().value());
        DnsValidation spread = validate(true);

        assertThat(propagation(spread, RecordPurpose.DMARC).summary())
                .isEqualTo("3 of 3 name servers of example.com serve the expected value");
        assertThat(spread.records())
                .allSatisfy(c -> assertThat(c.propagation().orElseThrow().nameServersServing())
                        .isEqualTo(3));
    }

    @Test
    void nameServers_areAskedWithoutRecursion_onceEachPerNameAndType_andTheZoneOnce() {
        nameServers.forEach(DnsPropagationTest::publish);

        validate(true);

        for (LoopbackDnsServer ns : nameServers) {
            assertThat(ns.recursionDesiredQueryCount()).as("RD off").isZero();
            assertThat(ns.totalQueryCount()).as("one query per planned record").isEqualTo(PLAN.size());
            assertThat(ns.queryCount("amazonses.com"))
                    .as("SPF includes are not followed per name server")
                    .isZero();
        }
        assertThat(resolver.queryCount("example.com", RecordType.NS))
                .as("the zone's name servers are found once per snapshot")
                .isEqualTo(1);
        assertThat(resolver.queryCount("ns1.example.net"))
                .as("A and AAAA, once")
                .isEqualTo(2);
    }

    @Test
    void aNameServerAnsweringWithoutTheAaFlag_countsAsAnErrorForThatServer() {
        nameServers.forEach(DnsPropagationTest::publish);
        nameServers.get(1).authoritative(false);

        DnsValidation v = validate(true);

        Propagation dkim = propagation(v, RecordPurpose.DKIM);
        assertThat(dkim.nameServersServing()).isEqualTo(2);
        NameServerCheck lame = dkim.nameServers().get(1);
        assertThat(lame.host()).isEqualTo("ns2.example.net");
        assertThat(lame.status()).isEqualTo(Status.ERROR);
        assertThat(lame.foundValues()).isEmpty();
        assertThat(lame.message()).contains("not authoritative").contains("127.0.0.3");
    }

    @Test
    void withoutPropagation_noPropagation_andNoNameServerIsAsked() {
        nameServers.forEach(DnsPropagationTest::publish);

        DnsValidation v = validate(false);

        assertThat(v.records()).allSatisfy(c -> assertThat(c.propagation()).isEmpty());
        assertThat(nameServers)
                .allSatisfy(ns -> assertThat(ns.totalQueryCount()).isZero());
        assertThat(resolver.queryCount("example.com", RecordType.NS)).isZero();
    }

    @Test
    void aSlowNameServer_endsAtTheSnapshotDeadline_saysItRanOutOfTime_andTheRecordsKeepTheirCheck() {
        nameServers.forEach(DnsPropagationTest::publish);
        nameServers.get(2).delay(Duration.ofSeconds(20));

        long start = System.nanoTime();
        DnsValidation v = validator(Duration.ofMillis(800))
                .validate(PLAN, SETTINGS, DOMAIN)
                .join();

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(v.records()).extracting(RecordCheck::status).containsOnly(Status.VALID);
        assertThat(v.records()).allSatisfy(c -> {
            Propagation p = c.propagation().orElseThrow();
            assertThat(p.error()).contains("ran out of time").contains("800 ms");
            assertThat(p.summary()).contains("ran out of time");
        });
    }

    @Test
    void nameServersAtPrivateAddresses_areNotAsked_unlessAllowed() {
        nameServers.forEach(DnsPropagationTest::publish);

        DnsValidation v = validator(Duration.ofSeconds(10), false)
                .validate(PLAN, SETTINGS, DOMAIN)
                .join();

        Propagation dkim = propagation(v, RecordPurpose.DKIM);
        assertThat(dkim.nameServersServing()).isZero();
        assertThat(dkim.nameServers()).allSatisfy(ns -> {
            assertThat(ns.status()).isEqualTo(Status.ERROR);
            assertThat(ns.address()).isEmpty();
            assertThat(ns.message())
                    .contains("resolves to 127.0.0.", "a loopback address, where name servers are not asked")
                    .contains("DOMAINKEEPER_DNS_AUTHORITATIVE_ALLOW_PRIVATE=true");
        });
        assertThat(nameServers)
                .allSatisfy(ns -> assertThat(ns.totalQueryCount()).isZero());
    }

    @Test
    void zones_areLookedForUpToTheRegistrableDomainOnly() {
        // NS records only above the registrable domain, as at a TLD: never asked.
        resolver.clear();
        resolver.add("com", RecordType.NS, "ns1.example.net");
        resolver.addA("ns1.example.net", "127.0.0.2");

        DnsValidation v = validate(true);

        Propagation dmarc = propagation(v, RecordPurpose.DMARC);
        assertThat(dmarc.error()).isEqualTo("no NS records at _dmarc.example.com or its parents up to example.com");
        assertThat(dmarc.zone()).isEmpty();
        assertThat(resolver.queryCount("com")).isZero();
        assertThat(resolver.queryCount("_dmarc.example.com", RecordType.NS)).isEqualTo(1);
        assertThat(nameServers)
                .allSatisfy(ns -> assertThat(ns.totalQueryCount()).isZero());
    }

    @Test
    void aDelegatedSubdomain_isItsOwnZone() {
        nameServers.forEach(DnsPropagationTest::publish);
        // mail.example.com is delegated to ns1 alone.
        resolver.add("mail.example.com", RecordType.NS, "ns1.example.net");

        DnsValidation v = validate(true);

        Propagation mailFrom = propagation(v, RecordPurpose.MAIL_FROM_MX);
        assertThat(mailFrom.zone()).isEqualTo("mail.example.com");
        assertThat(mailFrom.summary()).isEqualTo("1 of 1 name server of mail.example.com serves the expected value");
        assertThat(propagation(v, RecordPurpose.DMARC).zone()).isEqualTo("example.com");
    }
}
