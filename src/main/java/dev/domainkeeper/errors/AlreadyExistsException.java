package dev.domainkeeper.errors;

/** Signals that the resource (for example a domain name) is already held. */
public class AlreadyExistsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public AlreadyExistsException(String message) {
        super(message);
    }

    /** Creates the exception with the outside answer that caused it (adapters pass theirs). */
    public AlreadyExistsException(String message, Throwable cause) {
        super(message, cause);
    }
}
