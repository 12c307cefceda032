package dev.domainkeeper.validation;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.domain.DnsRecord;
import dev.domainkeeper.validation.DnsValidation.Status;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the drift watch knows of a verified domain's DNS: when it last checked (empty until the first
 * background check), when it checks next, and the records that drifted: each was seen
 * {@link Status#VALID} once and is now missing, different or in conflict.
 */
public record DnsHealth(Optional<Instant> checkedAt, Instant nextCheckAt, List<Drift> drifted) {
    public DnsHealth {
        requireNonNull(checkedAt, "checkedAt");
        requireNonNull(nextCheckAt, "nextCheckAt");
        drifted = List.copyOf(drifted);
    }

    /**
     * A record that drifted: what Domainkeeper expects ({@code record}), what the last check found
     * ({@code status}, {@code foundValues}, {@code message}) and when the drift was first seen.
     */
    public record Drift(DnsRecord record, Status status, List<String> foundValues, String message, Instant since) {
        public Drift {
            requireNonNull(record, "record");
            requireNonNull(status, "status");
            foundValues = List.copyOf(foundValues);
            requireNonNull(message, "message");
            requireNonNull(since, "since");
        }
    }
}
