package dev.domainkeeper.errors;

import java.time.Duration;

/**
 * Signals that the request may succeed later: a dependency is unavailable (UNAVAILABLE) or the
 * caller is over a rate limit (RESOURCE_EXHAUSTED). Carries the retry hint. Adapters throw their
 * subclasses at their edge (SES, DNS hosting), so use cases let them pass without translating.
 */
public class RetryLaterException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why the caller should retry later. */
    public enum Reason {
        UNAVAILABLE,
        RATE_LIMITED
    }

    private final Reason reason;
    private final Duration retryAfter;

    public RetryLaterException(Reason reason, String message, Duration retryAfter) {
        this(reason, message, retryAfter, null);
    }

    /** Creates the exception with the outside failure that caused it (adapters pass theirs). */
    public RetryLaterException(Reason reason, String message, Duration retryAfter, Throwable cause) {
        super(message, cause);
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
