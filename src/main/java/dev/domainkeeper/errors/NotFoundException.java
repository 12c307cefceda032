package dev.domainkeeper.errors;

/** Signals that the resource does not exist in the caller's account (or at all; the two look the same). */
public final class NotFoundException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(String message) {
        super(message);
    }
}
