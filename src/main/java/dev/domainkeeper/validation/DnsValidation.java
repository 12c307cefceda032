package dev.domainkeeper.validation;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.domain.DnsRecord;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

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
     * MX belongs), one line a person can act on, and, when asked for, what each authoritative name
     * server of its zone serves.
     */
    public record RecordCheck(
            DnsRecord record,
            Status status,
            List<String> foundValues,
            String message,
            Optional<Propagation> propagation) {
        public RecordCheck {
            requireNonNull(record, "record");
            requireNonNull(status, "status");
            foundValues = List.copyOf(foundValues);
            requireNonNull(message, "message");
            requireNonNull(propagation, "propagation");
        }

        /** Returns a check without propagation. */
        public RecordCheck(DnsRecord record, Status status, List<String> foundValues, String message) {
            this(record, status, foundValues, message, Optional.empty());
        }

        /** Returns this check with {@code propagation}. */
        public RecordCheck withPropagation(Propagation propagation) {
            return new RecordCheck(record, status, foundValues, message, Optional.of(propagation));
        }
    }

    /**
     * Says how far a record has spread over the authoritative name servers of its zone: how many were
     * asked ({@code nameServersTotal}, at most {@link #MAX_NAME_SERVERS}, the first by name), how many
     * serve the expected value (their check is {@link Status#VALID}), and each one's answer. {@code
     * error} is set, and {@code nameServers} empty, when the zone or its name servers could not be
     * found, or the snapshot ran out of time first.
     */
    public record Propagation(
            String zone,
            int nameServersTotal,
            int nameServersServing,
            List<NameServerCheck> nameServers,
            String error) {
        /** The most name servers of one zone that are asked. */
        public static final int MAX_NAME_SERVERS = 8;

        public Propagation {
            requireNonNull(zone, "zone");
            nameServers = List.copyOf(nameServers);
            requireNonNull(error, "error");
        }

        /** Returns the propagation of one record over {@code nameServers} of {@code zone}. */
        public static Propagation of(String zone, List<NameServerCheck> nameServers) {
            int serving = (int)
                    nameServers.stream().filter(n -> n.status() == Status.VALID).count();
            return new Propagation(zone, nameServers.size(), serving, nameServers, "");
        }

        /** Returns a propagation that could not be checked, for {@code error}. */
        public static Propagation failed(String zone, String error) {
            return new Propagation(zone, 0, 0, List.of(), error);
        }

        /** Returns one line, e.g. "2 of 3 name servers of example.com serve the expected value". */
        public String summary() {
            if (!error.isEmpty()) {
                return "The name servers" + (zone.isEmpty() ? "" : " of " + zone) + " were not checked: " + error;
            }
            return nameServersServing + " of " + nameServersTotal
                    + (nameServersTotal == 1 ? " name server" : " name servers") + " of " + zone
                    + (nameServersServing == 1 ? " serves" : " serve") + " the expected value";
        }
    }

    /**
     * Holds one authoritative name server's answer for a record: its host name, the address asked
     * (empty when none was found), the status by the same rules as the record's own check, the
     * values it serves, and one line a person can act on.
     */
    public record NameServerCheck(
            String host, String address, Status status, List<String> foundValues, String message) {
        public NameServerCheck {
            requireNonNull(host, "host");
            requireNonNull(address, "address");
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
