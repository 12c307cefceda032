package dev.domainkeeper.budgets;

import dev.domainkeeper.store.BudgetStore.Bucket;
import java.time.Duration;

/** Refills token buckets and says how long one must wait for a token: the arithmetic every budget shares. */
public final class TokenBuckets {
    private TokenBuckets() {}

    /**
     * Returns the bucket's tokens at {@code nowMillis}: refilled at {@code perSecond} since it was counted,
     * at most {@code capacity} (a bucket above a capacity that shrank comes down to it). A clock behind the
     * bucket's (another node's) adds nothing.
     */
    public static double refilled(Bucket b, double perSecond, double capacity, long nowMillis) {
        double elapsedSeconds = Math.max(0, nowMillis - b.refilledAtMillis()) / 1000.0;
        return Math.min(capacity, b.tokens() + elapsedSeconds * perSecond);
    }

    /** Returns the wait, in whole seconds rounded up (it travels as a Retry-After header), until {@code tokens} reach 1. */
    public static Duration untilOne(double tokens, double perSecond) {
        if (tokens >= 1) {
            return Duration.ZERO;
        }
        return Duration.ofSeconds(Math.max(1, (long) Math.ceil((1 - tokens) / perSecond - 1e-9)));
    }

    /** Formats a rate or count for messages: {@code 1} rather than {@code 1.0}. */
    public static String format(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
