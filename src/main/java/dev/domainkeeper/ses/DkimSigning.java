package dev.domainkeeper.ses;

import dev.domainkeeper.domain.DkimKeyLength;
import dev.domainkeeper.domain.DkimKeys;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Holds what SES says about an identity's Easy DKIM key: the length of the key pair in use, the length of
 * the next one it generates, and when it last generated one. Each is null when SES does not say.
 */
public record DkimSigning(DkimKeyLength currentKeyLength, DkimKeyLength nextKeyLength, Instant lastKeyGenerationAt) {

    /** SES lets the next key length change at most once in this time after a key pair was generated. */
    public static final Duration CHANGE_INTERVAL = Duration.ofHours(24);

    /** Returns the signing state Domainkeeper stored for a domain, to apply SES's rules to it. */
    public static DkimSigning of(DkimKeys keys) {
        return new DkimSigning(keys.current(), keys.next(), keys.lastGeneratedAt());
    }

    /** Returns when the next key length may change again, or empty when SES did not say when it last generated a key. */
    public Optional<Instant> nextChangeAllowedAt() {
        return Optional.ofNullable(lastKeyGenerationAt).map(t -> t.plus(CHANGE_INTERVAL));
    }

    /** Returns true when SES lets the key length change at {@code now}, or when it is not known when it last generated a key. */
    public boolean changeAllowedAt(Instant now) {
        return nextChangeAllowedAt().map(allowed -> !now.isBefore(allowed)).orElse(true);
    }

    /** Returns true when {@code length} is already the current or the next key length: asking for it changes nothing. */
    public boolean alreadyHas(DkimKeyLength length) {
        return length == nextKeyLength || (nextKeyLength == null && length == currentKeyLength);
    }
}
