package dev.domainkeeper.errors;

/**
 * Signals that the account is at a quota the operator sets (RESOURCE_EXHAUSTED): waiting does not
 * help, so unlike {@link RetryLaterException} it carries no retry hint.
 */
public final class QuotaExceededException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public QuotaExceededException(String message, Throwable cause) {
        super(message, cause);
    }
}
