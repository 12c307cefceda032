package dev.domainkeeper.webhooks;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs deliveries as the Standard Webhooks specification defines: the secret is {@code whsec_}
 * followed by base64 of random bytes, and {@code webhook-signature} is {@code v1,} and base64 of
 * HMAC-SHA256 over {@code <webhook-id>.<webhook-timestamp>.<body>}, one such value per secret that
 * signs (space-separated), so a receiver that knows either secret accepts it during a rotation.
 */
public final class WebhookSignatures {
    /** The prefix of every signing secret. */
    public static final String SECRET_PREFIX = "whsec_";

    private static final int SECRET_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private WebhookSignatures() {}

    /** Returns a new signing secret: {@code whsec_} and base64 of 32 random bytes. */
    public static String newSecret() {
        byte[] key = new byte[SECRET_BYTES];
        RANDOM.nextBytes(key);
        return SECRET_PREFIX + Base64.getEncoder().encodeToString(key);
    }

    /** Returns the {@code webhook-signature} header value: one {@code v1,<base64>} per secret, space-separated. */
    public static String header(List<String> secrets, String id, long timestampSeconds, String body) {
        return secrets.stream()
                .map(s -> "v1," + sign(s, id, timestampSeconds, body))
                .collect(Collectors.joining(" "));
    }

    private static String sign(String secret, String id, long timestampSeconds, String body) {
        byte[] key = Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length()));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] sig = mac.doFinal((id + "." + timestampSeconds + "." + body).getBytes(UTF_8));
            return Base64.getEncoder().encodeToString(sig);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available in this JDK", e);
        }
    }
}
