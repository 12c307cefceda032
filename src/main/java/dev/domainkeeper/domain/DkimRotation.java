package dev.domainkeeper.domain;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;

/**
 * Holds where a BYODKIM key rotation stands: the incoming key until SES signs with it ({@code incoming},
 * PENDING_PUBLISH until DNS serves it, then PUBLISHED until SES has it), and the outgoing key after the
 * switch ({@code outgoing}: RETIRING for the grace period, so mail signed before the switch still
 * verifies, then REMOVABLE). Either side may be absent; both absent is no rotation.
 *
 * @param incoming the new key, or null
 * @param incomingStage PENDING_PUBLISH or PUBLISHED, null without an incoming key
 * @param outgoing the previous key after the switch (its sealed private key dropped), or null
 * @param outgoingStage RETIRING or REMOVABLE, null without an outgoing key
 * @param switchedAt when SES switched to the current key, null without an outgoing key
 */
public record DkimRotation(
        ExternalDkimKey incoming,
        Stage incomingStage,
        ExternalDkimKey outgoing,
        Stage outgoingStage,
        Instant switchedAt) {

    /** How long the old key stays published after the switch, by default. */
    public static final Duration GRACE = Duration.ofDays(7);

    /** No rotation. */
    public static final DkimRotation NONE = new DkimRotation(null, null, null, null, null);

    /** The stages of a key in a rotation. */
    public enum Stage {
        /** The new key is planned; DNS does not serve it yet. */
        PENDING_PUBLISH,
        /** DNS serves the new key; SES is to switch to it. */
        PUBLISHED,
        /** SES signs with the key (the current one). */
        ACTIVE,
        /** The old key after the switch, still published so mail signed with it verifies. */
        RETIRING,
        /** The grace period is over: the old key's record may go. */
        REMOVABLE
    }

    public DkimRotation {
        if ((incoming == null) != (incomingStage == null)) {
            throw new IllegalArgumentException("incoming and incomingStage: both or neither");
        }
        if ((outgoing == null) != (outgoingStage == null) || (outgoing == null) != (switchedAt == null)) {
            throw new IllegalArgumentException("outgoing, outgoingStage and switchedAt: all or none");
        }
    }

    /** Returns a rotation that starts with {@code key} waiting to be published; an outgoing key stays. */
    public DkimRotation start(ExternalDkimKey key) {
        return new DkimRotation(requireNonNull(key, "key"), Stage.PENDING_PUBLISH, outgoing, outgoingStage, switchedAt);
    }

    /** Returns this rotation with the incoming key published. */
    public DkimRotation published() {
        return new DkimRotation(incoming, Stage.PUBLISHED, outgoing, outgoingStage, switchedAt);
    }

    /** Returns the rotation after SES switched to the incoming key at {@code at}: {@code previous} retires. */
    public static DkimRotation switched(ExternalDkimKey previous, Instant at) {
        ExternalDkimKey withoutPrivateKey = new ExternalDkimKey(previous.selector(), previous.publicKey(), "");
        return new DkimRotation(null, null, withoutPrivateKey, Stage.RETIRING, requireNonNull(at, "at"));
    }

    /** Returns this rotation with the outgoing key removable. */
    public DkimRotation removable() {
        return new DkimRotation(incoming, incomingStage, outgoing, Stage.REMOVABLE, switchedAt);
    }

    /** When the outgoing key may go, null without one. */
    public Instant removableAt() {
        return switchedAt == null ? null : switchedAt.plus(GRACE);
    }

    /** True while a key is on its way in. */
    public boolean inProgress() {
        return incoming != null;
    }
}
