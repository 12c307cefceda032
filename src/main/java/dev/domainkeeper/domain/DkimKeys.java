package dev.domainkeeper.domain;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * Holds what Domainkeeper last learned of the DKIM keys a domain's mail is signed with: the length of
 * the key pair in use, the length generated next (the one last asked for), when the key pair was last
 * generated (null when not known), and, for BYODKIM, the key pair Domainkeeper made ({@code external},
 * null with Easy DKIM, where SES makes the keys).
 */
public record DkimKeys(
        DkimKeyLength current,
        DkimKeyLength next,
        Instant lastGeneratedAt,
        ExternalDkimKey external,
        DkimRotation rotation) {

    /** The keys of an identity made before their lengths were kept: the default length, time not known. */
    public static final DkimKeys UNKNOWN_DEFAULT = asked(DkimKeyLength.DEFAULT);

    public DkimKeys {
        requireNonNull(current, "current");
        requireNonNull(next, "next");
        rotation = rotation == null ? DkimRotation.NONE : rotation;
    }

    /** Returns Easy DKIM keys (no key pair of Domainkeeper's own). */
    public DkimKeys(DkimKeyLength current, DkimKeyLength next, Instant lastGeneratedAt) {
        this(current, next, lastGeneratedAt, null, DkimRotation.NONE);
    }

    /** Returns keys with Domainkeeper's own key pair {@code external} (null: Easy DKIM) and no rotation. */
    public DkimKeys(DkimKeyLength current, DkimKeyLength next, Instant lastGeneratedAt, ExternalDkimKey external) {
        this(current, next, lastGeneratedAt, external, DkimRotation.NONE);
    }

    /** Returns a copy with the rotation {@code r}. */
    public DkimKeys withRotation(DkimRotation r) {
        return new DkimKeys(current, next, lastGeneratedAt, external, r);
    }

    /** Returns who makes the keys: {@link DkimMode#BYODKIM} when Domainkeeper holds the key pair. */
    public DkimMode mode() {
        return external == null ? DkimMode.EASY_DKIM : DkimMode.BYODKIM;
    }

    /** Returns a copy holding Domainkeeper's own key pair {@code key}. */
    public DkimKeys withExternal(ExternalDkimKey key) {
        return new DkimKeys(current, next, lastGeneratedAt, key, rotation);
    }

    /** Returns the keys of an identity asked for with {@code length}, before SES generated them. */
    public static DkimKeys asked(DkimKeyLength length) {
        return new DkimKeys(length, length, null);
    }

    /** Returns a copy saying SES generated the key pair at {@code at}. */
    public DkimKeys generatedAt(Instant at) {
        return new DkimKeys(current, next, at, external, rotation);
    }
}
