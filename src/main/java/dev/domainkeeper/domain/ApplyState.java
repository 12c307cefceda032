package dev.domainkeeper.domain;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/**
 * Records the last attempt to publish a domain's records to a DNS provider. {@code appliedAt} is
 * null until the provider reports the change in sync.
 */
public record ApplyState(
        Status status, String provider, String changeId, Instant appliedAt, String error, List<FailedRecord> failed) {

    /** Where publishing stands. */
    public enum Status {
        NOT_APPLIED,
        APPLYING,
        APPLIED,
        APPLY_FAILED,
        PARTIALLY_APPLIED
    }

    /** A record that could not be published, and why. */
    public record FailedRecord(DnsRecord record, String reason) {
        public FailedRecord {
            requireNonNull(record, "record");
            requireNonNull(reason, "reason");
        }
    }

    public ApplyState {
        requireNonNull(status, "status");
        requireNonNull(provider, "provider");
        requireNonNull(changeId, "changeId");
        requireNonNull(error, "error");
        failed = List.copyOf(failed);
    }

    /** Returns the state of a domain whose records were never published. */
    public static ApplyState none() {
        return new ApplyState(Status.NOT_APPLIED, "", "", null, "", List.of());
    }
}
