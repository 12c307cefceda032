package dev.domainkeeper.validation;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Checks the snapshot rule: lookups start after the request arrived (a change just made is seen),
 * requests waiting for the same snapshot share one set of lookups, one snapshot identity starts at
 * most once per interval, and nothing is shared across accounts or settings.
 */
class DnsSnapshotsTest {
    @RegisterExtension
    static final LoopbackDnsServer dns = LoopbackDnsServer.start();

    private static final Duration INTERVAL = Duration.ofSeconds(1);

    private final MutableClock clock = new MutableClock(Instant.parse("2024-05-01T12:00:00Z"));
    // The loopback server stands for the resolvers and, on its own port, for every name server.
    private final DnsValidator validator = new DnsValidator(
            DnsResolvers.create(List.of(dns.address()), Duration.ofSeconds(2)),
            DnsResolvers.authoritative(
                    List.of(dns.address()), Duration.ofSeconds(2), dns.address().getPort(), true),
            clock,
            DnsValidator.DEFAULT_DEADLINE,
            DnsValidator.Timer.DEFAULT);
    /** The time the snapshots measure intervals on; moved by hand. */
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    /** Tasks scheduled with a delay, held until the test runs them. */
    private final List<Runnable> delayed = new ArrayList<>();

    private final List<Long> delays = new ArrayList<>();
    private final DnsSnapshots snapshots = new DnsSnapshots(validator, INTERVAL, nanos::get, (delay, task) -> {
        if (delay <= 0) {
            task.run();
        } else {
            delays.add(delay);
            delayed.add(task);
        }
    });

    private Domain domain(String accountId, String id) {
        DomainName name = DomainName.parse("domain", "example.com");
        Instant now = clock.instant();
        return new Domain(
                id,
                accountId,
                name,
                "us-east-1",
                DomainSettings.defaults(name),
                new Domain.SesState(
                        Domain.Provisioning.READY,
                        IdentityStatus.PENDING,
                        IdentityStatus.PENDING,
                        IdentityStatus.PENDING,
                        new DkimSetup(List.of("abc", "def", "ghi"), "dkim.amazonses.com"),
                        null),
                new Domain.CheckSchedule(false, now, 0),
                ApplyState.none(),
                now,
                now,
                1);
    }

    private void runDelayed() {
        List<Runnable> tasks = new ArrayList<>(delayed);
        delayed.clear();
        tasks.forEach(Runnable::run);
    }

    @Test
    void snapshot_rightAfterADnsChange_showsTheChange() {
        Domain d = domain("acc_1", "dom_1");
        DnsValidation before = snapshots.snapshot(d);
        dns.addCname("abc._domainkey.example.com", "abc.dkim.amazonses.com");
        nanos.addAndGet(INTERVAL.toNanos()); // a person takes at least a second to publish a record

        DnsValidation after = snapshots.snapshot(d);

        assertThat(before.records().get(0).status()).isEqualTo(DnsValidation.Status.MISSING);
        assertThat(after.records().get(0).status()).isEqualTo(DnsValidation.Status.VALID);
    }

    @Test
    void snapshot_askedAgainWithinTheInterval_waitsForNewLookupsInsteadOfServingTheOldOnes() {
        Domain d = domain("acc_1", "dom_1");
        snapshots.snapshot(d);
        int queries = dns.totalQueryCount();
        dns.addCname("abc._domainkey.example.com", "abc.dkim.amazonses.com");
        nanos.addAndGet(INTERVAL.toNanos() / 4);

        CompletableFuture<DnsValidation> second = snapshots.snapshotAsync(d);

        assertThat(second).as("waits for the interval to pass").isNotDone();
        assertThat(delays).containsExactly(INTERVAL.toNanos() * 3 / 4);
        assertThat(dns.totalQueryCount()).isEqualTo(queries);
        runDelayed();
        assertThat(second.join().records().get(0).status()).isEqualTo(DnsValidation.Status.VALID);
        assertThat(dns.totalQueryCount()).isGreaterThan(queries);
    }

    @Test
    void snapshot_manyWaitingCallers_shareOneSetOfLookups() {
        Domain d = domain("acc_1", "dom_1");
        snapshots.snapshot(d);
        int perSnapshot = dns.totalQueryCount();
        List<CompletableFuture<DnsValidation>> waiting = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            waiting.add(snapshots.snapshotAsync(d));
        }

        runDelayed();

        assertThat(delays).as("one set of lookups scheduled").hasSize(1);
        DnsValidation shared = waiting.get(0).join();
        assertThat(waiting).allSatisfy(f -> assertThat(f.join()).isSameAs(shared));
        assertThat(dns.totalQueryCount()).isEqualTo(2 * perSnapshot);
    }

    @Test
    void snapshot_aPollingLoop_costsOneSetOfLookupsPerInterval() {
        Domain d = domain("acc_1", "dom_1");
        snapshots.snapshot(d);
        int perSnapshot = dns.totalQueryCount();
        List<CompletableFuture<DnsValidation>> answers = new ArrayList<>();
        // Ten seconds of a client asking ten times a second.
        for (int tick = 1; tick <= 100; tick++) {
            nanos.addAndGet(INTERVAL.toNanos() / 10);
            answers.add(snapshots.snapshotAsync(d));
            if (tick % 10 == 0) {
                runDelayed();
                // The lookups are real: let the started set answer before the next second's polls, as a
                // client waiting for its answer would (else the sets in flight count against the account).
                answers.forEach(CompletableFuture::join);
            }
        }
        runDelayed();
        answers.forEach(CompletableFuture::join);

        assertThat(dns.totalQueryCount()).isLessThanOrEqualTo(11 * perSnapshot);
    }

    @Test
    void snapshot_ofAnotherAccount_isNotShared() {
        snapshots.snapshot(domain("acc_1", "dom_1"));
        int queries = dns.totalQueryCount();

        snapshots.snapshotAsync(domain("acc_2", "dom_1")).join();

        assertThat(delays).as("started at once: a schedule of its own").isEmpty();
        assertThat(dns.totalQueryCount()).isGreaterThan(queries);
    }

    @Test
    void snapshot_afterASettingsChange_looksUpAtOnce() {
        Domain d = domain("acc_1", "dom_1");
        snapshots.snapshot(d);
        int queries = dns.totalQueryCount();
        DomainSettings s = d.settings();

        CompletableFuture<DnsValidation> changed = snapshots.snapshotAsync(d.withSettings(
                new DomainSettings(true, false, true, DmarcPolicy.REJECT, "", s.spfMode(), "", s.mailFromDomain())));
        changed.join();

        assertThat(delays).as("started at once: a schedule of its own").isEmpty();
        assertThat(dns.totalQueryCount()).isGreaterThan(queries);

        assertThat(changed.join().records())
                .anySatisfy(c -> assertThat(c.record().value()).isEqualTo("v=DMARC1; p=reject"));
    }

    @Test
    void snapshot_withPropagation_isNeverSharedWithOneWithout_norTheReverse() {
        Domain d = domain("acc_1", "dom_1");
        snapshots.snapshot(d);
        snapshots.snapshot(d, true);
        nanos.addAndGet(INTERVAL.toNanos() / 4);
        CompletableFuture<DnsValidation> without = snapshots.snapshotAsync(d, false);

        CompletableFuture<DnsValidation> with = snapshots.snapshotAsync(d, true);
        CompletableFuture<DnsValidation> withoutAgain = snapshots.snapshotAsync(d, false);

        assertThat(with).as("a schedule of its own").isNotSameAs(without);
        assertThat(withoutAgain)
                .as("the waiting one without propagation is shared")
                .isSameAs(without);
        assertThat(delays).as("each waits for its own interval").hasSize(2);
        runDelayed();
        assertThat(with.join().records())
                .allSatisfy(c -> assertThat(c.propagation()).isPresent());
        assertThat(without.join().records())
                .allSatisfy(c -> assertThat(c.propagation()).isEmpty());
    }

    @Test
    void snapshot_withTheLimitOff_looksUpAtOnceEveryTime() {
        DnsSnapshots unlimited = new DnsSnapshots(validator, Duration.ZERO);
        Domain d = domain("acc_1", "dom_1");
        unlimited.snapshot(d);
        int queries = dns.totalQueryCount();

        unlimited.snapshot(d);

        assertThat(dns.totalQueryCount()).isGreaterThan(queries);
    }
}
