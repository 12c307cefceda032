package dev.domainkeeper.secrets;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import dev.domainkeeper.errors.PreconditionFailedException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts the secrets tenants give us (DNS provider tokens, TSIG keys, DKIM private keys, webhook
 * signing secrets) before they are stored, with the operator's key ({@code DOMAINKEEPER_SECRETS_KEY}).
 *
 * <p>AES-256-GCM with a fresh 96-bit nonce per value. A sealed value reads
 * {@code dk1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>}: the key id (the first 8 hex digits of the
 * key's SHA-256) says which key sealed it, so the operator can rotate keys by moving the old key to
 * {@code DOMAINKEEPER_SECRETS_KEY_PREVIOUS}: values sealed under it still open, new values are sealed
 * under the new key. The caller passes a context (for example {@code "dkim:<account>:<domain id>"})
 * that is authenticated with the value, so a sealed value copied into another row or another
 * account's row does not open there.
 *
 * <p>Without a configured key, {@link #disabled()} refuses to seal or open anything with a message
 * naming the setting: a secret is never stored in clear text.
 */
public final class SecretBox {
    /** The prefix of every sealed value; a new format gets a new prefix. */
    static final String FORMAT = "dk1";

    private static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Optional<Key> current;
    private final Map<String, Key> byId;

    private record Key(String id, SecretKeySpec spec) {}

    private SecretBox(Optional<Key> current, List<Key> all) {
        this.current = current;
        Map<String, Key> ids = new LinkedHashMap<>();
        all.forEach(k -> ids.putIfAbsent(k.id(), k));
        this.byId = Map.copyOf(ids);
    }

    /** A box with no key: every seal and open is refused, naming the setting to configure. */
    public static SecretBox disabled() {
        return new SecretBox(Optional.empty(), List.of());
    }

    /**
     * A box that seals under {@code currentKey} and opens values sealed under it or under any of
     * {@code previousKeys}; each key is 32 bytes.
     */
    public static SecretBox of(byte[] currentKey, List<byte[]> previousKeys) {
        Key current = key(currentKey);
        List<Key> all = new ArrayList<>();
        all.add(current);
        previousKeys.forEach(k -> all.add(key(k)));
        return new SecretBox(Optional.of(current), all);
    }

    /**
     * Decodes a key as configured: base64 (standard or URL-safe) of exactly 32 bytes, as printed by
     * {@code openssl rand -base64 32}.
     *
     * @throws IllegalArgumentException saying what is wrong, never echoing the value
     */
    public static byte[] decodeKey(String text) {
        byte[] key;
        try {
            String t = text.trim();
            key = t.indexOf('-') >= 0 || t.indexOf('_') >= 0
                    ? Base64.getUrlDecoder().decode(t)
                    : Base64.getDecoder().decode(t);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("is not base64 (expected: 32 random bytes in base64, "
                    + "e.g. the output of `openssl rand -base64 32`)");
        }
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException("decodes to " + key.length + " bytes (expected: 32 random bytes "
                    + "in base64, e.g. the output of `openssl rand -base64 32`)");
        }
        return key;
    }

    /** Whether a key is configured (a disabled box refuses every secret). */
    public boolean enabled() {
        return current.isPresent();
    }

    /**
     * Encrypts {@code plaintext}, bound to {@code context}.
     *
     * @throws PreconditionFailedException when no key is configured
     */
    public String seal(String plaintext, String context) {
        requireNonNull(plaintext, "plaintext");
        Key key = current.orElseThrow(SecretBox::notConfigured);
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        byte[] sealed = crypt(Cipher.ENCRYPT_MODE, key, nonce, context, plaintext.getBytes(UTF_8));
        ByteBuffer out =
                ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed);
        return FORMAT + ":" + key.id() + ":"
                + Base64.getUrlEncoder().withoutPadding().encodeToString(out.array());
    }

    /**
     * Decrypts a value {@link #seal sealed} with the same context.
     *
     * @throws PreconditionFailedException when no key is configured, the value was sealed under a key
     *     that is no longer configured, or it does not open (altered, or sealed for another context)
     */
    public String open(String sealed, String context) {
        requireNonNull(sealed, "sealed");
        if (current.isEmpty()) {
            throw notConfigured();
        }
        String[] parts = sealed.split(":", 3);
        if (parts.length != 3 || !parts[0].equals(FORMAT)) {
            throw new PreconditionFailedException("a stored secret is not in a format this version reads");
        }
        Key key = byId.get(parts[1]);
        if (key == null) {
            throw new PreconditionFailedException("a stored secret was encrypted with a key that is not configured "
                    + "(key id " + parts[1] + "; set it as DOMAINKEEPER_SECRETS_KEY_PREVIOUS)");
        }
        byte[] all;
        try {
            all = Base64.getUrlDecoder().decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new PreconditionFailedException("a stored secret is damaged");
        }
        if (all.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new PreconditionFailedException("a stored secret is damaged");
        }
        byte[] nonce = java.util.Arrays.copyOfRange(all, 0, NONCE_BYTES);
        byte[] body = java.util.Arrays.copyOfRange(all, NONCE_BYTES, all.length);
        return new String(crypt(Cipher.DECRYPT_MODE, key, nonce, context, body), UTF_8);
    }

    private static byte[] crypt(int mode, Key key, byte[] nonce, String context, byte[] input) {
        requireNonNull(context, "context");
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(mode, key.spec(), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(context.getBytes(UTF_8));
            return cipher.doFinal(input);
        } catch (javax.crypto.AEADBadTagException e) {
            throw new PreconditionFailedException("a stored secret does not open: it was altered or belongs elsewhere");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JDK", e);
        }
    }

    private static Key key(byte[] bytes) {
        if (bytes.length != KEY_BYTES) {
            throw new IllegalArgumentException("a secrets key is 32 bytes, not " + bytes.length);
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            String id = HexFormat.of().formatHex(digest, 0, 4);
            return new Key(id, new SecretKeySpec(bytes.clone(), "AES"));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JDK", e);
        }
    }

    private static PreconditionFailedException notConfigured() {
        return new PreconditionFailedException("storing a secret needs an encryption key, and the operator has not "
                + "set one (the operator sets DOMAINKEEPER_SECRETS_KEY to 32 random bytes in base64)");
    }

    /** Never prints a key. */
    @Override
    public String toString() {
        return "SecretBox["
                + current.map(k -> "key " + k.id() + ", " + byId.size() + " known")
                        .orElse("disabled") + "]";
    }
}
