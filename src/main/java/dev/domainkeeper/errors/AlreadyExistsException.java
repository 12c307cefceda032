package dev.domainkeeper.errors;

/** Signals that the resource (for example a domain name) is already held. */
public final class AlreadyExistsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public AlreadyExistsException(String message) {
        super(message);
    }
}
