package dev.domainkeeper.events;

import dev.domainkeeper.domain.ApplyState;
import dev.domainkeeper.domain.Domain;
import dev.domainkeeper.domain.EventType;
import dev.domainkeeper.domain.IdentityStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * Names the events a change of a domain row implies, from the row as it was stored before the change
 * and as it is after it; every write of a domain records them in its transaction.
 */
public final class DomainTransitions {
    private DomainTransitions() {}

    /** Returns the events of the change from {@code before} to {@code after}, in the order they are delivered. */
    public static List<EventType> between(Domain before, Domain after) {
        List<EventType> out = new ArrayList<>();
        boolean created = before.provisioning() == Domain.Provisioning.CREATING
                && after.provisioning() == Domain.Provisioning.READY;
        if (created) {
            out.add(EventType.DOMAIN_CREATED);
        } else if (after.provisioning() == Domain.Provisioning.READY
                && (!before.settings().equals(after.settings()) || dkimChanged(before, after))) {
            out.add(EventType.DOMAIN_UPDATED);
        }
        if (after.provisioning() != Domain.Provisioning.READY) {
            return out;
        }
        if (after.canSend() && (created || !before.canSend())) {
            out.add(EventType.DOMAIN_VERIFIED);
        }
        if (failed(after) && (created || !failed(before))) {
            out.add(EventType.DOMAIN_VERIFICATION_FAILED);
        }
        ApplyState a = after.applyState();
        if (!a.equals(before.applyState())) {
            if (a.status() == ApplyState.Status.APPLIED || a.status() == ApplyState.Status.PARTIALLY_APPLIED) {
                out.add(EventType.DNS_APPLY_COMPLETED);
            } else if (a.status() == ApplyState.Status.APPLY_FAILED) {
                out.add(EventType.DNS_APPLY_FAILED);
            }
        }
        return out;
    }

    /** True when a BYODKIM key rotation took a step, or its schedule changed. */
    private static boolean dkimChanged(Domain before, Domain after) {
        return !before.dkimKeys().rotation().equals(after.dkimKeys().rotation())
                || before.dkimKeys().rotationDays() != after.dkimKeys().rotationDays();
    }

    private static boolean failed(Domain d) {
        return d.verificationStatus() == IdentityStatus.FAILED || d.dkimStatus() == IdentityStatus.FAILED;
    }
}
