package dev.domainkeeper.domain;

import static java.util.Objects.requireNonNull;

import com.google.common.net.InetAddresses;
import com.google.common.net.InternetDomainName;
import com.ibm.icu.text.IDNA;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Holds a normalized domain name (ASCII, lower case, no trailing dot) that sits under a public suffix.
 * Create one with {@link #parse(String, String)}; after that nobody re-checks it.
 *
 * <p>Normalization: the input is trimmed, lower-cased, Unicode labels are mapped and converted to
 * ASCII with UTS #46 (nontransitional, so {@code ß} stays {@code ß} and becomes punycode, and the
 * ideographic full stop {@code 。} counts as a dot), and one trailing dot is dropped. Invisible
 * characters (control and format characters such as U+200B ZERO WIDTH SPACE or the soft hyphen),
 * which UTS #46 would silently delete, are rejected instead: a name that looks like one thing and
 * registers as another is a mistake worth reporting. ZWJ and ZWNJ are left to the CONTEXTJ check,
 * because some scripts need them.
 */
public record DomainName(String value) {
    /** The longest name DNS allows, without the trailing dot. */
    public static final int MAX_LENGTH = 253;
    /** The longest label DNS allows. */
    public static final int MAX_LABEL_LENGTH = 63;

    private static final IDNA UTS46 = IDNA.getUTS46Instance(IDNA.NONTRANSITIONAL_TO_ASCII
            | IDNA.NONTRANSITIONAL_TO_UNICODE
            | IDNA.USE_STD3_RULES
            | IDNA.CHECK_BIDI
            | IDNA.CHECK_CONTEXTJ
            | IDNA.CHECK_CONTEXTO);
    /** Longer input is refused before any work is done on it; it could never become a valid name. */
    private static final int MAX_INPUT_LENGTH = 1024;

    private static final Set<IDNA.Error> STRUCTURAL_ERRORS = EnumSet.of(
            IDNA.Error.EMPTY_LABEL,
            IDNA.Error.LABEL_TOO_LONG,
            IDNA.Error.DOMAIN_NAME_TOO_LONG,
            IDNA.Error.LEADING_HYPHEN,
            IDNA.Error.TRAILING_HYPHEN);

    public DomainName {
        requireNonNull(value, "value");
    }

    /**
     * Normalizes and validates {@code input}, naming {@code field} in the error.
     *
     * @throws InvalidInputException with the field, the quoted input and the rule broken, e.g.
     *     {@code domain: "exa mple.com" is not a valid domain name: label contains a space}
     */
    public static DomainName parse(String field, String input) {
        requireNonNull(field, "field");
        try {
            return new DomainName(normalize(input));
        } catch (Rejected e) {
            throw e.toInvalidInput(field, input, "domain name");
        }
    }

    /**
     * Validates a custom MAIL FROM domain: it follows the rules of {@link #parse(String, String)}
     * and must be a strict subdomain of {@code parent} (SES requires this, and it is what makes SPF
     * align for DMARC).
     *
     * @throws InvalidInputException naming {@code field} and the rule broken
     */
    public static DomainName parseMailFrom(String field, String input, DomainName parent) {
        requireNonNull(parent, "parent");
        DomainName name = parse(field, input);
        if (!name.isStrictlyUnder(parent)) {
            throw new InvalidInputException(field + ": " + Rejected.quote(input)
                    + " is not a valid MAIL FROM domain: expected a subdomain of " + parent
                    + ", e.g. mail." + parent);
        }
        return name;
    }

    /** Returns the default custom MAIL FROM domain, {@code mail.<this>}. */
    public DomainName defaultMailFrom() {
        return new DomainName("mail." + value);
    }

    /** Returns true when this name equals {@code other} or is a subdomain of it. */
    public boolean isSameOrUnder(DomainName other) {
        return value.equals(other.value) || isStrictlyUnder(other);
    }

    /** Returns true when this name is a subdomain of {@code other} and not {@code other} itself. */
    public boolean isStrictlyUnder(DomainName other) {
        return value.endsWith("." + other.value);
    }

    /**
     * Returns the registrable domain this name sits in: the label under the ICANN public suffix with
     * that suffix ({@code example.co.uk} for {@code a.b.example.co.uk}). Suffixes that private
     * registries add to the public suffix list ({@code herokuapp.com}) are not stopped at, since
     * a zone may well be hosted for one of those names. A name that is not under an ICANN suffix
     * answers itself.
     */
    public DomainName registrable() {
        InternetDomainName name = InternetDomainName.from(value);
        return name.isUnderRegistrySuffix()
                ? new DomainName(name.topDomainUnderRegistrySuffix().toString())
                : this;
    }

    /** Returns the labels, left to right. */
    public List<String> labels() {
        return List.of(value.split("\\.", -1));
    }

    @Override
    public String toString() {
        return value;
    }

    /**
     * Returns the normalized ASCII form of {@code input}.
     *
     * @throws Rejected with the rule broken in plain words (no field, no input)
     */
    static String normalize(String input) throws Rejected {
        String s = input == null ? "" : input.strip();
        if (s.isEmpty()) {
            throw new Rejected("must not be empty");
        }
        if (s.length() > MAX_INPUT_LENGTH) {
            throw new Rejected(s.length() + " characters (expected: at most " + MAX_LENGTH + ")");
        }
        rejectObviousMistakes(s);
        String ascii = toAscii(s.toLowerCase(Locale.ROOT));
        if (ascii.endsWith(".")) {
            ascii = ascii.substring(0, ascii.length() - 1);
        }
        checkAsciiName(ascii);
        checkPublicSuffix(ascii);
        return ascii;
    }

    /** Catches the common wrong inputs (URLs, addresses, IPs, ports) with a message that says what they are. */
    private static void rejectObviousMistakes(String s) throws Rejected {
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int type = Character.getType(cp);
            if (type == Character.CONTROL) {
                throw new Rejected("contains the control character " + codePoint(cp));
            }
            if (type == Character.FORMAT && cp != 0x200C && cp != 0x200D) {
                throw new Rejected("contains the invisible character " + codePoint(cp));
            }
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
                throw new Rejected("label contains a space");
            }
            i += Character.charCount(cp);
        }
        if (s.contains("://")) {
            throw new Rejected("looks like a URL (expected: only the host name, e.g. example.com)");
        }
        if (s.contains("@")) {
            throw new Rejected("looks like an email address (expected: only the part after @, e.g. example.com)");
        }
        String unbracketed = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
        if (InetAddresses.isInetAddress(unbracketed)) {
            throw new Rejected("is an IP address (expected: a domain name)");
        }
        if (s.contains("/")) {
            throw new Rejected("contains \"/\" (expected: only the host name, without a path)");
        }
        if (s.contains(":")) {
            throw new Rejected("contains \":\" (expected: only the host name, without a port)");
        }
        if (s.contains("*")) {
            throw new Rejected("contains \"*\" (wildcards are not allowed)");
        }
        if (s.contains("_")) {
            throw new Rejected("contains \"_\" (expected: only letters, digits and hyphens)");
        }
    }

    private static String toAscii(String s) throws Rejected {
        StringBuilder out = new StringBuilder();
        IDNA.Info info = new IDNA.Info();
        UTS46.nameToASCII(s, out, info);
        if (!info.hasErrors()) {
            return out.toString();
        }
        Set<IDNA.Error> errors = EnumSet.copyOf(info.getErrors());
        errors.removeAll(STRUCTURAL_ERRORS);
        if (errors.isEmpty()) {
            // Only length, empty-label and hyphen problems: checkAsciiName words them precisely.
            String ascii = out.toString();
            checkAsciiName(ascii.endsWith(".") ? ascii.substring(0, ascii.length() - 1) : ascii);
            errors = info.getErrors();
        }
        throw new Rejected(describe(errors.iterator().next(), s));
    }

    /** Turns an ICU error into plain words. */
    private static String describe(IDNA.Error error, String input) {
        switch (error) {
            case DISALLOWED:
                return "contains " + firstDisallowed(input) + " (expected: only letters, digits and hyphens)";
            case HYPHEN_3_4:
                return "a label has hyphens in the third and fourth positions, which are reserved"
                        + " for internationalized names (xn--)";
            case LEADING_COMBINING_MARK:
                return "a label starts with a combining mark";
            case PUNYCODE:
            case INVALID_ACE_LABEL:
                return "a label starting with xn-- is not valid punycode";
            case BIDI:
                return "mixes right-to-left and left-to-right text in a way IDNA forbids";
            case CONTEXTJ:
                return "contains a zero-width joiner or non-joiner where IDNA forbids it";
            case CONTEXTO_PUNCTUATION:
            case CONTEXTO_DIGITS:
                return "contains punctuation or digits that IDNA allows only in certain scripts";
            case LABEL_HAS_DOT:
                return "a label contains a dot";
            default:
                return "IDNA (UTS #46) rejects it: " + error.name().toLowerCase(Locale.ROOT);
        }
    }

    private static String firstDisallowed(String input) {
        for (int i = 0; i < input.length(); ) {
            int cp = input.codePointAt(i);
            String one = new String(Character.toChars(cp));
            StringBuilder out = new StringBuilder();
            IDNA.Info info = new IDNA.Info();
            UTS46.labelToASCII(one, out, info);
            if (info.getErrors().contains(IDNA.Error.DISALLOWED)) {
                return cp < 0x80 && cp > 0x20 ? "\"" + one + "\"" : codePoint(cp);
            }
            i += Character.charCount(cp);
        }
        return "a character IDNA does not allow";
    }

    private static void checkAsciiName(String ascii) throws Rejected {
        if (ascii.isEmpty()) {
            throw new Rejected("must not be empty");
        }
        if (ascii.length() > MAX_LENGTH) {
            throw new Rejected(ascii.length() + " characters (expected: at most " + MAX_LENGTH + ")");
        }
        String[] labels = ascii.split("\\.", -1);
        for (String label : labels) {
            if (label.isEmpty()) {
                throw new Rejected("empty label (two dots in a row, or a leading dot)");
            }
            if (label.length() > MAX_LABEL_LENGTH) {
                throw new Rejected("label \"" + label.substring(0, 10) + "...\" has " + label.length()
                        + " characters (expected: at most " + MAX_LABEL_LENGTH + ")");
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-')) {
                    throw new Rejected("contains \"" + c + "\" (expected: only letters, digits and hyphens)");
                }
            }
            if (label.startsWith("-") || label.endsWith("-")) {
                throw new Rejected("label \"" + label + "\" starts or ends with a hyphen");
            }
        }
        if (labels[labels.length - 1].chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new Rejected("the top-level label \"" + labels[labels.length - 1] + "\" is all digits");
        }
    }

    private static void checkPublicSuffix(String ascii) throws Rejected {
        InternetDomainName name;
        try {
            name = InternetDomainName.from(ascii);
        } catch (IllegalArgumentException e) {
            throw new Rejected("not a valid host name (" + e.getMessage() + ")");
        }
        // Public suffix semantics: both ICANN (co.uk) and private (github.io) suffixes count,
        // because a name directly at either is shared by many unrelated owners.
        if (name.isPublicSuffix()) {
            throw new Rejected("is a public suffix itself (expected: a name under it, e.g. example." + ascii + ")");
        }
        if (!ascii.contains(".")) {
            throw new Rejected("is a single-label name (expected: a name like example.com)");
        }
        if (!name.isUnderPublicSuffix()) {
            throw new Rejected("does not end in a known public suffix such as .com or .co.uk");
        }
    }

    private static String codePoint(int cp) {
        return String.format("U+%04X", cp);
    }
}
