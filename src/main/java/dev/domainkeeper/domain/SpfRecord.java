package dev.domainkeeper.domain;

import static java.util.Objects.requireNonNull;

import com.google.common.net.InetAddresses;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses, checks and edits an SPF record ({@code v=spf1 ...}, RFC 7208) as a list of terms.
 *
 * <p>Each term keeps the text it was written with, so that editing a record (see
 * {@link #mergeInclude(String, String)}) never changes another sender's terms. Macros in
 * domain-specs are accepted and checked for syntax only.
 */
public record SpfRecord(List<Term> terms) {
    /** The version term every SPF record starts with. */
    public static final String VERSION = "v=spf1";
    /**
     * The longest record accepted. RFC 7208 §3.4 advises keeping the DNS answer within 512 bytes;
     * 450 characters leave room for the rest of the answer.
     */
    public static final int MAX_LENGTH = 450;

    private static final Set<String> MECHANISMS = Set.of("all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists");
    private static final Set<String> DNS_QUERYING_MECHANISMS = Set.of("include", "a", "mx", "ptr", "exists");
    private static final Pattern MODIFIER = Pattern.compile("([A-Za-z][A-Za-z0-9_.-]*)=(.*)", Pattern.DOTALL);
    private static final Pattern MECHANISM = Pattern.compile("([+\\-~?]?)([A-Za-z0-9]*)(.*)", Pattern.DOTALL);
    /** Splits the part after a mechanism name into an optional {@code :domain-spec} and a dual CIDR. */
    private static final Pattern SPEC_AND_CIDR = Pattern.compile("(:.*?)?((?:/[0-9]+)?(?://[0-9]+)?)", Pattern.DOTALL);

    private static final Pattern MACRO =
            Pattern.compile("%(?:\\{[slodiphcrtvSLODIPHCRTV][0-9]*[rR]?[.\\-+,/_=]*\\}|%|_|-)");

    public SpfRecord {
        terms = List.copyOf(terms);
    }

    /** Marks one term of a record: a mechanism or a modifier. */
    public sealed interface Term permits Mechanism, Modifier {
        /** Returns the term as written in the record. */
        String text();
    }

    /**
     * Describes a mechanism such as {@code -ip4:192.0.2.0/24}: {@code qualifier} is {@code +} when
     * none was written, {@code name} is lower case, {@code target} is the domain-spec or address
     * (empty when absent) and {@code cidr} the prefix lengths as written (e.g. {@code /24//64}, or empty).
     */
    public record Mechanism(String text, char qualifier, String name, String target, String cidr) implements Term {
        public Mechanism {
            requireNonNull(text, "text");
            requireNonNull(name, "name");
            requireNonNull(target, "target");
            requireNonNull(cidr, "cidr");
        }
    }

    /** Describes a modifier such as {@code redirect=_spf.example.com}; {@code name} is lower case. */
    public record Modifier(String text, String name, String value) implements Term {
        public Modifier {
            requireNonNull(text, "text");
            requireNonNull(name, "name");
            requireNonNull(value, "value");
        }
    }

    /** Returns true when {@code txt} claims to be an SPF record: {@code v=spf1} alone or followed by a space. */
    public static boolean isSpf(String txt) {
        String s = txt == null ? "" : txt.strip();
        return s.regionMatches(true, 0, VERSION, 0, VERSION.length())
                && (s.length() == VERSION.length() || s.charAt(VERSION.length()) == ' ');
    }

    /**
     * Parses {@code value} as an SPF record, naming {@code field} in the error.
     *
     * @throws InvalidInputException with the field, the quoted value and the rule broken, e.g.
     *     {@code spf_value: "v=spf1 foo ~all" is not a valid SPF record: unknown mechanism "foo" ...}
     */
    public static SpfRecord parse(String field, String value) {
        requireNonNull(field, "field");
        try {
            return parse(value);
        } catch (Rejected e) {
            throw e.toInvalidInput(field, value, "SPF record");
        }
    }

    /**
     * Checks that {@code value} is a valid SPF record.
     *
     * @throws InvalidInputException naming {@code field} and the rule broken
     */
    public static void validate(String field, String value) {
        parse(field, value);
    }

    /**
     * Adds {@code include:<include>} to {@code existing}: before its first {@code all} mechanism, or
     * when it has none, before its {@code redirect} modifier, or else at the end. Returns
     * {@code existing} (trimmed) unchanged when it already includes that domain (compared ignoring
     * case and a trailing dot, whatever the qualifier), and a new {@code v=spf1 include:<include> ~all}
     * when {@code existing} is null or blank. Never drops, reorders or rewrites an existing term.
     *
     * @throws InvalidInputException when {@code existing} is not a valid SPF record, or would become
     *     longer than {@link #MAX_LENGTH}
     */
    public static String mergeInclude(String existing, String include) {
        checkInclude(include);
        if (existing == null || existing.isBlank()) {
            return VERSION + " include:" + include + " ~all";
        }
        SpfRecord record = parse("existing SPF record", existing);
        if (record.hasInclude(include)) {
            return existing.strip();
        }
        String merged = record.withInclude(include).text();
        if (merged.length() > MAX_LENGTH) {
            throw new InvalidInputException("existing SPF record: " + Rejected.quote(existing)
                    + " would have " + merged.length() + " characters with include:" + include
                    + " (expected: at most " + MAX_LENGTH + ")");
        }
        return merged;
    }

    /** Returns this record with {@code include:<include>} added as {@link #mergeInclude(String, String)} does. */
    public SpfRecord withInclude(String include) {
        checkInclude(include);
        if (hasInclude(include)) {
            return this;
        }
        int at = indexOfMechanism("all");
        if (at < 0) {
            at = indexOfModifier("redirect");
        }
        if (at < 0) {
            at = terms.size();
        }
        List<Term> merged = new ArrayList<>(terms);
        merged.add(at, new Mechanism("include:" + include, '+', "include", include, ""));
        return new SpfRecord(merged);
    }

    /**
     * Returns this record without the {@code include} mechanisms that name {@code include} (ignoring
     * case, trailing dot and qualifier): {@link #withInclude} in reverse, every other term kept as written.
     */
    public SpfRecord withoutInclude(String include) {
        checkInclude(include);
        String unwanted = HostNames.normalize(include);
        return new SpfRecord(terms.stream()
                .filter(t -> !(t instanceof Mechanism m
                        && m.name().equals("include")
                        && HostNames.normalize(m.target()).equals(unwanted)))
                .toList());
    }

    /**
     * Returns true when the record names no sender: no mechanism but {@code all} and no {@code redirect}
     * (e.g. {@code v=spf1 ~all}).
     */
    public boolean namesNoSender() {
        return terms.stream()
                .allMatch(t -> t instanceof Mechanism m
                        ? m.name().equals("all")
                        : !((Modifier) t).name().equals("redirect"));
    }

    /** Returns true when an {@code include} mechanism names {@code domain} (ignoring case, trailing dot and qualifier). */
    public boolean hasInclude(String domain) {
        String wanted = HostNames.normalize(domain);
        return includes().stream()
                .anyMatch(target -> HostNames.normalize(target).equals(wanted));
    }

    /** Returns the targets of the {@code include} mechanisms, in order, as written. */
    public List<String> includes() {
        List<String> out = new ArrayList<>();
        for (Term term : terms) {
            if (term instanceof Mechanism m && m.name().equals("include")) {
                out.add(m.target());
            }
        }
        return List.copyOf(out);
    }

    /** Returns the {@code redirect} modifier's domain-spec, when there is one. */
    public Optional<String> redirect() {
        int at = indexOfModifier("redirect");
        return at < 0 ? Optional.empty() : Optional.of(((Modifier) terms.get(at)).value());
    }

    /**
     * Counts this record's own terms that make an SPF evaluator query DNS (RFC 7208 §4.6.4):
     * {@code include}, {@code a}, {@code mx}, {@code ptr}, {@code exists}, and {@code redirect}
     * unless an {@code all} mechanism makes it ignored. Terms of included records are not counted
     * here; following them is the caller's job.
     */
    public int dnsQueryingTerms() {
        int count = 0;
        for (Term term : terms) {
            if (term instanceof Mechanism m && DNS_QUERYING_MECHANISMS.contains(m.name())) {
                count++;
            }
        }
        if (indexOfModifier("redirect") >= 0 && indexOfMechanism("all") < 0) {
            count++;
        }
        return count;
    }

    /** Returns the record text: {@code v=spf1} and the terms as written, separated by single spaces. */
    public String text() {
        StringBuilder out = new StringBuilder(VERSION);
        for (Term term : terms) {
            out.append(' ').append(term.text());
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return text();
    }

    private int indexOfMechanism(String name) {
        for (int i = 0; i < terms.size(); i++) {
            if (terms.get(i) instanceof Mechanism m && m.name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private int indexOfModifier(String name) {
        for (int i = 0; i < terms.size(); i++) {
            if (terms.get(i) instanceof Modifier m && m.name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private static void checkInclude(String include) {
        requireNonNull(include, "include");
        try {
            checkDomainSpec(include);
        } catch (Rejected e) {
            throw new IllegalArgumentException(
                    "include: " + Rejected.quote(include) + " is not a valid domain-spec: " + e.getMessage());
        }
    }

    private static SpfRecord parse(String value) throws Rejected {
        String s = value == null ? "" : value.strip();
        if (s.isEmpty()) {
            throw new Rejected("must not be empty");
        }
        if (s.length() > MAX_LENGTH) {
            throw new Rejected(s.length() + " characters (expected: at most " + MAX_LENGTH + ")");
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != ' ' && (c < 0x21 || c > 0x7e)) {
                throw new Rejected("contains " + String.format("U+%04X", (int) c)
                        + " (expected: printable ASCII terms separated by spaces)");
            }
        }
        String[] tokens = s.split(" +");
        if (!tokens[0].equalsIgnoreCase(VERSION)) {
            throw new Rejected("must start with \"" + VERSION + "\" followed by a space");
        }
        List<Term> terms = new ArrayList<>();
        Set<String> seenModifiers = new HashSet<>();
        for (int i = 1; i < tokens.length; i++) {
            Term term = parseTerm(tokens[i]);
            if (term instanceof Modifier m
                    && (m.name().equals("redirect") || m.name().equals("exp"))
                    && !seenModifiers.add(m.name())) {
                throw new Rejected("the " + m.name() + " modifier appears more than once");
            }
            terms.add(term);
        }
        return new SpfRecord(terms);
    }

    private static Term parseTerm(String token) throws Rejected {
        Matcher modifier = MODIFIER.matcher(token);
        if (modifier.matches()) {
            String name = modifier.group(1).toLowerCase(Locale.ROOT);
            String value = modifier.group(2);
            if (name.equals("redirect") || name.equals("exp")) {
                checkTermDomainSpec(token, value);
            } else {
                checkMacroString(token, value);
            }
            return new Modifier(token, name, value);
        }
        Matcher mechanism = MECHANISM.matcher(token);
        mechanism.matches(); // Always matches: every part is optional.
        char qualifier = mechanism.group(1).isEmpty() ? '+' : mechanism.group(1).charAt(0);
        String name = mechanism.group(2).toLowerCase(Locale.ROOT);
        String rest = mechanism.group(3);
        if (!MECHANISMS.contains(name)) {
            throw new Rejected("unknown mechanism \"" + token + "\" (expected: all, include, a, mx,"
                    + " ptr, ip4, ip6, exists, or a modifier name=value)");
        }
        switch (name) {
            case "all":
                if (!rest.isEmpty()) {
                    throw new Rejected("\"" + token + "\": all takes no argument");
                }
                return new Mechanism(token, qualifier, name, "", "");
            case "include":
            case "exists":
                if (!rest.startsWith(":")) {
                    throw new Rejected("\"" + token + "\": " + name + " needs a domain (" + name + ":example.com)");
                }
                checkTermDomainSpec(token, rest.substring(1));
                return new Mechanism(token, qualifier, name, rest.substring(1), "");
            case "ptr":
                if (!rest.isEmpty() && !rest.startsWith(":")) {
                    throw new Rejected("\"" + token + "\": expected ptr or ptr:domain");
                }
                String ptrTarget = rest.isEmpty() ? "" : rest.substring(1);
                if (!rest.isEmpty()) {
                    checkTermDomainSpec(token, ptrTarget);
                }
                return new Mechanism(token, qualifier, name, ptrTarget, "");
            case "a":
            case "mx":
                return parseAOrMx(token, qualifier, name, rest);
            default: // ip4, ip6
                return parseIp(token, qualifier, name, rest);
        }
    }

    private static Mechanism parseAOrMx(String token, char qualifier, String name, String rest) throws Rejected {
        Matcher parts = SPEC_AND_CIDR.matcher(rest);
        if (!parts.matches()) {
            throw new Rejected("\"" + token + "\": expected " + name + ", " + name + ":domain, " + name + "/prefix or "
                    + name + ":domain/prefix");
        }
        String target = parts.group(1) == null ? "" : parts.group(1).substring(1);
        if (parts.group(1) != null) {
            checkTermDomainSpec(token, target);
        }
        String cidr = parts.group(2);
        String[] lengths = cidr.split("//", -1);
        if (!lengths[0].isEmpty()) {
            checkPrefixLength(token, lengths[0].substring(1), 32);
        }
        if (lengths.length > 1) {
            checkPrefixLength(token, lengths[1], 128);
        }
        return new Mechanism(token, qualifier, name, target, cidr);
    }

    private static Mechanism parseIp(String token, char qualifier, String name, String rest) throws Rejected {
        boolean v4 = name.equals("ip4");
        if (!rest.startsWith(":")) {
            throw new Rejected("\"" + token + "\": " + name + " needs an address (" + name + ":"
                    + (v4 ? "192.0.2.0/24" : "2001:db8::/32") + ")");
        }
        String network = rest.substring(1);
        String cidr = "";
        int slash = network.indexOf('/');
        if (slash >= 0) {
            cidr = network.substring(slash);
            checkPrefixLength(token, cidr.substring(1), v4 ? 32 : 128);
            network = network.substring(0, slash);
        }
        InetAddress address = InetAddresses.isInetAddress(network) ? InetAddresses.forString(network) : null;
        boolean ok = v4
                ? address instanceof Inet4Address && network.matches("[0-9.]+")
                : network.contains(":") && (address instanceof Inet6Address || address instanceof Inet4Address);
        if (!ok) {
            throw new Rejected(
                    "\"" + token + "\": \"" + network + "\" is not an " + (v4 ? "IPv4" : "IPv6") + " address");
        }
        return new Mechanism(token, qualifier, name, network, cidr);
    }

    private static void checkPrefixLength(String token, String digits, int max) throws Rejected {
        boolean ok = digits.matches("0|[1-9][0-9]{0,2}") && Integer.parseInt(digits) <= max;
        if (!ok) {
            throw new Rejected("\"" + token + "\": prefix length \"/" + digits + "\" (expected: 0 to " + max
                    + ", no leading zeros)");
        }
    }

    private static void checkTermDomainSpec(String token, String spec) throws Rejected {
        try {
            checkDomainSpec(spec);
        } catch (Rejected e) {
            throw new Rejected("\"" + token + "\": " + e.getMessage());
        }
    }

    private static void checkMacroString(String token, String value) throws Rejected {
        String withoutMacros = MACRO.matcher(value).replaceAll("");
        if (withoutMacros.contains("%")) {
            throw new Rejected("\"" + token + "\": bad macro (expected: %{letter...}, %%, %_ or %-)");
        }
    }

    /** Checks a domain-spec: a host name, or with macros, a macro-string ending in a macro or a top label. */
    private static void checkDomainSpec(String spec) throws Rejected {
        if (spec.isEmpty()) {
            throw new Rejected("domain is empty");
        }
        checkMacroString(spec, spec);
        boolean hasMacros = spec.contains("%");
        String name = HostNames.normalize(spec);
        if (hasMacros && name.endsWith("}")) {
            return;
        }
        String[] labels = name.split("\\.", -1);
        if (labels.length < 2) {
            throw new Rejected("\"" + spec + "\" is not a fully qualified domain (expected: e.g. example.com)");
        }
        if (name.length() > DomainName.MAX_LENGTH) {
            throw new Rejected(
                    "domain has " + name.length() + " characters (expected: at most " + DomainName.MAX_LENGTH + ")");
        }
        int first = 0;
        if (hasMacros) {
            // Only the labels after the last macro are plain host-name labels.
            first = name.substring(0, name.lastIndexOf('}') + 1).split("\\.", -1).length;
        }
        for (int i = first; i < labels.length; i++) {
            String label = labels[i];
            boolean top = i == labels.length - 1;
            boolean ok = !label.isEmpty()
                    && label.length() <= DomainName.MAX_LABEL_LENGTH
                    && label.matches(top ? "[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?" : "[A-Za-z0-9_-]+")
                    && !(top && label.matches("[0-9]+"));
            if (!ok) {
                throw new Rejected("\"" + spec + "\" is not a valid domain (label \"" + label + "\")");
            }
        }
    }
}
