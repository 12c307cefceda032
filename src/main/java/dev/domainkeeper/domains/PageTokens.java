package dev.domainkeeper.domains;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.domain.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Creates and checks opaque page tokens: a position in a listing, bound to the account and the
 * listing, signed with a key every node shares. A forged, truncated or foreign token is rejected.
 */
public final class PageTokens {
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    private static final int MAC_BYTES = 16;

    private final byte[] key;

    public PageTokens(byte[] key) {
        requireNonNull(key, "key");
        if (key.length < 16) {
            throw new IllegalArgumentException("key: " + key.length + " bytes (expected: >= 16)");
        }
        this.key = key.clone();
    }

    /** Returns a token for the position after which the next page of {@code listing} starts. */
    public String create(String listing, String accountId, long position) {
        String payload = listing + "|" + accountId + "|" + position;
        byte[] p = payload.getBytes(StandardCharsets.UTF_8);
        return ENCODER.encodeToString(p) + "." + ENCODER.encodeToString(mac(p));
    }

    /**
     * Returns the position a token names.
     *
     * @throws InvalidInputException naming {@code page_token} when the token is not one this service
     *     issued for this account and listing
     */
    public long read(String listing, String accountId, String token) {
        InvalidInputException invalid = new InvalidInputException(
                "page_token: not a valid page token for this listing (expected: the next_page_token of a previous page)");
        int dot = token.indexOf('.');
        if (dot <= 0 || token.length() > 500) {
            throw invalid;
        }
        byte[] payload;
        byte[] mac;
        try {
            payload = DECODER.decode(token.substring(0, dot));
            mac = DECODER.decode(token.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            throw invalid;
        }
        if (!MessageDigest.isEqual(mac, mac(payload))) {
            throw invalid;
        }
        String[] parts = new String(payload, StandardCharsets.UTF_8).split("\\|", -1);
        if (parts.length != 3 || !parts[0].equals(listing) || !parts[1].equals(accountId)) {
            throw invalid;
        }
        try {
            return Long.parseLong(parts[2]);
        } catch (NumberFormatException e) {
            throw invalid;
        }
    }

    private byte[] mac(byte[] payload) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            return Arrays.copyOf(m.doFinal(payload), MAC_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
