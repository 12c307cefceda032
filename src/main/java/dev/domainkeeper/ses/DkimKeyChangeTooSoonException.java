package dev.domainkeeper.ses;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.errors.PreconditionFailedException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * Signals that the DKIM key length of an identity changed less than a day ago, and SES allows one change a
 * day (a FAILED_PRECONDITION answer). The message names the field {@code dkim_key_length} and, when known,
 * the time (ISO-8601 UTC) from which the next change is allowed.
 */
public final class DkimKeyChangeTooSoonException extends PreconditionFailedException {
    private static final long serialVersionUID = 1L;
    private final transient Optional<Instant> nextChangeAllowedAt;

    public DkimKeyChangeTooSoonException(String domain, Optional<Instant> nextChangeAllowedAt, Throwable cause) {
        super(message(domain, nextChangeAllowedAt), cause);
        this.nextChangeAllowedAt = requireNonNull(nextChangeAllowedAt, "nextChangeAllowedAt");
    }

    /** Returns when the next change is allowed, when known. */
    public Optional<Instant> nextChangeAllowedAt() {
        return nextChangeAllowedAt;
    }

    private static String message(String domain, Optional<Instant> at) {
        return "dkim_key_length: the DKIM key length of " + domain + " was changed less than 24 hours ago, and SES"
                + " allows one change a day (expected: "
                + at.map(t -> "retry at or after " + DateTimeFormatter.ISO_INSTANT.format(t))
                        .orElse("retry in 24 hours")
                + ")";
    }
}
