package dev.domainkeeper.domain;

import java.security.SecureRandom;

/** Creates opaque random ids with a type prefix, e.g. {@code dom_4k2j...}. */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();

    private Ids() {}

    /** Returns {@code prefix_} followed by {@code chars} random base-32 characters (5 bits each). */
    public static String random(String prefix, int chars) {
        StringBuilder sb =
                new StringBuilder(prefix.length() + 1 + chars).append(prefix).append('_');
        for (int i = 0; i < chars; i++) {
            sb.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return sb.toString();
    }

    /** Returns a new id with 100 random bits. */
    public static String newId(String prefix) {
        return random(prefix, 20);
    }
}
