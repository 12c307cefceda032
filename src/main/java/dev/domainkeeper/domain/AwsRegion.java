package dev.domainkeeper.domain;

import java.util.Locale;
import java.util.regex.Pattern;

/** Checks AWS region names such as {@code us-east-1} or {@code us-gov-west-1}. */
public final class AwsRegion {
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\\d");

    private AwsRegion() {}

    /** Returns true when {@code name} is shaped like an AWS region. */
    public static boolean isValid(String name) {
        return name != null && REGION.matcher(name).matches();
    }

    /**
     * Returns the trimmed, lower-cased region.
     *
     * @throws InvalidInputException naming {@code field} when it is not a region
     */
    public static String parse(String field, String input) {
        String r = input == null ? "" : input.trim().toLowerCase(Locale.ROOT);
        if (!isValid(r)) {
            throw new InvalidInputException(
                    field + ": \"" + input + "\" is not an AWS region (expected e.g. us-east-1)");
        }
        return r;
    }
}
