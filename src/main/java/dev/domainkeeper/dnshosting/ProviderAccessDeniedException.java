package dev.domainkeeper.dnshosting;

/**
 * Signals that the DNS provider cannot be used with the configured credentials: access was denied,
 * the request signature was refused, or no credentials could be resolved at all.
 */
public final class ProviderAccessDeniedException extends ProviderException {
    private static final long serialVersionUID = 1L;

    public ProviderAccessDeniedException(String message, Throwable cause) {
        super(message, cause);
    }
}
