package dev.domainkeeper.ses;

import java.time.Duration;

/** Signals that SES throttled, failed or timed out through all retries; the caller may retry later. */
public final class SesUnavailableException extends SesException {
    private static final long serialVersionUID = 1L;
    private final Duration retryAfter;

    public SesUnavailableException(String message, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.retryAfter = retryAfter;
    }

    /** Returns how long the caller should wait before retrying. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
