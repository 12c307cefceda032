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
        DkimRotation rotation,
        int rotationDays) {

    /** The keys of an identity made before their lengths were kept: the default length, time not known. */
    public static final DkimKeys UNKNOWN_DEFAULT = asked(DkimKeyLength.DEFAULT);

    public DkimKeys {
        requireNonNull(current, "current");
        requireNonNull(next, "next");
        rotation = rotation == null ? DkimRotation.NONE : rotation;
        if (rotationDays < 0) {
            throw new IllegalArgumentException("rotationDays: " + rotationDays + " (expected: >= 0)");
        }
    }

    /** Returns keys without scheduled rotation. */
    public DkimKeys(
            DkimKeyLength current,
            DkimKeyLength next,
            Instant lastGeneratedAt,
            ExternalDkimKey external,
            DkimRotation rotation) {
        this(current, next, lastGeneratedAt, external, rotation, 0);
    }

    /** Returns Easy DKIM keys (no key pair of Domainkeeper's own). */
    public DkimKeys(DkimKeyLength current, DkimKeyLength next, Instant lastGeneratedAt) {
        this(current, next, lastGeneratedAt, null, DkimRotation.NONE, 0);
    }

    /** Returns keys with Domainkeeper's own key pair {@code external} (null: Easy DKIM) and no rotation. */
    public DkimKeys(DkimKeyLength current, DkimKeyLength next, Instant lastGeneratedAt, ExternalDkimKey external) {
        this(current, next, lastGeneratedAt, external, DkimRotation.NONE, 0);
    }

    /** Returns a copy with the key lengths and generation time replaced, the rest kept. */
    public DkimKeys withLengths(DkimKeyLength current, DkimKeyLength next, Instant lastGeneratedAt) {
        return new DkimKeys(current, next, lastGeneratedAt, external, rotation, rotationDays);
    }

    /** Returns a copy with the rotation {@code r}. */
    public DkimKeys withRotation(DkimRotation r) {
        return new DkimKeys(current, next, lastGeneratedAt, external, r, rotationDays);
    }

    /** Returns a copy rotating the key every {@code days} days (0: only on request). */
    public DkimKeys withRotationDays(int days) {
        return new DkimKeys(current, next, lastGeneratedAt, external, rotation, days);
    }

    /** When the next scheduled rotation is due; null when none is scheduled or the generation time is not known. */
    public Instant nextRotationAt() {
        return rotationDays == 0 || lastGeneratedAt == null || external == null
                ? null
                : lastGeneratedAt.plus(java.time.Duration.ofDays(rotationDays));
    }

    /** Returns who makes the keys: {@link DkimMode#BYODKIM} when Domainkeeper holds the key pair. */
    public DkimMode mode() {
        return external == null ? DkimMode.EASY_DKIM : DkimMode.BYODKIM;
    }

    /** Returns a copy holding Domainkeeper's own key pair {@code key}. */
    public DkimKeys withExternal(ExternalDkimKey key) {
        return new DkimKeys(current, next, lastGeneratedAt, key, rotation, rotationDays);
    }

    /** Returns the keys of an identity asked for with {@code length}, before SES generated them. */
    public static DkimKeys asked(DkimKeyLength length) {
        return new DkimKeys(length, length, null);
    }

    /** Returns a copy saying SES generated the key pair at {@code at}. */
    public DkimKeys generatedAt(Instant at) {
        return new DkimKeys(current, next, at, external, rotation, rotationDays);
    }
}
