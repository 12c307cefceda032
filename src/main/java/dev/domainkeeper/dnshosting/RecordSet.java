package dev.domainkeeper.dnshosting;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.domain.HostNames;
import dev.domainkeeper.domain.RecordType;
import java.util.List;

/**
 * Holds the records of one name and type, in the form the application plans with rather than the
 * provider's wire form.
 *
 * @param name the owner name, lower case, without a trailing dot, with no escapes (a wildcard is
 *     {@code *.example.com}); normalized by the constructor
 * @param type the record type
 * @param ttl the time to live in seconds
 * @param values one entry per record: a CNAME or NS target without trailing dot, an MX
 *     {@code "10 host"} without trailing dot, or a TXT value's logical text (unquoted, its
 *     character-strings joined)
 */
public record RecordSet(String name, RecordType type, long ttl, List<String> values) {
    public RecordSet {
        name = normalizeName(name, "name");
        requireNonNull(type, "type");
        values = List.copyOf(requireNonNull(values, "values"));
        if (ttl < 0) {
            throw new IllegalArgumentException("ttl: " + ttl + " (expected: >= 0)");
        }
        if (values.isEmpty()) {
            throw new IllegalArgumentException("values of " + type + " " + name + ": none (expected: at least one)");
        }
        if (type == RecordType.CNAME && values.size() != 1) {
            throw new IllegalArgumentException(
                    "values of CNAME " + name + ": " + values.size() + " (expected: exactly one)");
        }
    }

    /** Lower-cases {@code name} and drops one trailing dot; rejects a blank name. */
    static String normalizeName(String name, String field) {
        requireNonNull(name, field);
        String n = HostNames.normalize(name);
        if (n.isEmpty() || n.equals(".")) {
            throw new IllegalArgumentException(field + ": '" + name + "' (expected: a domain name)");
        }
        return n;
    }
}
