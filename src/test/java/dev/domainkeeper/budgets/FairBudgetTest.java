package dev.domainkeeper.budgets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.domainkeeper.errors.RetryLaterException;
import dev.domainkeeper.store.BudgetStore;
import dev.domainkeeper.store.Database;
import dev.domainkeeper.testing.Databases;
import dev.domainkeeper.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks the shared, fair request budget on SQLite and PostgreSQL, with two database handles on one
 * database standing for two nodes, and a clock that stands still unless the test moves it.
 */
class FairBudgetTest {
    @TempDir
    Path dir;

    final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));

    static List<Databases.Kind> kinds() {
        return Databases.kinds();
    }

    /** Two handles on one database, as two nodes have. */
    private List<Database> twoNodes(Databases.Kind kind) {
        if (kind == Databases.Kind.POSTGRES) {
            Databases.requirePostgres();
            String schema = Databases.freshSchema();
            Database first = Database.open(Databases.POSTGRES_URL, Databases.POSTGRES_USER, null, schema);
            return List.of(first, Database.open(Databases.POSTGRES_URL, Databases.POSTGRES_USER, null, schema));
        }
        String url = Databases.sqliteUrl(dir);
        Database first = Database.open(url, null, null, null);
        return List.of(first, Database.open(url, null, null, null));
    }

    private FairBudget budget(Database db, double perSecond, int burst) {
        return new FairBudget(
                new BudgetStore(db.jdbi(), db.isPostgres()),
                "ses",
                "SES",
                new FairBudget.Limits(perSecond, burst),
                clock);
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void twoNodesTakingAtOnce_grantTogetherNoMoreThanTheAccountsShare(Databases.Kind kind) throws Exception {
        List<Database> nodes = twoNodes(kind);
        try (Database a = nodes.get(0);
                Database b = nodes.get(1)) {
            List<FairBudget> budgets = List.of(budget(a, 1, 10), budget(b, 1, 10));
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<Boolean>> takes = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    FairBudget on = budgets.get(i % 2);
                    takes.add(pool.submit(
                            (Callable<Boolean>) () -> on.tryTake("acc_a").isEmpty()));
                }
                int granted = 0;
                for (Future<Boolean> f : takes) {
                    granted += f.get() ? 1 : 0;
                }
                // One account alone holds at most half the burst: 5 of 10, however the nodes interleave.
                assertThat(granted).isEqualTo(5);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void anAccountThatUsedUpItsShare_leavesRoomForAnother(Databases.Kind kind) {
        try (Database db = Databases.open(kind, dir)) {
            FairBudget budget = budget(db, 1, 10);
            int first = 0;
            while (budget.tryTake("acc_a").isEmpty()) {
                first++;
            }
            assertThat(first).isEqualTo(5);

            // The second account gets its own share at once: a third of the burst with two accounts using it.
            assertThat(budget.tryTake("acc_b")).isEmpty();
            assertThat(budget.tryTake("acc_b")).isEmpty();
            assertThat(budget.tryTake("acc_b")).isEmpty();
            assertThat(budget.tryTake("acc_b")).isPresent();
            assertThat(budget.tryTake("acc_a")).isPresent();
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void aRefusal_saysWhenTheShareAllowsTheNext_andTheShareRefillsWithTime(Databases.Kind kind) {
        try (Database db = Databases.open(kind, dir)) {
            FairBudget budget = budget(db, 1, 4);
            assertThat(budget.tryTake("acc_a")).isEmpty();
            assertThat(budget.tryTake("acc_a")).isEmpty();
            // Alone, the account refills at the whole rate: one request a second.
            assertThat(budget.tryTake("acc_a")).hasValue(Duration.ofSeconds(1));

            assertThatThrownBy(() -> budget.admitRequest("acc_a"))
                    .isInstanceOfSatisfying(RetryLaterException.class, e -> {
                        assertThat(e.reason()).isEqualTo(RetryLaterException.Reason.RATE_LIMITED);
                        assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(1));
                        assertThat(e.getMessage())
                                .contains("over its share of the SES request budget (1 a second in bursts of up to 4");
                    });

            clock.advance(Duration.ofSeconds(1));
            assertThat(budget.tryTake("acc_a")).isEmpty();
            assertThat(budget.tryTake("acc_a")).isPresent();
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void chargedCalls_goIntoDebt_thatHoldsTheNextRequestBack(Databases.Kind kind) {
        try (Database db = Databases.open(kind, dir)) {
            FairBudget budget = budget(db, 1, 4);
            assertThat(budget.tryTake("acc_a")).isEmpty();
            budget.charge("acc_a", 3); // The follow-up calls of the admitted request.

            // 2 - 1 - 3 = -2 tokens: three seconds until one is back.
            assertThat(budget.tryTake("acc_a")).hasValue(Duration.ofSeconds(3));
            clock.advance(Duration.ofSeconds(3));
            assertThat(budget.tryTake("acc_a")).isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void aRestart_doesNotGiveAFreshBurst(Databases.Kind kind) {
        String sqlite = Databases.sqliteUrl(dir);
        String schema = Databases.freshSchema();
        if (kind == Databases.Kind.POSTGRES) {
            Databases.requirePostgres();
        }
        for (int life = 0; life < 2; life++) {
            try (Database db = kind == Databases.Kind.POSTGRES
                    ? Database.open(Databases.POSTGRES_URL, Databases.POSTGRES_USER, null, schema)
                    : Database.open(sqlite, null, null, null)) {
                FairBudget budget = budget(db, 1, 4);
                Optional<Duration> taken = budget.tryTake("acc_a");
                if (life == 0) {
                    assertThat(taken).isEmpty();
                    assertThat(budget.tryTake("acc_a")).isEmpty();
                } else {
                    assertThat(taken).as("after the restart").isPresent();
                }
            }
        }
    }
}
