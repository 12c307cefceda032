package dev.domainkeeper.domains;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import dev.domainkeeper.domain.InvalidInputException;
import dev.domainkeeper.store.PageTokenKeyStore;
import dev.domainkeeper.store.PageTokenKeyStore.StoredKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Creates and checks opaque page tokens (docs/SECURITY.md, "Page tokens"): a position in a listing
 * and the time the token was made, encrypted and authenticated with AES-256-GCM under a key every
 * node shares, with the listing and the account as associated data. A token therefore reads as
 * random bytes, and one that was changed, made for another account or listing, made with a retired
 * key or older than its lifetime is refused.
 *
 * <p>A token is two base64url parts joined by a dot: the format's version with the key id, and the
 * nonce with the sealed position and time.
 *
 * <p>The keys rotate: a new one is made for every rotation period, and a key stays in the database
 * as long as tokens made with it can still be valid (its period plus the token lifetime), so a token
 * made just before a rotation keeps working for its whole lifetime. Key ids are the period's number,
 * so nodes that rotate at the same moment agree on one key.
 */
public final class PageTokens {
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    private static final byte VERSION = 1;
    private static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    /** The header: the format's version and the key id. */
    private static final int HEADER_BYTES = 1 + 8;
    /** The body: the nonce, then position and creation time (8 bytes each) encrypted, and the tag. */
    private static final int BODY_BYTES = NONCE_BYTES + 16 + TAG_BITS / 8;

    private final PageTokenKeyStore keys;
    private final Clock clock;
    private final Duration rotation;
    private final Duration lifetime;
    private final SecureRandom random = new SecureRandom();

    /**
     * Creates tokens that stay valid for {@code lifetime}, under a key that changes every
     * {@code rotation}; the keys live in {@code keys}.
     */
    public PageTokens(PageTokenKeyStore keys, Clock clock, Duration rotation, Duration lifetime) {
        this.keys = requireNonNull(keys, "keys");
        this.clock = requireNonNull(clock, "clock");
        this.rotation = requireNonNull(rotation, "rotation");
        this.lifetime = requireNonNull(lifetime, "lifetime");
        checkArgument(rotation.toMillis() > 0, "rotation: %s (expected: > 0)", rotation);
        checkArgument(lifetime.toMillis() > 0, "lifetime: %s (expected: > 0)", lifetime);
    }

    /** Returns a token for the position after which the next page of {@code listing} starts. */
    public String create(String listing, String accountId, long position) {
        long now = clock.millis();
        StoredKey key = currentKey(now);
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        byte[] plain = ByteBuffer.allocate(16).putLong(position).putLong(now).array();
        byte[] sealed = cipher(Cipher.ENCRYPT_MODE, key, nonce, listing, accountId, plain);
        byte[] header =
                ByteBuffer.allocate(HEADER_BYTES).put(VERSION).putLong(key.id()).array();
        byte[] body = ByteBuffer.allocate(BODY_BYTES).put(nonce).put(sealed).array();
        return ENCODER.encodeToString(header) + "." + ENCODER.encodeToString(body);
    }

    /**
     * Returns the position a token names.
     *
     * @throws InvalidInputException naming {@code page_token} when the token is not one this service
     *     issued for this account and listing, or has expired
     */
    public long read(String listing, String accountId, String token) {
        InvalidInputException invalid = new InvalidInputException(
                "page_token: not a valid page token for this listing (expected: the next_page_token of a previous page)");
        if (token.length() > 200) {
            throw invalid;
        }
        int dot = token.indexOf('.');
        if (dot <= 0) {
            throw invalid;
        }
        byte[] header;
        byte[] body;
        try {
            header = DECODER.decode(token.substring(0, dot));
            body = DECODER.decode(token.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            throw invalid;
        }
        if (header.length != HEADER_BYTES || header[0] != VERSION || body.length != BODY_BYTES) {
            throw invalid;
        }
        long keyId = ByteBuffer.wrap(header, 1, 8).getLong();
        byte[] nonce = Arrays.copyOfRange(body, 0, NONCE_BYTES);
        byte[] sealed = Arrays.copyOfRange(body, NONCE_BYTES, body.length);
        long now = clock.millis();
        Optional<StoredKey> key =
                acceptedKeys(now).stream().filter(k -> k.id() == keyId).findFirst();
        if (key.isEmpty()) {
            throw invalid;
        }
        byte[] plain;
        try {
            plain = cipher(Cipher.DECRYPT_MODE, key.get(), nonce, listing, accountId, sealed);
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof AEADBadTagException) {
                throw invalid; // Changed, or made for another account or listing.
            }
            throw e;
        }
        ByteBuffer values = ByteBuffer.wrap(plain);
        long position = values.getLong();
        long madeAt = values.getLong();
        if (now - madeAt > lifetime.toMillis()) {
            throw new InvalidInputException("page_token: expired (expected: a next_page_token at most "
                    + lifetime.toHours() + " h old; start the listing again without page_token)");
        }
        return position;
    }

    /** Returns the key of the current rotation period, making it (and retiring old keys) when needed. */
    private StoredKey currentKey(long now) {
        long period = now / rotation.toMillis();
        for (StoredKey k : keys.all()) {
            if (k.id() == period) {
                return k;
            }
        }
        byte[] secret = new byte[KEY_BYTES];
        random.nextBytes(secret);
        keys.addIfAbsent(new StoredKey(period, Base64.getEncoder().encodeToString(secret), now));
        keys.deleteMadeBefore(oldestAccepted(now));
        // Another node may have made this period's key first: use whichever the database holds.
        return keys.all().stream()
                .filter(k -> k.id() == period)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("page token key " + period + " was not stored"));
    }

    /** Returns the keys tokens made now or within the lifetime may have been made with. */
    private List<StoredKey> acceptedKeys(long now) {
        long oldest = oldestAccepted(now);
        return keys.all().stream().filter(k -> k.createdAt() >= oldest).toList();
    }

    /** A key made before this time was replaced more than a token lifetime ago. */
    private long oldestAccepted(long now) {
        return now - rotation.toMillis() - lifetime.toMillis();
    }

    private static byte[] cipher(
            int mode, StoredKey key, byte[] nonce, String listing, String accountId, byte[] input) {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(
                    mode,
                    new SecretKeySpec(Base64.getDecoder().decode(key.secret()), "AES"),
                    new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD((VERSION + "|" + listing + "|" + accountId).getBytes(StandardCharsets.UTF_8));
            return c.doFinal(input);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM failed", e);
        }
    }
}
