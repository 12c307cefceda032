package dev.domainkeeper.ses;

import dev.domainkeeper.errors.RetryLaterException;
import java.time.Duration;

/**
 * Signals that SES throttled, failed or timed out through all retries; the caller may retry later.
 * It is the app's UNAVAILABLE answer already ("SES is not answering: ..."), so use cases let it pass.
 */
public final class SesUnavailableException extends RetryLaterException {
    private static final long serialVersionUID = 1L;
    private final String detail;

    public SesUnavailableException(String message, Duration retryAfter, Throwable cause) {
        super(Reason.UNAVAILABLE, "SES is not answering: " + message, retryAfter, cause);
        this.detail = message;
    }

    /** Returns what went wrong, without the "SES is not answering" preamble (for a submission's error). */
    public String detail() {
        return detail;
    }
}
