package dev.domainkeeper.ses;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.domain.DkimSetup;
import dev.domainkeeper.domain.IdentityStatus;

/**
 * Holds what SES says about a domain identity. {@code mailFromDomain} is null when no custom MAIL
 * FROM domain is set, and then {@code mailFromStatus} is NOT_STARTED. {@code ownerTag} is the value
 * of the identity's {@link SesGateway#OWNER_TAG} tag: the id of the domain row Domainkeeper created
 * it for, or null for an identity without that tag (made outside Domainkeeper).
 */
public record IdentityState(
        IdentityStatus verificationStatus,
        IdentityStatus dkimStatus,
        IdentityStatus mailFromStatus,
        DkimSetup dkim,
        String mailFromDomain,
        String ownerTag) {
    public IdentityState {
        requireNonNull(verificationStatus, "verificationStatus");
        requireNonNull(dkimStatus, "dkimStatus");
        requireNonNull(mailFromStatus, "mailFromStatus");
        requireNonNull(dkim, "dkim");
    }

    /** Returns true when Domainkeeper created this identity for the domain row {@code domainId}. */
    public boolean ownedBy(String domainId) {
        return ownerTag != null && ownerTag.equals(domainId);
    }
}
