package dev.domainkeeper.errors;

/**
 * Signals that the system is not in the state the request needs (for example an unverified domain),
 * or that an outside system refused the request for good; adapters throw their subclasses.
 */
public class PreconditionFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PreconditionFailedException(String message) {
        super(message);
    }

    /** Creates the exception with the outside refusal that caused it (adapters pass theirs). */
    public PreconditionFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
