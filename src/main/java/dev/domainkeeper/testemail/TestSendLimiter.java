package dev.domainkeeper.testemail;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.errors.RetryLaterException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Limits test sends per account with a token bucket: {@code burst} sends at once, refilled at
 * {@code perMinute} a minute. The buckets live in this process, so with N API nodes an account can
 * send up to N times the rate; that is enough to stop a runaway script, which is what it is for.
 */
public final class TestSendLimiter {
    private final double perMinute;
    private final int burst;
    private final Clock clock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        double tokens;
        long refilledAtMillis;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.refilledAtMillis = at;
        }
    }

    public TestSendLimiter(double perMinute, int burst, Clock clock) {
        if (!(perMinute > 0) || Double.isInfinite(perMinute)) {
            throw new IllegalArgumentException("perMinute: " + perMinute + " (expected: > 0)");
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst: " + burst + " (expected: >= 1)");
        }
        this.perMinute = perMinute;
        this.burst = burst;
        this.clock = requireNonNull(clock, "clock");
    }

    /**
     * Takes one send from the account's bucket.
     *
     * @throws RetryLaterException (RATE_LIMITED) with the time until the next send is allowed
     */
    public void acquire(String accountId) {
        requireNonNull(accountId, "accountId");
        long now = clock.millis();
        Bucket b = buckets.computeIfAbsent(accountId, k -> new Bucket(burst, now));
        Duration wait;
        synchronized (b) {
            double elapsedMinutes = Math.max(0, now - b.refilledAtMillis) / 60_000.0;
            b.tokens = Math.min(burst, b.tokens + elapsedMinutes * perMinute);
            b.refilledAtMillis = Math.max(b.refilledAtMillis, now);
            if (b.tokens >= 1) {
                b.tokens -= 1;
                return;
            }
            // Whole seconds, rounded up: the hint travels as a Retry-After header.
            wait = Duration.ofSeconds((long) Math.ceil((1 - b.tokens) / perMinute * 60));
        }
        throw new RetryLaterException(
                RetryLaterException.Reason.RATE_LIMITED,
                "test emails: this account is over its limit of " + format(perMinute) + " a minute (bursts of up to "
                        + burst + ")",
                wait);
    }

    private static String format(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
