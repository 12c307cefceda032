package dev.domainkeeper.errors;

/** Signals that the system is not in the state the request needs (for example an unverified domain). */
public final class PreconditionFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PreconditionFailedException(String message) {
        super(message);
    }
}
