package dev.domainkeeper.dnshosting;

import static java.util.Objects.requireNonNull;

/**
 * Describes one change to a zone: create or replace a whole record set. Domainkeeper never deletes
 * records; the planner sends the whole set, other values at the name included.
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
        UPSERT
    }
}
