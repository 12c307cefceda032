package dev.domainkeeper.dnshosting;

import static java.util.Objects.requireNonNull;

/**
 * Describes one change to a zone: create, replace or delete a whole record set.
 *
 * @param action what to do with the record set
 * @param recordSet the record set to create, the new content for an upsert, or for a delete the
 *     exact current content (providers refuse a delete that does not match)
 */
public record RecordChange(Action action, RecordSet recordSet) {
    public RecordChange {
        requireNonNull(action, "action");
        requireNonNull(recordSet, "recordSet");
    }

    /** Names what a {@link RecordChange} does. */
    public enum Action {
        /** Adds the record set; fails when one of the same name and type exists. */
        CREATE,
        /** Creates the record set or replaces the one of the same name and type. */
        UPSERT,
        /** Removes the record set, which must match exactly. */
        DELETE
    }
}
