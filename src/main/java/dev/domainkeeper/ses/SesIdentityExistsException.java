package dev.domainkeeper.ses;

/** Signals that SES already has an identity for the domain. */
public final class SesIdentityExistsException extends SesException {
    private static final long serialVersionUID = 1L;

    public SesIdentityExistsException(String message, Throwable cause) {
        super(message, cause);
    }
}
