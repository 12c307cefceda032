package dev.domainkeeper.domain;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Parses and formats a DMARC record ({@code v=DMARC1; p=none; rua=mailto:...}, RFC 7489 §6.3) as an
 * ordered list of tags. Unknown tags are kept, so a record can be read and written back whole.
 */
public record DmarcRecord(List<Tag> tags) {
    /** The version tag every DMARC record starts with; its value is case-sensitive. */
    public static final String VERSION = "v=DMARC1";

    public DmarcRecord {
        tags = List.copyOf(tags);
    }

    /** Holds one tag: {@code name} in lower case, {@code value} as written without surrounding spaces. */
    public record Tag(String name, String value) {
        public Tag {
            requireNonNull(name, "name");
            requireNonNull(value, "value");
        }
    }

    /** Returns true when {@code txt} claims to be a DMARC record: its first tag is {@code v=DMARC1}. */
    public static boolean isDmarc(String txt) {
        if (txt == null) {
            return false;
        }
        String first = txt.split(";", 2)[0];
        int eq = first.indexOf('=');
        return eq > 0
                && first.substring(0, eq).strip().equalsIgnoreCase("v")
                && first.substring(eq + 1).strip().equals("DMARC1");
    }

    /**
     * Parses {@code text}, naming {@code field} (e.g. the record's DNS name) in the error. Spaces
     * around tags and {@code =}, and empty tags (a trailing {@code ;}) are tolerated.
     *
     * @throws InvalidInputException with a one-line reason, e.g.
     *     {@code _dmarc.example.com: "v=DMARC1; rua=mailto:a@example.com" is not a valid DMARC record: has no p tag ...}
     */
    public static DmarcRecord parse(String field, String text) {
        requireNonNull(field, "field");
        try {
            return parse(text);
        } catch (Rejected e) {
            throw e.toInvalidInput(field, text, "DMARC record");
        }
    }

    /**
     * Formats the record Domainkeeper publishes: {@code v=DMARC1; p=<policy>} and, unless
     * {@code reportEmail} is empty, {@code ; rua=mailto:<reportEmail>} (with {@code ,}, {@code !}
     * and {@code ;} percent-encoded, as they are delimiters in DMARC URIs).
     */
    public static String format(DmarcPolicy policy, String reportEmail) {
        requireNonNull(policy, "policy");
        requireNonNull(reportEmail, "reportEmail");
        String record = VERSION + "; p=" + policy.name().toLowerCase(Locale.ROOT);
        if (reportEmail.isEmpty()) {
            return record;
        }
        String escaped = reportEmail
                .replace("%", "%25")
                .replace(",", "%2C")
                .replace("!", "%21")
                .replace(";", "%3B");
        return record + "; rua=mailto:" + escaped;
    }

    /** Returns the requested policy ({@code p}). */
    public DmarcPolicy policy() {
        return toPolicy(tag("p").orElseThrow());
    }

    /** Returns the policy for subdomains ({@code sp}) when the record sets one. */
    public Optional<DmarcPolicy> subdomainPolicy() {
        return tag("sp").map(DmarcRecord::toPolicy);
    }

    /** Returns the value of the tag {@code name} (case-insensitive), when present. */
    public Optional<String> tag(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        return tags.stream()
                .filter(t -> t.name().equals(wanted))
                .map(Tag::value)
                .findFirst();
    }

    /** Returns the record text: the tags as {@code name=value}, separated by {@code "; "}. */
    public String text() {
        List<String> parts = new ArrayList<>();
        for (Tag tag : tags) {
            parts.add(tag.name() + "=" + tag.value());
        }
        return String.join("; ", parts);
    }

    @Override
    public String toString() {
        return text();
    }

    private static DmarcPolicy toPolicy(String value) {
        return DmarcPolicy.valueOf(value.toUpperCase(Locale.ROOT));
    }

    private static DmarcRecord parse(String text) throws Rejected {
        String s = text == null ? "" : text.strip();
        if (s.isEmpty()) {
            throw new Rejected("must not be empty");
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f) {
                throw new Rejected("contains the control character " + String.format("U+%04X", (int) c));
            }
        }
        String[] segments = s.split(";", -1);
        List<Tag> tags = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String segment : segments) {
            String part = segment.strip();
            if (part.isEmpty() && !tags.isEmpty()) {
                continue;
            }
            Tag tag = parseTag(part, tags.isEmpty());
            if (!seen.add(tag.name())) {
                throw new Rejected("tag " + tag.name() + " appears more than once");
            }
            checkValue(tag);
            tags.add(tag);
        }
        if (!seen.contains("p")) {
            throw new Rejected("has no p tag (expected: p=none, p=quarantine or p=reject)");
        }
        return new DmarcRecord(tags);
    }

    private static Tag parseTag(String part, boolean first) throws Rejected {
        int eq = part.indexOf('=');
        String name = eq < 0 ? part : part.substring(0, eq).strip();
        String value = eq < 0 ? "" : part.substring(eq + 1).strip();
        if (first && !(name.equalsIgnoreCase("v") && value.equals("DMARC1"))) {
            throw new Rejected("must start with " + VERSION);
        }
        if (eq < 0) {
            throw new Rejected("\"" + part + "\" has no \"=\" (expected: tag=value)");
        }
        if (!name.matches("[A-Za-z][A-Za-z0-9_]*")) {
            throw new Rejected("\"" + name + "\" is not a tag name (expected: letters, digits, _)");
        }
        return new Tag(name.toLowerCase(Locale.ROOT), value);
    }

    private static void checkValue(Tag tag) throws Rejected {
        String value = tag.value();
        switch (tag.name()) {
            case "p":
            case "sp":
                if (!value.matches("(?i)none|quarantine|reject")) {
                    throw new Rejected(tag.name() + "=\"" + value + "\" (expected: none, quarantine or reject)");
                }
                break;
            case "pct":
                if (!value.matches("[0-9]{1,3}") || Integer.parseInt(value) > 100) {
                    throw new Rejected("pct=\"" + value + "\" (expected: 0 to 100)");
                }
                break;
            case "adkim":
            case "aspf":
                if (!value.matches("(?i)[rs]")) {
                    throw new Rejected(tag.name() + "=\"" + value + "\" (expected: r or s)");
                }
                break;
            case "rua":
            case "ruf":
                for (String uri : value.split(",", -1)) {
                    if (!uri.strip().matches("[A-Za-z][A-Za-z0-9+.-]*:\\S+")) {
                        throw new Rejected(tag.name() + " has \"" + uri.strip()
                                + "\" (expected: URIs such as mailto:dmarc@example.com, separated by commas)");
                    }
                }
                break;
            default:
                break;
        }
    }
}
