package dev.domainkeeper.ses;

/** Signals a failed SES request. */
public abstract class SesException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    protected SesException(String message, Throwable cause) {
        super(message, cause);
    }
}
