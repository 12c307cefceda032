package dev.domainkeeper.domain;

import java.util.Optional;

/** Reads DKIM key records (RFC 6376 section 3.6.1): {@code v=DKIM1; k=rsa; p=<base64 public key>}. */
public final class DkimKeyRecords {
    private DkimKeyRecords() {}

    /**
     * Returns the public key ({@code p=} tag, whitespace removed) of a TXT value that is a DKIM key
     * record; empty when it is none, or its key is empty (a revoked key).
     */
    public static Optional<String> publicKey(String txt) {
        if (txt == null) {
            return Optional.empty();
        }
        for (String tag : txt.replaceAll("\\s+", "").split(";")) {
            if (tag.startsWith("p=")) {
                String key = tag.substring(2);
                return key.isEmpty() ? Optional.empty() : Optional.of(key);
            }
        }
        return Optional.empty();
    }
}
