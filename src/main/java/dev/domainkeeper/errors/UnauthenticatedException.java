package dev.domainkeeper.errors;

/** Signals a missing, unknown or revoked API key. */
public final class UnauthenticatedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UnauthenticatedException(String message) {
        super(message);
    }
}
