package dev.domainkeeper.testemail;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.budgets.TokenBuckets;
import dev.domainkeeper.domain.TestEmailType;
import dev.domainkeeper.errors.RetryLaterException;
import dev.domainkeeper.store.AccountStore;
import dev.domainkeeper.store.BudgetStore;
import dev.domainkeeper.store.BudgetStore.Bucket;
import dev.domainkeeper.store.BudgetStore.Key;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Limits test sends per account, in the database, so the limits hold across all nodes and restarts:
 * every test send takes a token of the account's bucket ({@code burst} at once, refilled at
 * {@code perMinute} a minute), and a NORMAL one (to any address, on the shared SES account's
 * reputation) also counts against the account's daily limit ({@code perDay} by default, or the
 * account's own, set with {@code ./domainkeeper accounts set-quota}), per UTC day. A refused send takes
 * nothing. See docs/SECURITY.md, "Budgets".
 */
public final class TestSendLimiter {
    private static final String MINUTE_BUDGET = "test-sends";
    private static final String DAY_BUDGET = "test-sends-day";

    private final BudgetStore store;
    private final AccountStore accounts;
    private final double perMinute;
    private final int burst;
    private final int perDay;
    private final Clock clock;

    public TestSendLimiter(
            BudgetStore store, AccountStore accounts, double perMinute, int burst, int perDay, Clock clock) {
        if (!(perMinute > 0) || Double.isInfinite(perMinute)) {
            throw new IllegalArgumentException("perMinute: " + perMinute + " (expected: > 0)");
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst: " + burst + " (expected: >= 1)");
        }
        if (perDay < 0) {
            throw new IllegalArgumentException("perDay: " + perDay + " (expected: >= 0)");
        }
        this.store = requireNonNull(store, "store");
        this.accounts = requireNonNull(accounts, "accounts");
        this.perMinute = perMinute;
        this.burst = burst;
        this.perDay = perDay;
        this.clock = requireNonNull(clock, "clock");
    }

    /**
     * Takes one send of {@code type} from the account's limits.
     *
     * @throws RetryLaterException (RATE_LIMITED) naming the limit, with the time until a send is allowed
     */
    public void acquire(String accountId, TestEmailType type) {
        requireNonNull(accountId, "accountId");
        requireNonNull(type, "type");
        Instant now = clock.instant();
        long nowMillis = now.toEpochMilli();
        boolean daily = type == TestEmailType.NORMAL;
        int dayLimit = daily ? accounts.testSendsPerDay(accountId).orElse(perDay) : 0;
        Instant dayStart = now.truncatedTo(ChronoUnit.DAYS);
        long dayStartMillis = dayStart.toEpochMilli();
        double perSecond = perMinute / 60;

        List<Key> keys = new ArrayList<>(List.of(new Key(MINUTE_BUDGET, accountId)));
        List<Bucket> initial = new ArrayList<>(List.of(new Bucket(burst, nowMillis)));
        if (daily) {
            // A day's bucket counts the sends of the UTC day that starts at its time.
            keys.add(new Key(DAY_BUDGET, accountId));
            initial.add(new Bucket(0, dayStartMillis));
        }
        Optional<RetryLaterException> refused = store.update(keys, initial, locked -> {
            Bucket minute = locked.bucket(0);
            double tokens = TokenBuckets.refilled(minute, perSecond, burst, nowMillis);
            long minuteAt = Math.max(nowMillis, minute.refilledAtMillis());
            double sentToday = 0;
            if (daily) {
                Bucket day = locked.bucket(1);
                sentToday = day.refilledAtMillis() == dayStartMillis ? day.tokens() : 0;
            }
            Optional<RetryLaterException> refusal = Optional.empty();
            if (daily && sentToday >= dayLimit) {
                Duration untilTomorrow = Duration.between(now, dayStart.plus(Duration.ofDays(1)));
                refusal = Optional.of(new RetryLaterException(
                        RetryLaterException.Reason.RATE_LIMITED,
                        "test emails: this account has sent " + TokenBuckets.format(sentToday)
                                + " NORMAL test emails today (UTC), its limit of " + dayLimit + " a day (expected:"
                                + " wait for the next day, or ask the operator to raise the limit with"
                                + " ./domainkeeper accounts set-quota " + accountName(accountId)
                                + " --test-sends-per-day N)",
                        Duration.ofSeconds((long) Math.ceil(untilTomorrow.toMillis() / 1000.0))));
            } else if (tokens < 1) {
                refusal = Optional.of(new RetryLaterException(
                        RetryLaterException.Reason.RATE_LIMITED,
                        "test emails: this account is over its limit of " + TokenBuckets.format(perMinute)
                                + " a minute (bursts of up to " + burst + ")",
                        TokenBuckets.untilOne(tokens, perSecond)));
            }
            double spent = refusal.isEmpty() ? 1 : 0;
            List<Bucket> next = new ArrayList<>(List.of(new Bucket(tokens - spent, minuteAt)));
            if (daily) {
                next.add(new Bucket(sentToday + spent, dayStartMillis));
            }
            return new BudgetStore.Outcome<>(next, refusal);
        });
        if (refused.isPresent()) {
            throw refused.get();
        }
    }

    private String accountName(String accountId) {
        return accounts.findAccountById(accountId)
                .map(AccountStore.AccountRow::name)
                .orElse("ACCOUNT_NAME");
    }
}
