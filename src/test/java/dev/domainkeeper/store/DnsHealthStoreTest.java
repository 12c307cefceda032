package dev.domainkeeper.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.domainkeeper.accounts.AccountService;
import dev.domainkeeper.testing.Databases;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Checks the drift watch's rows: enrolment, exclusive claims, account-scoped reads, on SQLite and PostgreSQL. */
class DnsHealthStoreTest {
    private static final Instant T0 = Instant.ofEpochMilli(5_000_000);

    @TempDir
    Path dir;

    static List<Databases.Kind> kinds() {
        return Databases.kinds();
    }

    private static String account(Database db, String name) {
        return new AccountService(new AccountStore(db.jdbi()), Clock.systemUTC())
                .createAccount(name)
                .accountId();
    }

    private static void verifiedDomain(Database db, String id, String account, String name) {
        DomainStore domains = new DomainStore(db);
        domains.insert(DomainStoreTest.domain(id, account, name, T0.toEpochMilli()), "add", T0);
        db.jdbi()
                .useHandle(h -> h.createUpdate("UPDATE domains SET verification_status = 'SUCCESS' WHERE id = :id")
                        .bind("id", id)
                        .execute());
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void onlyVerifiedDomainsAreEnrolled_once_andRowsOfRemovedDomainsGo(Databases.Kind kind) {
        try (Database db = Databases.open(kind, dir)) {
            String a = account(db, "a");
            verifiedDomain(db, "dom_1", a, "one.example.com");
            new DomainStore(db)
                    .insert(DomainStoreTest.domain("dom_2", a, "two.example.com", T0.toEpochMilli()), "add", T0);
            DnsHealthStore store = new DnsHealthStore(db.jdbi(), db.isPostgres());

            assertThat(store.enrolVerified(T0, "{}")).isEqualTo(1);
            assertThat(store.enrolVerified(T0, "{}")).isZero();
            assertThat(store.find(a, "dom_1")).isPresent();
            assertThat(store.find(a, "dom_2")).isEmpty();

            db.jdbi()
                    .useHandle(h -> h.createUpdate("DELETE FROM domains WHERE id = 'dom_1'")
                            .execute());
            store.enrolVerified(T0, "{}");
            assertThat(store.find(a, "dom_1")).isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void aDueRowGoesToOneClaim_andOnlyThatClaimRecordsItsCheck(Databases.Kind kind) {
        try (Database db = Databases.open(kind, dir)) {
            String a = account(db, "a");
            verifiedDomain(db, "dom_1", a, "one.example.com");
            DnsHealthStore store = new DnsHealthStore(db.jdbi(), db.isPostgres());
            store.enrolVerified(T0, "{}");

            List<DnsHealthStore.Health> first = store.due().claimDue("c1", T0, T0.plusSeconds(60), 10);
            List<DnsHealthStore.Health> second = store.due().claimDue("c2", T0, T0.plusSeconds(60), 10);

            assertThat(first).extracting(DnsHealthStore.Health::domainId).containsExactly("dom_1");
            assertThat(second).isEmpty();
            DnsHealthStore.Health h = first.get(0);
            Instant next = T0.plusSeconds(3600);
            assertThat(store.recordCheck(h, "c2", T0, next, "{\"x\":1}", List.of()))
                    .isFalse();
            assertThat(store.recordCheck(h, "c1", T0, next, "{\"x\":2}", List.of()))
                    .isTrue();
            store.due().release("dom_1", "c1");

            DnsHealthStore.Health stored = store.find(a, "dom_1").orElseThrow();
            assertThat(stored.state()).isEqualTo("{\"x\":2}");
            assertThat(stored.checkedAt()).contains(T0);
            assertThat(stored.nextCheckAt()).isEqualTo(next);
            assertThat(store.due().claimDue("c3", T0.plusSeconds(10), T0.plusSeconds(70), 10))
                    .as("not due until its next check")
                    .isEmpty();
            assertThat(store.due().claimDue("c4", next, next.plusSeconds(60), 10))
                    .hasSize(1);
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void anotherAccountNeverReadsTheRow(Databases.Kind kind) {
        try (Database db = Databases.open(kind, dir)) {
            String a = account(db, "a");
            String b = account(db, "b");
            verifiedDomain(db, "dom_1", a, "one.example.com");
            DnsHealthStore store = new DnsHealthStore(db.jdbi(), db.isPostgres());
            store.enrolVerified(T0, "{}");

            assertThat(store.find(b, "dom_1")).isEmpty();
            assertThat(store.find(a, "dom_1")).isPresent();
        }
    }
}
