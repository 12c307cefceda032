package dev.domainkeeper.ses;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.errors.PreconditionFailedException;

/**
 * Signals that SES refused a request for good (bad request, limit exceeded, message rejected). It is
 * a FAILED_PRECONDITION answer; use cases add what they were doing where that helps the caller.
 */
public final class SesRejectedException extends PreconditionFailedException {
    private static final long serialVersionUID = 1L;
    private final String errorCode;

    public SesRejectedException(String errorCode, String message, Throwable cause) {
        super(message, cause);
        this.errorCode = requireNonNull(errorCode, "errorCode");
    }

    /** Returns SES's error code, e.g. {@code MessageRejected}. */
    public String errorCode() {
        return errorCode;
    }
}
