package dev.domainkeeper.errors;

/** Signals that a concurrent change won a race the caller should retry (ABORTED). */
public final class ConcurrentChangeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConcurrentChangeException(String message) {
        super(message);
    }
}
