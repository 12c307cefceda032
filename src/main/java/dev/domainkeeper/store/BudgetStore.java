package dev.domainkeeper.store;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Keeps the token buckets of the budgets every node shares ({@code budget_buckets}): a change reads the
 * buckets it names locked, decides, and writes them back in one transaction, so nodes on one database
 * never both take the same token. On PostgreSQL the rows are locked {@code FOR UPDATE} in the order
 * given (callers name the whole budget first, so two changes never wait on each other in a cycle);
 * SQLite runs one write transaction at a time (transactions begin IMMEDIATE).
 */
public final class BudgetStore {
    /** The scope of the bucket that holds a whole budget, for all accounts together. */
    public static final String WHOLE = "*";

    private final Jdbi jdbi;
    private final boolean postgres;

    public BudgetStore(Jdbi jdbi, boolean postgres) {
        this.jdbi = requireNonNull(jdbi, "jdbi");
        this.postgres = postgres;
    }

    /** Names one bucket: a budget ({@code ses}, {@code route53}, ...) and a scope ({@link #WHOLE} or an account id). */
    public record Key(String budget, String scope) {
        public Key {
            requireNonNull(budget, "budget");
            requireNonNull(scope, "scope");
        }
    }

    /** A bucket's tokens (may be below zero) and the time, in epoch milliseconds, they were counted at. */
    public record Bucket(double tokens, long refilledAtMillis) {}

    /** What a change sees while it holds the buckets. */
    public interface Locked {
        /** Returns the {@code i}-th bucket named, as stored (or as created with its initial value). */
        Bucket bucket(int i);

        /**
         * Returns how many accounts' buckets of {@code budget} were counted at or after {@code sinceMillis},
         * counting {@code accountId} in any case: the accounts using the budget now.
         */
        int activeAccounts(String budget, String accountId, long sinceMillis);
    }

    /** What a change decides: the buckets to store (in the order named) and its answer. */
    public record Outcome<T>(List<Bucket> buckets, T answer) {
        public Outcome {
            buckets = List.copyOf(buckets);
        }
    }

    /**
     * Locks the buckets {@code keys} (creating a missing one with its {@code initial} value), hands them to
     * {@code change}, stores the buckets it returns and returns its answer, all in one transaction.
     */
    public <T> T update(List<Key> keys, List<Bucket> initial, Function<Locked, Outcome<T>> change) {
        if (keys.size() != initial.size()) {
            throw new IllegalArgumentException(
                    "initial: " + initial.size() + " buckets (expected: one per key, " + keys.size() + ")");
        }
        return jdbi.inTransaction(h -> {
            List<Bucket> held = new ArrayList<>();
            for (int i = 0; i < keys.size(); i++) {
                held.add(lock(h, keys.get(i), initial.get(i)));
            }
            Outcome<T> outcome = change.apply(new Locked() {
                @Override
                public Bucket bucket(int i) {
                    return held.get(i);
                }

                @Override
                public int activeAccounts(String budget, String accountId, long sinceMillis) {
                    return h.createQuery(
                                    "SELECT COUNT(*) FROM budget_buckets WHERE budget = :budget AND scope <> :whole"
                                            + " AND (refilled_at >= :since OR scope = :account)")
                            .bind("budget", budget)
                            .bind("whole", WHOLE)
                            .bind("since", sinceMillis)
                            .bind("account", accountId)
                            .mapTo(Integer.class)
                            .one();
                }
            });
            if (outcome.buckets().size() != keys.size()) {
                throw new IllegalStateException(
                        "change returned " + outcome.buckets().size() + " buckets (expected: " + keys.size() + ")");
            }
            for (int i = 0; i < keys.size(); i++) {
                Bucket b = outcome.buckets().get(i);
                h.createUpdate("UPDATE budget_buckets SET tokens = :tokens, refilled_at = :at"
                                + " WHERE budget = :budget AND scope = :scope")
                        .bind("tokens", b.tokens())
                        .bind("at", b.refilledAtMillis())
                        .bind("budget", keys.get(i).budget())
                        .bind("scope", keys.get(i).scope())
                        .execute();
            }
            return outcome.answer();
        });
    }

    private Bucket lock(Handle h, Key key, Bucket initial) {
        h.createUpdate("INSERT INTO budget_buckets (budget, scope, tokens, refilled_at) VALUES (:budget, :scope,"
                        + " :tokens, :at) ON CONFLICT (budget, scope) DO NOTHING")
                .bind("budget", key.budget())
                .bind("scope", key.scope())
                .bind("tokens", initial.tokens())
                .bind("at", initial.refilledAtMillis())
                .execute();
        return h.createQuery("SELECT tokens, refilled_at FROM budget_buckets WHERE budget = :budget AND scope = :scope"
                        + (postgres ? " FOR UPDATE" : ""))
                .bind("budget", key.budget())
                .bind("scope", key.scope())
                .map((rs, ctx) -> new Bucket(rs.getDouble("tokens"), rs.getLong("refilled_at")))
                .one();
    }
}
