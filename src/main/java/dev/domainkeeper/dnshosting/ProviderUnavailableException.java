package dev.domainkeeper.dnshosting;

import dev.domainkeeper.errors.RetryLaterException;
import java.time.Duration;

/**
 * Signals that the DNS provider throttled, failed, timed out or answered unreadably through all
 * retries; the caller may try again later. It is the app's UNAVAILABLE answer already
 * ("Route 53 is not answering: ..."), so use cases let it pass.
 */
public final class ProviderUnavailableException extends RetryLaterException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception for {@code provider} (its display name, e.g. "Route 53"). */
    public ProviderUnavailableException(String provider, String message, Duration retryAfter, Throwable cause) {
        super(Reason.UNAVAILABLE, provider + " is not answering: " + message, retryAfter, cause);
    }
}
