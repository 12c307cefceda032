package dev.domainkeeper.ses;

import dev.domainkeeper.errors.AlreadyExistsException;

/** Signals that SES already has an identity for the domain. */
public final class SesIdentityExistsException extends AlreadyExistsException {
    private static final long serialVersionUID = 1L;

    public SesIdentityExistsException(String message, Throwable cause) {
        super(message, cause);
    }
}
