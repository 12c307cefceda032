package dev.domainkeeper.domain;

import static java.util.Objects.requireNonNull;

/**
 * Holds a validated email address: a dot-atom local part (RFC 5322, ASCII, case kept as given) and a
 * {@link DomainName} (ASCII, lower case). Create one with {@link #parse(String, String)}.
 *
 * <p>Pragmatic on purpose: quoted local parts, comments, IP-literal domains and non-ASCII local parts
 * are refused; they are legal but almost never what a user means, and SES does not send to all of them.
 */
public record EmailAddress(String localPart, DomainName domain) {
    /** The longest local part SMTP allows (RFC 5321 §4.5.3.1.1). */
    public static final int MAX_LOCAL_PART_LENGTH = 64;
    /** The longest address that fits an SMTP path (RFC 5321 §4.5.3.1.3 less the angle brackets). */
    public static final int MAX_LENGTH = 254;

    private static final String ATEXT_SPECIALS = "!#$%&'*+-/=?^_`{|}~";

    public EmailAddress {
        requireNonNull(localPart, "localPart");
        requireNonNull(domain, "domain");
    }

    /**
     * Trims and validates {@code input} and normalizes its domain, naming {@code field} in the error.
     *
     * @throws InvalidInputException with the field, the quoted input and the rule broken, e.g.
     *     {@code dmarc_report_email: "a..b@example.com" is not a valid email address: local part has two dots in a row}
     */
    public static EmailAddress parse(String field, String input) {
        requireNonNull(field, "field");
        String s = input == null ? "" : input.strip();
        try {
            int at = s.lastIndexOf('@');
            if (s.isEmpty()) {
                throw new Rejected("must not be empty");
            }
            if (at < 0) {
                throw new Rejected("has no \"@\" (expected: local-part@domain)");
            }
            String local = s.substring(0, at);
            checkLocalPart(local);
            String domain;
            try {
                domain = DomainName.normalize(s.substring(at + 1));
            } catch (Rejected e) {
                throw new Rejected("domain " + e.getMessage());
            }
            int length = local.length() + 1 + domain.length();
            if (length > MAX_LENGTH) {
                throw new Rejected(length + " characters (expected: at most " + MAX_LENGTH + ")");
            }
            return new EmailAddress(local, new DomainName(domain));
        } catch (Rejected e) {
            throw e.toInvalidInput(field, input, "email address");
        }
    }

    private static void checkLocalPart(String local) throws Rejected {
        if (local.isEmpty()) {
            throw new Rejected("local part before \"@\" is empty");
        }
        if (local.length() > MAX_LOCAL_PART_LENGTH) {
            throw new Rejected("local part has " + local.length() + " characters (expected: at most "
                    + MAX_LOCAL_PART_LENGTH + ")");
        }
        if (local.startsWith(".") || local.endsWith(".")) {
            throw new Rejected("local part starts or ends with a dot");
        }
        if (local.contains("..")) {
            throw new Rejected("local part has two dots in a row");
        }
        for (int i = 0; i < local.length(); i++) {
            char c = local.charAt(i);
            boolean atext = c >= 'a' && c <= 'z'
                    || c >= 'A' && c <= 'Z'
                    || c >= '0' && c <= '9'
                    || ATEXT_SPECIALS.indexOf(c) >= 0
                    || c == '.';
            if (!atext) {
                throw new Rejected("local part contains " + describe(c) + " (expected: letters, digits, dots and "
                        + ATEXT_SPECIALS + ")");
            }
        }
    }

    private static String describe(char c) {
        if (c == ' ') {
            return "a space";
        }
        return c > 0x20 && c < 0x7f ? "\"" + c + "\"" : String.format("U+%04X", (int) c);
    }

    /** Returns the address as {@code local@ascii-domain}. */
    public String address() {
        return localPart + "@" + domain.value();
    }

    @Override
    public String toString() {
        return address();
    }
}
