package dev.domainkeeper.dnshosting;

import dev.domainkeeper.errors.PreconditionFailedException;

/**
 * Signals that a record set changed at the provider between our read and our write, so the write
 * was refused as a whole and nothing was changed: the other writer's change stands. A
 * FAILED_PRECONDITION answer; applying again plans from the new content.
 */
public final class ProviderConcurrentChangeException extends PreconditionFailedException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception for {@code provider} (its display name). */
    public ProviderConcurrentChangeException(String provider, String message) {
        super(provider + " refused the update because the zone changed since Domainkeeper read it: " + message
                + "; nothing was written (apply again to plan from the zone as it is now)");
    }
}
