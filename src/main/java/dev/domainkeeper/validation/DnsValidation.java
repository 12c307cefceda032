package dev.domainkeeper.validation;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.domain.DnsRecord;
import java.time.Instant;
import java.util.List;

/**
 * Records what DNS said about a domain's planned records at one moment (docs/ARCHITECTURE.md, "DNS
 * validation"): when the lookups were made, whether every required record is
 * {@link Status#VALID}, one check per planned record in plan order, and warnings about problems
 * that do not make a record invalid.
 */
public record DnsValidation(Instant checkedAt, boolean allValid, List<RecordCheck> records, List<String> warnings) {

    /** The outcome of checking one record. */
    public enum Status {
        /** The record is published as expected. */
        VALID,
        /** Nothing of the expected type is published at the name (NXDOMAIN or no data). */
        MISSING,
        /** A record of the expected type is there, with a different value. */
        MISMATCH,
        /** Something is there that keeps the record from working (two SPF records, a CNAME where a TXT belongs...). */
        CONFLICT,
        /** The lookup failed (timeout, SERVFAIL, REFUSED); the record's state is unknown. */
        ERROR
    }

    /**
     * Holds the check of one planned record: the values found at its name for its type (MX values as
     * {@code "<priority> <host>"}, TXT strings concatenated, or the CNAME targets found where a TXT or
     * MX belongs) and one line a person can act on.
     */
    public record RecordCheck(DnsRecord record, Status status, List<String> foundValues, String message) {
        public RecordCheck {
            requireNonNull(record, "record");
            requireNonNull(status, "status");
            foundValues = List.copyOf(foundValues);
            requireNonNull(message, "message");
        }
    }

    public DnsValidation {
        requireNonNull(checkedAt, "checkedAt");
        records = List.copyOf(records);
        warnings = List.copyOf(warnings);
    }
}
