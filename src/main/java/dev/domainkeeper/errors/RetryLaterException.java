package dev.domainkeeper.errors;

import java.time.Duration;

/**
 * Signals that the request may succeed later: a dependency is unavailable (UNAVAILABLE) or the
 * caller is over a rate limit (RESOURCE_EXHAUSTED). Carries the retry hint.
 */
public final class RetryLaterException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why the caller should retry later. */
    public enum Reason { UNAVAILABLE, RATE_LIMITED }

    private final Reason reason;
    private final Duration retryAfter;

    public RetryLaterException(Reason reason, String message, Duration retryAfter) {
        super(message);
        this.reason = reason;
        this.retryAfter = retryAfter;
    }

    public Reason reason() {
        return reason;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
