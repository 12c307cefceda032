package dev.domainkeeper.dnshosting;

import static java.util.Objects.requireNonNull;

/**
 * Signals that the DNS provider refused a request for good, e.g. a change batch that conflicts with
 * the zone ({@code InvalidChangeBatch}), bad input, or an unknown zone or change.
 */
public final class ProviderRejectedException extends ProviderException {
    private static final long serialVersionUID = 1L;
    private final String errorCode;
    private final String providerMessage;

    public ProviderRejectedException(String errorCode, String providerMessage, String message,
                                     Throwable cause) {
        super(message, cause);
        this.errorCode = requireNonNull(errorCode, "errorCode");
        this.providerMessage = requireNonNull(providerMessage, "providerMessage");
    }

    /** Returns the provider's error code, e.g. {@code InvalidChangeBatch}. */
    public String errorCode() {
        return errorCode;
    }

    /** Returns the provider's own explanation, unchanged, e.g. to show per failed record. */
    public String providerMessage() {
        return providerMessage;
    }
}
