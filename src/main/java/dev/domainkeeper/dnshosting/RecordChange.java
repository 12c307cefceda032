package dev.domainkeeper.dnshosting;

import static java.util.Objects.requireNonNull;

/**
 * Describes one change to a zone: create, replace or delete a whole record set. The planner sends the
 * whole set, other values at the name included; it deletes a set only when taking back what
 * Domainkeeper published, and then sends the set exactly as the zone holds it.
 *
 * @param action what to do with the record set
 * @param recordSet the new content of the record set
 */
public record RecordChange(Action action, RecordSet recordSet) {
    public RecordChange {
        requireNonNull(action, "action");
        requireNonNull(recordSet, "recordSet");
    }

    /** Names what a {@link RecordChange} does. */
    public enum Action {
        /** Creates the record set or replaces the one of the same name and type. */
        UPSERT,
        /** Deletes the record set, which must be exactly as given (values and TTL), or the provider refuses. */
        DELETE
    }
}
