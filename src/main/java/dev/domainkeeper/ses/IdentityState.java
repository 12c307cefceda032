package dev.domainkeeper.ses;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.domain.DkimSetup;
import dev.domainkeeper.domain.IdentityStatus;

/**
 * Holds what SES says about a domain identity. {@code mailFromDomain} is null when no custom MAIL
 * FROM domain is set, and then {@code mailFromStatus} is NOT_STARTED.
 */
public record IdentityState(IdentityStatus verificationStatus, IdentityStatus dkimStatus,
                            IdentityStatus mailFromStatus, DkimSetup dkim, String mailFromDomain) {
    public IdentityState {
        requireNonNull(verificationStatus, "verificationStatus");
        requireNonNull(dkimStatus, "dkimStatus");
        requireNonNull(mailFromStatus, "mailFromStatus");
        requireNonNull(dkim, "dkim");
    }
}
