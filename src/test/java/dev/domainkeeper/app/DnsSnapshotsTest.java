package dev.domainkeeper.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.domainkeeper.dns.DnsValidation;
import dev.domainkeeper.dns.DnsValidator;
import dev.domainkeeper.dns.resolver.DnsResolvers;
import dev.domainkeeper.domain.ApplyState;
import dev.domainkeeper.domain.DkimSetup;
import dev.domainkeeper.domain.DmarcPolicy;
import dev.domainkeeper.domain.Domain;
import dev.domainkeeper.domain.DomainName;
import dev.domainkeeper.domain.DomainSettings;
import dev.domainkeeper.domain.IdentityStatus;
import dev.domainkeeper.testing.LoopbackDnsServer;
import dev.domainkeeper.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Checks that snapshots are reused for a few seconds, and only for the same account, domain and settings. */
class DnsSnapshotsTest {
    @RegisterExtension
    static final LoopbackDnsServer dns = LoopbackDnsServer.start();

    private final MutableClock clock = new MutableClock(Instant.parse("2024-05-01T12:00:00Z"));
    private final DnsSnapshots snapshots = new DnsSnapshots(
            new DnsValidator(DnsResolvers.create(List.of(dns.address()), Duration.ofSeconds(2)), clock),
            Duration.ofSeconds(5), clock);

    private Domain domain(String accountId, String id) {
        DomainName name = DomainName.parse("domain", "example.com");
        Instant now = clock.instant();
        return new Domain(id, accountId, name, "us-east-1", DomainSettings.defaults(name), Domain.Provisioning.READY,
                IdentityStatus.PENDING, IdentityStatus.PENDING, IdentityStatus.PENDING,
                new DkimSetup(List.of("abc", "def", "ghi"), "dkim.amazonses.com"), false, null, now, 0,
                ApplyState.none(), now, now, 1);
    }

    @Test
    void snapshot_withinTheWindow_makesNoNewQueries() {
        Domain d = domain("acc_1", "dom_1");
        DnsValidation first = snapshots.snapshot(d);
        int queries = dns.totalQueryCount();
        dns.addCname("abc._domainkey.example.com", "abc.dkim.amazonses.com");
        clock.advance(Duration.ofSeconds(4));

        DnsValidation second = snapshots.snapshot(d);

        assertThat(queries).isPositive();
        assertThat(dns.totalQueryCount()).isEqualTo(queries);
        assertThat(second).isSameAs(first);
    }

    @Test
    void snapshot_afterTheWindow_looksUpAgain() {
        Domain d = domain("acc_1", "dom_1");
        snapshots.snapshot(d);
        int queries = dns.totalQueryCount();
        dns.addCname("abc._domainkey.example.com", "abc.dkim.amazonses.com");
        clock.advance(Duration.ofSeconds(6));

        DnsValidation second = snapshots.snapshot(d);

        assertThat(dns.totalQueryCount()).isGreaterThan(queries);
        assertThat(second.records().get(0).status()).isEqualTo(DnsValidation.Status.VALID);
        assertThat(second.checkedAt()).isEqualTo(clock.instant());
    }

    @Test
    void snapshot_ofAnotherAccount_isNotShared() {
        snapshots.snapshot(domain("acc_1", "dom_1"));
        int queries = dns.totalQueryCount();

        snapshots.snapshot(domain("acc_2", "dom_1"));

        assertThat(dns.totalQueryCount()).isGreaterThan(queries);
    }

    @Test
    void snapshot_afterASettingsChange_looksUpAgain() {
        Domain d = domain("acc_1", "dom_1");
        snapshots.snapshot(d);
        int queries = dns.totalQueryCount();
        DomainSettings s = d.settings();

        DnsValidation changed = snapshots.snapshot(d.withSettings(new DomainSettings(true, false, true,
                DmarcPolicy.REJECT, "", s.spfMode(), "", s.mailFromDomain())));

        assertThat(dns.totalQueryCount()).isGreaterThan(queries);
        assertThat(changed.records()).anySatisfy(c -> assertThat(c.record().value()).isEqualTo("v=DMARC1; p=reject"));
    }

    @Test
    void fresh_bypassesTheCache_andIsServedAfterwards() {
        Domain d = domain("acc_1", "dom_1");
        snapshots.snapshot(d);
        int queries = dns.totalQueryCount();

        DnsValidation fresh = snapshots.fresh(d);

        assertThat(dns.totalQueryCount()).isGreaterThan(queries);
        assertThat(snapshots.snapshot(d)).isSameAs(fresh);
    }

    @Test
    void snapshot_withCachingOff_looksUpEveryTime() {
        DnsSnapshots uncached = new DnsSnapshots(
                new DnsValidator(DnsResolvers.create(List.of(dns.address()), Duration.ofSeconds(2)), clock),
                Duration.ZERO, clock);
        Domain d = domain("acc_1", "dom_1");
        uncached.snapshot(d);
        int queries = dns.totalQueryCount();

        uncached.snapshot(d);

        assertThat(dns.totalQueryCount()).isGreaterThan(queries);
    }
}
