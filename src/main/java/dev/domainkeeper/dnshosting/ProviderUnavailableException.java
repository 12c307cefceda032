package dev.domainkeeper.dnshosting;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Signals that the DNS provider throttled, failed, timed out or answered unreadably through all
 * retries; the caller may try again later.
 */
public final class ProviderUnavailableException extends ProviderException {
    private static final long serialVersionUID = 1L;
    private final Duration retryAfter;

    public ProviderUnavailableException(String message, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.retryAfter = requireNonNull(retryAfter, "retryAfter");
    }

    /** Returns how long the caller should wait before trying again. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
