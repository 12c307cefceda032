package dev.domainkeeper.dnshosting;

import dev.domainkeeper.errors.PreconditionFailedException;

/**
 * Signals that the DNS provider cannot be used with the configured credentials: access was denied,
 * the request signature was refused, or no credentials could be resolved at all. A FAILED_PRECONDITION
 * answer ("Route 53 refused access: ...").
 */
public final class ProviderAccessDeniedException extends PreconditionFailedException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception for {@code provider} (its display name, e.g. "Route 53"). */
    public ProviderAccessDeniedException(String provider, String message, Throwable cause) {
        super(provider + " refused access: " + message, cause);
    }
}
