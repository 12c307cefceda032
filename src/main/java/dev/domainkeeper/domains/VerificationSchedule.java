package dev.domainkeeper.domains;

import java.time.Duration;
import java.time.Instant;

/**
 * Decides when the background verifier looks at a domain again: about every 30 s during the first
 * 10 minutes after it was added, then backing off exponentially up to hourly; settled domains
 * (verified or failed) are re-checked daily.
 */
public record VerificationSchedule(Duration early, Duration earlyWindow, Duration max, Duration settled) {

    /** Returns the production schedule. */
    public static VerificationSchedule standard() {
        return new VerificationSchedule(
                Duration.ofSeconds(30), Duration.ofMinutes(10), Duration.ofHours(1), Duration.ofDays(1));
    }

    /** Returns the delay before retrying a domain whose add did not finish. */
    public Duration firstRetry() {
        return early;
    }

    /** Returns the delay before the next check of a domain added at {@code createdAt}. */
    public Duration next(Instant createdAt, Instant now, int attempts, boolean isSettled) {
        if (isSettled) {
            return settled;
        }
        if (Duration.between(createdAt, now).compareTo(earlyWindow) < 0) {
            return early;
        }
        long steps = Math.max(0, attempts - earlyWindow.dividedBy(early));
        Duration d = early.multipliedBy(1L << Math.min(steps, 20));
        return d.compareTo(max) > 0 ? max : d;
    }
}
