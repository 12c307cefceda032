package dev.domainkeeper.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.domainkeeper.accounts.AccountService;
import dev.domainkeeper.domain.ApplyState;
import dev.domainkeeper.domain.DkimKeyLength;
import dev.domainkeeper.domain.DkimKeys;
import dev.domainkeeper.domain.DkimRotation;
import dev.domainkeeper.domain.DkimSetup;
import dev.domainkeeper.domain.DmarcPolicy;
import dev.domainkeeper.domain.DnsRecord;
import dev.domainkeeper.domain.Domain;
import dev.domainkeeper.domain.DomainName;
import dev.domainkeeper.domain.DomainSettings;
import dev.domainkeeper.domain.ExternalDkimKey;
import dev.domainkeeper.domain.IdentityStatus;
import dev.domainkeeper.domain.PublishedRecord;
import dev.domainkeeper.domain.RecordPurpose;
import dev.domainkeeper.domain.RecordType;
import dev.domainkeeper.domain.SpfMode;
import dev.domainkeeper.jobs.JobQueue;
import dev.domainkeeper.testing.Databases;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DomainStoreTest {
    @TempDir
    Path dir;

    static List<Databases.Kind> kinds() {
        return Databases.kinds();
    }

    static Domain domain(String id, String account, String name, long createdAt) {
        Instant t = Instant.ofEpochMilli(createdAt);
        return new Domain(
                id,
                account,
                new DomainName(name),
                "us-east-1",
                new DomainSettings(
                        true, false, true, DmarcPolicy.NONE, "", SpfMode.CREATE_IF_MISSING, "", "mail." + name),
                new Domain.SesState(
                        Domain.Provisioning.READY,
                        IdentityStatus.PENDING,
                        IdentityStatus.PENDING,
                        IdentityStatus.PENDING,
                        new DkimSetup(List.of("a", "b", "c"), "dkim.amazonses.com"),
                        null),
                new Domain.CheckSchedule(false, t, 0),
                ApplyState.none(),
                t,
                t,
                0);
    }

    private static String account(Database db, String name) {
        return new AccountService(new AccountStore(db.jdbi()), Clock.systemUTC())
                .createAccount(name)
                .accountId();
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void insertFindUpdate_roundTripsEveryField_withOptimisticLocking(Databases.Kind kind) {
        try (Database db = Databases.open(kind, dir)) {
            DomainStore store = new DomainStore(db);
            String acc = account(db, "a");
            Domain d =
                    domain("dom_1", acc, "example.com", 1000).withDkimKeys(DkimKeys.asked(DkimKeyLength.RSA_1024_BIT));
            store.insert(d, "me", Instant.ofEpochMilli(0));
            assertThat(store.find(acc, "dom_1").orElseThrow().dkimKeys())
                    .isEqualTo(new DkimKeys(DkimKeyLength.RSA_1024_BIT, DkimKeyLength.RSA_1024_BIT, null));
            DnsRecord failed = new DnsRecord(
                    RecordType.MX,
                    "example.com",
                    "inbound-smtp.us-east-1.amazonaws.com",
                    10,
                    300,
                    RecordPurpose.INBOUND_MX,
                    false);
            Domain changed = d.withApplyState(new ApplyState(
                            ApplyState.Status.PARTIALLY_APPLIED,
                            "ROUTE53",
                            "C1",
                            Instant.ofEpochMilli(5000),
                            "one failed",
                            List.of(new ApplyState.FailedRecord(failed, "foreign MX"))))
                    .withDkimKeys(new DkimKeys(
                            DkimKeyLength.RSA_1024_BIT,
                            DkimKeyLength.RSA_2048_BIT,
                            Instant.parse("2026-01-10T08:00:00.123Z"),
                            new ExternalDkimKey("dk20260110", "MIIBIjANBgkq", "dk1:abcd:sealed"),
                            new DkimRotation(
                                    new ExternalDkimKey("dk20260201", "MIIBIjANBgkr", "dk1:abcd:sealed2"),
                                    DkimRotation.Stage.PUBLISHED,
                                    new ExternalDkimKey("dk20251201", "MIIBIjANBgks", ""),
                                    DkimRotation.Stage.RETIRING,
                                    Instant.parse("2026-01-05T00:00:00.5Z"))));

            Domain saved = store.update(changed, Instant.ofEpochMilli(9000)).orElseThrow();

            assertThat(saved.version()).isEqualTo(1);
            assertThat(saved.applyState()).isEqualTo(changed.applyState());
            assertThat(saved.dkimKeys()).isEqualTo(changed.dkimKeys());
            assertThat(store.list(acc, 0, 10).get(0).domain().dkimKeys()).isEqualTo(changed.dkimKeys());
            assertThat(saved.dkim()).isEqualTo(d.dkim());
            assertThat(saved.updatedAt()).isEqualTo(Instant.ofEpochMilli(9000));
            assertThat(store.update(changed, Instant.now())).as("stale version").isEmpty();
            assertThat(store.find("acc_other", "dom_1")).isEmpty();
            assertThatThrownBy(() -> store.insert(domain("dom_2", acc, "example.com", 2000), "me", Instant.EPOCH))
                    .isInstanceOf(DuplicateKeyException.class);

            // A row from before the key lengths were kept reads as the default length, generated at a time not known.
            db.jdbi()
                    .useHandle(h -> h.execute("UPDATE domains SET dkim_key_length = NULL, dkim_next_key_length = NULL,"
                            + " dkim_key_generated_at = NULL, dkim_selector = NULL, dkim_incoming_selector = NULL,"
                            + " dkim_outgoing_selector = NULL WHERE id = 'dom_1'"));
            assertThat(store.find(acc, "dom_1").orElseThrow().dkimKeys())
                    .isEqualTo(new DkimKeys(DkimKeyLength.RSA_2048_BIT, DkimKeyLength.RSA_2048_BIT, null));
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void list_isKeysetPagedInCreationOrder_andScopedByAccount(Databases.Kind kind) {
        try (Database db = Databases.open(kind, dir)) {
            DomainStore store = new DomainStore(db);
            String a = account(db, "a");
            String b = account(db, "b");
            store.insert(domain("dom_c", a, "c.com", 10), "x", Instant.EPOCH);
            store.insert(domain("dom_a", a, "a.com", 10), "x", Instant.EPOCH);
            store.insert(domain("dom_b", a, "b.com", 5), "x", Instant.EPOCH);
            store.insert(domain("dom_z", b, "z.com", 1), "x", Instant.EPOCH);

            List<DomainStore.Listed> all = store.list(a, 0, 10);
            assertThat(all).extracting(l -> l.domain().id()).containsExactly("dom_c", "dom_a", "dom_b");
            assertThat(store.list(a, all.get(1).position(), 10))
                    .extracting(l -> l.domain().id())
                    .containsExactly("dom_b");
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void claimDue_neverHandsOneDomainToTwoWorkers(Databases.Kind kind) throws Exception {
        try (Database db = Databases.open(kind, dir)) {
            DomainStore store = new DomainStore(db);
            String acc = account(db, "a");
            for (int i = 0; i < 60; i++) {
                store.insert(domain("dom_" + i, acc, "d" + i + ".com", i), "x", Instant.EPOCH);
            }
            Instant now = Instant.ofEpochMilli(100_000);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<List<Domain>>> results = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                String owner = "worker-" + w;
                Callable<List<Domain>> claim = () -> store.claimDue(owner, now, now.plusSeconds(60), 20);
                results.add(pool.submit(claim));
            }
            Set<String> claimed = new HashSet<>();
            int total = 0;
            for (Future<List<Domain>> f : results) {
                for (Domain d : f.get()) {
                    claimed.add(d.id());
                    total++;
                }
            }
            pool.shutdown();

            assertThat(total).isEqualTo(claimed.size());
            assertThat(claimed).hasSize(60);
            assertThat(store.claimDue("late", now, now.plusSeconds(60), 20)).isEmpty();
            assertThat(store.claimDue("later", now.plusSeconds(61), now.plusSeconds(120), 100))
                    .hasSize(60);
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void checksDue_aClaimWhoseWorkerDied_handsTheDomainOutAgainAsItWas(Databases.Kind kind) {
        try (Database db = Databases.open(kind, dir)) {
            DomainStore store = new DomainStore(db);
            String acc = account(db, "a");
            store.insert(domain("dom_1", acc, "d1.com", 1), "x", Instant.EPOCH);
            Domain before = store.findById("dom_1").orElseThrow();
            JobQueue<Domain> checks = store.checksDue();
            Instant now = Instant.ofEpochMilli(100_000);

            assertThat(checks.claimDue("dead", now, now.plusSeconds(60), 20))
                    .extracting(Domain::id)
                    .containsExactly("dom_1");

            assertThat(store.findById("dom_1"))
                    .as("claimed: only the lease changed")
                    .contains(before);
            assertThat(checks.claimDue("early", now.plusSeconds(59), now.plusSeconds(119), 20))
                    .isEmpty();
            assertThat(checks.claimDue("next", now.plusSeconds(61), now.plusSeconds(121), 20))
                    .containsExactly(before);
            assertThat(checks.renewLease("dom_1", "dead", now.plusSeconds(200))).isFalse();
            assertThat(checks.renewLease("dom_1", "next", now.plusSeconds(200))).isTrue();
            checks.release("dom_1", "next");
            assertThat(checks.claimDue("after", now.plusSeconds(62), now.plusSeconds(122), 20))
                    .hasSize(1);
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void insert_concurrentAddsOfOneAccount_neverPassItsQuota(Databases.Kind kind) throws Exception {
        try (Database db = Databases.open(kind, dir)) {
            DomainStore store = new DomainStore(db);
            AccountStore accounts = new AccountStore(db.jdbi());
            String acc = account(db, "a");
            String other = account(db, "b");
            accounts.setDomainQuota(acc, 5);
            store.insert(domain("dom_first", acc, "first.com", 1), "x", Instant.EPOCH);
            ExecutorService pool = Executors.newFixedThreadPool(8);
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                int n = i;
                results.add(pool.submit(() -> {
                    go.await();
                    try {
                        store.insert(domain("dom_c" + n, acc, "c" + n + ".com", n), "x", Instant.EPOCH);
                        return "inserted";
                    } catch (QuotaReachedException e) {
                        return "quota " + e.held() + "/" + e.quota() + " " + e.accountName();
                    }
                }));
            }
            go.countDown();
            List<String> outcomes = new ArrayList<>();
            for (Future<String> f : results) {
                outcomes.add(f.get());
            }
            pool.shutdown();

            assertThat(outcomes).filteredOn("inserted"::equals).hasSize(4);
            assertThat(outcomes)
                    .filteredOn(o -> !o.equals("inserted"))
                    .hasSize(20)
                    .containsOnly("quota 5/5 a");
            assertThat(accounts.domainCount(acc)).isEqualTo(5);
            // A name already held still fails as a duplicate (so an unfinished add can be retried) ...
            assertThatThrownBy(() -> store.insert(domain("dom_again", acc, "first.com", 1), "x", Instant.EPOCH))
                    .isInstanceOf(DuplicateKeyException.class);
            // ... and another account's quota is its own.
            store.insert(domain("dom_other", other, "other.com", 1), "x", Instant.EPOCH);
            assertThat(accounts.domainQuota(other)).isEqualTo(1000);
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void publishedRecords_replaceReadInOrder_stayWithTheirAccount_andGoWithTheDomain(Databases.Kind kind) {
        try (Database db = Databases.open(kind, dir)) {
            DomainStore store = new DomainStore(db);
            String acc = account(db, "a");
            Domain d = domain("dom_p", acc, "example.com", 1000);
            store.insert(d, "me", Instant.ofEpochMilli(0));
            PublishedRecord spf = new PublishedRecord(
                    "ZEXAMPLE",
                    new DnsRecord(
                            RecordType.TXT,
                            "example.com",
                            "v=spf1 include:_spf.google.com include:amazonses.com ~all",
                            0,
                            300,
                            RecordPurpose.SPF,
                            true),
                    false);
            PublishedRecord mx = new PublishedRecord(
                    "ZEXAMPLE",
                    new DnsRecord(
                            RecordType.MX,
                            "mail.example.com",
                            "feedback-smtp.us-east-1.amazonses.com",
                            10,
                            300,
                            RecordPurpose.MAIL_FROM_MX,
                            true),
                    true);

            store.replacePublished(d, List.of(spf, mx), Instant.ofEpochMilli(5));
            assertThat(store.published(d)).containsExactly(spf, mx);
            store.replacePublished(d, List.of(mx), Instant.ofEpochMilli(6));
            assertThat(store.published(d)).containsExactly(mx);
            Domain otherAccounts = domain("dom_p", account(db, "b"), "example.com", 1000);
            assertThat(store.published(otherAccounts)).isEmpty();

            assertThat(store.delete(acc, "dom_p")).isTrue();
            assertThat(store.published(d)).isEmpty();
            store.replacePublished(d, List.of(spf), Instant.ofEpochMilli(7));
            assertThat(store.published(d))
                    .as("nothing stored for a removed domain")
                    .isEmpty();
        }
    }
}
