package dev.domainkeeper.dns;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.domain.RecordType;
import java.util.List;

/**
 * Holds the answer to one DNS query. {@code records} are the records of the asked type found at the
 * name (after following CNAMEs); {@code cnames} the CNAME records met on the way (so a CNAME where a
 * TXT belongs can be reported). {@code error} is a short human reason when {@code outcome} is ERROR.
 */
public record DnsAnswer(Outcome outcome, List<DnsValue> records, List<DnsValue> cnames, String error) {

    /** How the query ended. */
    public enum Outcome {
        /** Records of the asked type exist. */
        FOUND,
        /** The name exists but has no records of the asked type. */
        NO_DATA,
        /** The name does not exist. */
        NXDOMAIN,
        /** The lookup failed: timeout, SERVFAIL, REFUSED or a network error. */
        ERROR
    }

    /**
     * One record value: CNAME target or MX host lower case without trailing dot (MX priority in
     * {@code priority}), or a TXT record's strings concatenated.
     */
    public record DnsValue(RecordType type, int priority, String value) {
        public DnsValue {
            requireNonNull(type, "type");
            requireNonNull(value, "value");
        }
    }

    public DnsAnswer {
        requireNonNull(outcome, "outcome");
        records = List.copyOf(records);
        cnames = List.copyOf(cnames);
        error = error == null ? "" : error;
    }
}
