package dev.domainkeeper.domain;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * Holds what Domainkeeper last learned of the Easy DKIM keys SES signs a domain's mail with: the length
 * of the key pair in use, the length SES generates next (the one last asked for), and when SES last
 * generated a key pair, null when not known.
 */
public record DkimKeys(DkimKeyLength current, DkimKeyLength next, Instant lastGeneratedAt) {

    /** The keys of an identity made before their lengths were kept: the default length, time not known. */
    public static final DkimKeys UNKNOWN_DEFAULT = asked(DkimKeyLength.DEFAULT);

    public DkimKeys {
        requireNonNull(current, "current");
        requireNonNull(next, "next");
    }

    /** Returns the keys of an identity asked for with {@code length}, before SES generated them. */
    public static DkimKeys asked(DkimKeyLength length) {
        return new DkimKeys(length, length, null);
    }

    /** Returns a copy saying SES generated the key pair at {@code at}. */
    public DkimKeys generatedAt(Instant at) {
        return new DkimKeys(current, next, at);
    }
}
