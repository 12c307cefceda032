package dev.domainkeeper.ses;

/** Signals that SES refused a request for good (bad request, limit exceeded, message rejected). */
public final class SesRejectedException extends SesException {
    private static final long serialVersionUID = 1L;
    private final String errorCode;

    public SesRejectedException(String errorCode, String message, Throwable cause) {
        super(message, cause);
        this.errorCode = errorCode;
    }

    /** Returns SES's error code, e.g. {@code MessageRejected}. */
    public String errorCode() {
        return errorCode;
    }
}
