package dev.domainkeeper.dnshosting;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.errors.PreconditionFailedException;

/**
 * Signals that the DNS provider refused a request for good, e.g. a change batch that conflicts with
 * the zone ({@code InvalidChangeBatch}), bad input, or an unknown zone or change. A
 * FAILED_PRECONDITION answer ("Route 53 refused the request: ...").
 */
public final class ProviderRejectedException extends PreconditionFailedException {
    private static final long serialVersionUID = 1L;
    private final String provider;
    private final String errorCode;
    private final String providerMessage;

    /** Creates the exception for {@code provider} (its display name, e.g. "Route 53"). */
    public ProviderRejectedException(
            String provider, String errorCode, String providerMessage, String message, Throwable cause) {
        super(provider + " refused the request: " + message, cause);
        this.provider = requireNonNull(provider, "provider");
        this.errorCode = requireNonNull(errorCode, "errorCode");
        this.providerMessage = requireNonNull(providerMessage, "providerMessage");
    }

    /** Returns the provider's display name, e.g. "Route 53". */
    public String provider() {
        return provider;
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
