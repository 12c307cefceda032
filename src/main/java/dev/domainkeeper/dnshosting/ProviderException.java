package dev.domainkeeper.dnshosting;

/** Signals a failed request to a DNS provider. */
public abstract class ProviderException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    protected ProviderException(String message, Throwable cause) {
        super(message, cause);
    }
}
