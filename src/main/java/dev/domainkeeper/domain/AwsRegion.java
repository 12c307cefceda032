package dev.domainkeeper.domain;

import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks AWS region names such as {@code us-east-1} against the regions that offer SES (the caller
 * passes them in: the model knows no SDK).
 */
public final class AwsRegion {
    private AwsRegion() {}

    /**
     * Returns the trimmed, lower-cased region when it is one of {@code known}.
     *
     * @throws InvalidInputException naming {@code field} and the known regions when it is not
     */
    public static String parse(String field, String input, Set<String> known) {
        String r = input == null ? "" : input.trim().toLowerCase(Locale.ROOT);
        if (!known.contains(r)) {
            throw new InvalidInputException(field + ": \"" + input + "\" " + notKnown(known));
        }
        return r;
    }

    /** Says that a region is not one of {@code known}, and lists them. */
    public static String notKnown(Set<String> known) {
        return "is not an AWS region that offers SES (expected one of: " + String.join(", ", new TreeSet<>(known))
                + ")";
    }
}
