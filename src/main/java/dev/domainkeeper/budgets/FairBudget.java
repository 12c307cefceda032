package dev.domainkeeper.budgets;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.errors.RetryLaterException;
import dev.domainkeeper.store.BudgetStore;
import dev.domainkeeper.store.BudgetStore.Bucket;
import dev.domainkeeper.store.BudgetStore.Key;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Holds one request budget of an outside system (SES, Route 53) that every account and every node
 * shares, in the database, and splits it fairly between the accounts using it. See docs/SECURITY.md,
 * "Budgets", for the rules and their bounds.
 *
 * <p>Two token buckets decide each request: the whole budget's ({@code perSecond}, bursts of
 * {@code burst}) and the account's own, which refills at {@code perSecond / n} and holds at most
 * {@code max(1, burst / (n + 1))}, where n is the number of accounts that used the budget in the last
 * {@link #ACTIVE_WINDOW} (the caller included). An account therefore never takes more than its share of
 * the rate, and the accounts together never hold the whole burst: while there are at most
 * {@code burst - 1} accounts, a token is left for one more, so no account can lock another out.
 *
 * <p>A request is admitted on one token of both buckets ({@link #admitRequest}, {@link #admitJob}); the
 * further calls of a request already admitted are charged ({@link #charge}) even below zero, so that a
 * request never stops half-way for the budget, and the debt holds the next requests back until repaid.
 */
public final class FairBudget {
    /** An account counts as using the budget for this long after its last request. */
    public static final Duration ACTIVE_WINDOW = Duration.ofSeconds(60);
    /** A background job waits at most this long for the budget before it puts its work off. */
    static final Duration JOB_WAIT = Duration.ofSeconds(2);

    /** A budget's rate and burst. */
    public record Limits(double perSecond, int burst) {
        public Limits {
            if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
                throw new IllegalArgumentException("perSecond: " + perSecond + " (expected: > 0)");
            }
            if (burst < 1) {
                throw new IllegalArgumentException("burst: " + burst + " (expected: >= 1)");
            }
        }
    }

    private final BudgetStore store;
    private final String budget;
    private final String label;
    private final Limits limits;
    private final Clock clock;

    /**
     * Creates the budget {@code budget} (its name in the database) of {@code label} (the system's name in
     * messages, e.g. "SES").
     */
    public FairBudget(BudgetStore store, String budget, String label, Limits limits, Clock clock) {
        this.store = requireNonNull(store, "store");
        this.budget = requireNonNull(budget, "budget");
        this.label = requireNonNull(label, "label");
        this.limits = requireNonNull(limits, "limits");
        this.clock = requireNonNull(clock, "clock");
    }

    /** Returns the system's name in messages, e.g. "SES". */
    public String label() {
        return label;
    }

    /**
     * Takes one request of the account's share when both buckets hold one; returns empty when taken, or
     * how long until it could be.
     */
    public Optional<Duration> tryTake(String accountId) {
        return take(accountId, 1, false);
    }

    /** Charges {@code requests} requests to the account and the whole budget, below zero if need be. */
    public void charge(String accountId, int requests) {
        if (requests > 0) {
            take(accountId, requests, true);
        }
    }

    /**
     * Admits a request of the account, or refuses it before it changed anything.
     *
     * @throws RetryLaterException (RATE_LIMITED) with the time until the account's share allows a request
     */
    public void admitRequest(String accountId) {
        Optional<Duration> wait = tryTake(accountId);
        if (wait.isPresent()) {
            throw refusal(wait.get());
        }
    }

    /**
     * Admits a background job's request, waiting up to {@link #JOB_WAIT} for the account's share.
     *
     * @throws RetryLaterException (RATE_LIMITED) when the share allows none sooner: the job puts the work off
     */
    public void admitJob(String accountId) {
        long waitedMillis = 0;
        while (true) {
            Optional<Duration> wait = tryTake(accountId);
            if (wait.isEmpty()) {
                return;
            }
            long millis = wait.get().toMillis();
            if (waitedMillis + millis > JOB_WAIT.toMillis()) {
                throw refusal(wait.get());
            }
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw refusal(wait.get());
            }
            waitedMillis += millis;
        }
    }

    private RetryLaterException refusal(Duration wait) {
        return new RetryLaterException(
                RetryLaterException.Reason.RATE_LIMITED,
                label + " requests: this account is over its share of the " + label + " request budget ("
                        + TokenBuckets.format(limits.perSecond()) + " a second in bursts of up to " + limits.burst()
                        + ", shared by all accounts; nothing was changed)",
                wait);
    }

    private Optional<Duration> take(String accountId, int requests, boolean force) {
        requireNonNull(accountId, "accountId");
        long now = clock.millis();
        double perSecond = limits.perSecond();
        double burst = limits.burst();
        return store.update(
                List.of(new Key(budget, BudgetStore.WHOLE), new Key(budget, accountId)),
                List.of(new Bucket(burst, now), new Bucket(Math.max(1, burst / 2), now)),
                locked -> {
                    int n = Math.max(1, locked.activeAccounts(budget, accountId, now - ACTIVE_WINDOW.toMillis()));
                    double accountRate = perSecond / n;
                    double whole = TokenBuckets.refilled(locked.bucket(0), perSecond, burst, now);
                    double own =
                            TokenBuckets.refilled(locked.bucket(1), accountRate, Math.max(1, burst / (n + 1)), now);
                    boolean taken = force || (whole >= 1 && own >= 1);
                    double spent = taken ? requests : 0;
                    Optional<Duration> wait = taken
                            ? Optional.empty()
                            : Optional.of(max(
                                    TokenBuckets.untilOne(whole, perSecond), TokenBuckets.untilOne(own, accountRate)));
                    // A clock behind the one that counted last (another node's) does not move the count back.
                    return new BudgetStore.Outcome<>(
                            List.of(
                                    new Bucket(
                                            whole - spent,
                                            Math.max(now, locked.bucket(0).refilledAtMillis())),
                                    new Bucket(
                                            own - spent,
                                            Math.max(now, locked.bucket(1).refilledAtMillis()))),
                            wait);
                });
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
