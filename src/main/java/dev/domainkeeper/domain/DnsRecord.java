package dev.domainkeeper.domain;

import static java.util.Objects.requireNonNull;

/**
 * Describes one DNS record a domain needs: fully qualified lower-case name without trailing dot,
 * and the value (CNAME target or MX host without trailing dot, or the whole unquoted TXT text).
 */
public record DnsRecord(
        RecordType type, String name, String value, int priority, int ttl, RecordPurpose purpose, boolean required) {
    public DnsRecord {
        requireNonNull(type, "type");
        requireNonNull(name, "name");
        requireNonNull(value, "value");
        requireNonNull(purpose, "purpose");
    }
}
