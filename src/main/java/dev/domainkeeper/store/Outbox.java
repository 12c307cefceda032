package dev.domainkeeper.store;

import org.jdbi.v3.core.Handle;

/**
 * Appends events to the outbox and queues their webhook deliveries, inside the caller's
 * transaction; every store that records a change with its event uses it.
 */
final class Outbox {
    private Outbox() {}

    /** Takes the next value of a counter, inside the caller's transaction (the row lock orders them). */
    static long next(Handle h, String counter) {
        h.createUpdate("UPDATE counters SET value = value + 1 WHERE name = :name")
                .bind("name", counter)
                .execute();
        return h.createQuery("SELECT value FROM counters WHERE name = :name")
                .bind("name", counter)
                .mapTo(Long.class)
                .one();
    }

    /** Appends {@code e} and queues a delivery to each endpoint that should receive it. */
    static void append(Handle h, OutboxEvent e) {
        long seq = next(h, "event_seq");
        long now = e.createdAt().toEpochMilli();
        h.createUpdate("INSERT INTO domain_events (id, domain_id, account_id, type, payload, created_at, seq) "
                        + "VALUES (:id, :domain, :account, :type, :payload, :now, :seq)")
                .bind("id", e.id())
                .bind("domain", e.domainId())
                .bind("account", e.accountId())
                .bind("type", e.type())
                .bind("payload", e.payload())
                .bind("now", now)
                .bind("seq", seq)
                .execute();
        String target = e.onlyEndpointId() == null
                ? "enabled = :enabled AND (event_types = '' OR event_types LIKE :pattern)"
                : "id = :endpoint";
        // Without a domain the event keeps no order with others: its own id is its order key.
        String orderKey = e.domainId().isEmpty() ? e.id() : e.domainId();
        int queued = h.createUpdate("INSERT INTO webhook_deliveries (id, account_id, endpoint_id, event_id, order_key,"
                        + " seq, status, attempts, next_attempt_at, created_at, updated_at)"
                        + " SELECT :event || ':' || id, account_id, id, :event, :orderKey, :seq, 'PENDING', 0, :now,"
                        + " :now, :now FROM webhook_endpoints WHERE account_id = :account AND " + target)
                .bind("event", e.id())
                .bind("orderKey", orderKey)
                .bind("seq", seq)
                .bind("now", now)
                .bind("account", e.accountId())
                .bind("enabled", true)
                .bind("pattern", "%," + e.type() + ",%")
                .bind("endpoint", e.onlyEndpointId())
                .execute();
        if (queued > 0) {
            h.createUpdate("UPDATE domain_events SET published_at = :now WHERE id = :id")
                    .bind("now", now)
                    .bind("id", e.id())
                    .execute();
        }
    }
}
