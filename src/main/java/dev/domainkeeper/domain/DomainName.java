package dev.domainkeeper.domain;

import static java.util.Objects.requireNonNull;

import com.google.common.net.InternetDomainName;
import java.util.Locale;

/**
 * Holds a normalized domain name (ASCII, lower case, no trailing dot) that sits under a public suffix.
 * Create one with {@link #parse(String, String)}; after that nobody re-checks it.
 */
public record DomainName(String value) {
    public DomainName {
        requireNonNull(value, "value");
    }

    /**
     * Normalizes and validates {@code input}, naming {@code field} in the error.
     *
     * @throws InvalidInputException with the field and the rule broken
     */
    public static DomainName parse(String field, String input) {
        // TODO(helper A): full UTS #46 normalization and every rejection rule of DESIGN.md §2.
        String s = input == null ? "" : input.trim().toLowerCase(Locale.ROOT);
        if (s.endsWith(".")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.isEmpty()) {
            throw new InvalidInputException(field + ": must not be empty");
        }
        if (!InternetDomainName.isValid(s) || !InternetDomainName.from(s).isUnderPublicSuffix()) {
            throw new InvalidInputException(field + ": \"" + input + "\" is not a valid domain name");
        }
        return new DomainName(s);
    }

    /** Returns true when this name equals {@code other} or is a subdomain of it. */
    public boolean isSameOrUnder(DomainName other) {
        return value.equals(other.value) || value.endsWith("." + other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
