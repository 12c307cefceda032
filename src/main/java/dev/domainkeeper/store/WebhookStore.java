package dev.domainkeeper.store;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.domain.EventType;
import dev.domainkeeper.domain.WebhookAttempt;
import dev.domainkeeper.domain.WebhookEndpoint;
import dev.domainkeeper.jobs.JobQueue;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Stores webhook endpoints (always scoped by account for what the API reads and writes), the queue
 * of deliveries the delivery job works (one row per event and endpoint, queued by the outbox in the
 * transaction that recorded the event) and the delivery log.
 *
 * <p>A claim writes only the lease; {@link #beginAttempt} counts an attempt right before the request
 * goes out, and every outcome ({@link #markDelivered}, {@link #markRetry}, {@link #markFailed},
 * {@link #postpone}) ends the claim in the same statement, conditional on it.
 */
public final class WebhookStore implements JobQueue<WebhookStore.Delivery> {
    /** The longest error text kept (the column's size). */
    static final int MAX_ERROR_LENGTH = 2000;

    private static final String ENDPOINT_COLUMNS = "id, account_id, url, description, event_types, enabled, "
            + "disabled_reason, disabled_at, secret_sealed, previous_sealed, previous_until, failing_since, "
            + "created_at, updated_at";
    /**
     * Due: pending, its time has come, no live claim holds it, and no earlier delivery of the same
     * domain to the same endpoint is still pending (events of a domain arrive in order).
     */
    private static final String DUE = "status = 'PENDING' AND next_attempt_at <= :now"
            + " AND (lease_until IS NULL OR lease_until < :now)"
            + " AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.endpoint_id = webhook_deliveries.endpoint_id"
            + " AND e.order_key = webhook_deliveries.order_key AND e.status = 'PENDING'"
            + " AND e.seq < webhook_deliveries.seq)";

    private final Jdbi jdbi;
    private final boolean postgres;

    public WebhookStore(Jdbi jdbi, boolean postgres) {
        this.jdbi = requireNonNull(jdbi, "jdbi");
        this.postgres = postgres;
    }

    // ---- Endpoints ----

    /** Inserts a new endpoint. */
    public void insert(WebhookEndpoint e) {
        jdbi.useTransaction(h -> {
            long seq = Outbox.next(h, "webhook_seq");
            bind(
                            h.createUpdate("INSERT INTO webhook_endpoints (" + ENDPOINT_COLUMNS + ", seq) VALUES ("
                                    + Arrays.stream(ENDPOINT_COLUMNS.split(", "))
                                            .map(c -> ":" + c)
                                            .collect(Collectors.joining(", "))
                                    + ", :seq)"),
                            e)
                    .bind("seq", seq)
                    .execute();
        });
    }

    /** Writes every field of the endpoint, when it belongs to its account; returns false when it is gone. */
    public boolean update(WebhookEndpoint e) {
        String sets = Arrays.stream(ENDPOINT_COLUMNS.split(", "))
                .filter(c -> !c.equals("id") && !c.equals("account_id") && !c.equals("created_at"))
                .map(c -> c + " = :" + c)
                .collect(Collectors.joining(", "));
        return jdbi.withHandle(h -> bind(
                                h.createUpdate("UPDATE webhook_endpoints SET " + sets
                                        + " WHERE id = :id AND account_id = :account_id"),
                                e)
                        .execute())
                == 1;
    }

    /** Returns the endpoint with this id in this account. */
    public Optional<WebhookEndpoint> find(String accountId, String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + ENDPOINT_COLUMNS
                        + " FROM webhook_endpoints WHERE id = :id AND account_id = :account")
                .bind("id", id)
                .bind("account", accountId)
                .map((rs, ctx) -> endpoint(rs))
                .findOne());
    }

    /** An endpoint with its position in creation order. */
    public record Listed(long position, WebhookEndpoint endpoint) {}

    /** Returns up to {@code limit} endpoints of the account in creation order, after {@code afterPosition}. */
    public List<Listed> list(String accountId, long afterPosition, int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + ENDPOINT_COLUMNS + ", seq FROM webhook_endpoints "
                        + "WHERE account_id = :account AND seq > :after ORDER BY seq LIMIT :limit")
                .bind("account", accountId)
                .bind("after", afterPosition)
                .bind("limit", limit)
                .map((rs, ctx) -> new Listed(rs.getLong("seq"), endpoint(rs)))
                .list());
    }

    /** Deletes the endpoint with its queued deliveries and its log; returns false when it was not there. */
    public boolean delete(String accountId, String id) {
        return jdbi.inTransaction(h -> {
            int n = h.createUpdate("DELETE FROM webhook_endpoints WHERE id = :id AND account_id = :account")
                    .bind("id", id)
                    .bind("account", accountId)
                    .execute();
            if (n == 1) {
                for (String table : List.of("webhook_deliveries", "webhook_attempts")) {
                    h.createUpdate("DELETE FROM " + table + " WHERE endpoint_id = :id AND account_id = :account")
                            .bind("id", id)
                            .bind("account", accountId)
                            .execute();
                }
            }
            return n == 1;
        });
    }

    /** Records that a delivery to the endpoint succeeded: it is no longer failing. */
    public void recordSuccess(String endpointId) {
        jdbi.useHandle(h -> h.createUpdate(
                        "UPDATE webhook_endpoints SET failing_since = NULL WHERE id = :id AND failing_since IS NOT NULL")
                .bind("id", endpointId)
                .execute());
    }

    /**
     * Records that a delivery to the endpoint failed at {@code now}; when every delivery since
     * {@code failingBefore} or earlier failed, disables the endpoint with {@code reason} and gives up
     * its pending deliveries. Returns true when this call disabled it.
     */
    public boolean recordFailure(String endpointId, Instant now, Instant failingBefore, String reason) {
        return jdbi.inTransaction(h -> {
            h.createUpdate("UPDATE webhook_endpoints SET failing_since = :now WHERE id = :id AND failing_since IS NULL")
                    .bind("now", now.toEpochMilli())
                    .bind("id", endpointId)
                    .execute();
            int disabled = h.createUpdate("UPDATE webhook_endpoints SET enabled = :off, disabled_reason = :reason, "
                            + "disabled_at = :now, updated_at = :now "
                            + "WHERE id = :id AND enabled = :on AND failing_since <= :before")
                    .bind("off", false)
                    .bind("on", true)
                    .bind("reason", truncate(reason))
                    .bind("now", now.toEpochMilli())
                    .bind("id", endpointId)
                    .bind("before", failingBefore.toEpochMilli())
                    .execute();
            if (disabled == 1) {
                h.createUpdate(
                                "UPDATE webhook_deliveries SET status = 'FAILED', lease_owner = NULL, "
                                        + "lease_until = NULL, updated_at = :now WHERE endpoint_id = :id AND status = 'PENDING'")
                        .bind("now", now.toEpochMilli())
                        .bind("id", endpointId)
                        .execute();
            }
            return disabled == 1;
        });
    }

    // ---- The delivery queue ----

    /** A delivery the job works: the event (type and body as recorded) and where it goes. */
    public record Delivery(
            String id,
            String accountId,
            String endpointId,
            String eventId,
            String eventType,
            String payload,
            int attempts,
            long seq,
            Instant nextAttemptAt) {}

    @Override
    public List<Delivery> claimDue(String claimId, Instant now, Instant leaseUntil, int limit) {
        return jdbi.inTransaction(h -> {
            h.createUpdate(LeaseClaims.update("webhook_deliveries", DUE, "next_attempt_at, seq", postgres))
                    .bind("claim", claimId)
                    .bind("until", leaseUntil.toEpochMilli())
                    .bind("now", now.toEpochMilli())
                    .bind("limit", limit)
                    .execute();
            List<Delivery> claimed = new ArrayList<>(h.createQuery("SELECT d.id, d.account_id, d.endpoint_id, "
                            + "d.event_id, e.type, e.payload, d.attempts, d.seq, d.next_attempt_at "
                            + "FROM webhook_deliveries d JOIN domain_events e ON e.id = d.event_id "
                            + "WHERE d.lease_owner = :claim")
                    .bind("claim", claimId)
                    .map((rs, ctx) -> new Delivery(
                            rs.getString(1),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getString(5),
                            rs.getString(6),
                            rs.getInt(7),
                            rs.getLong(8),
                            Instant.ofEpochMilli(rs.getLong(9))))
                    .list());
            claimed.sort(Comparator.comparing(Delivery::nextAttemptAt).thenComparing(Delivery::seq));
            return claimed;
        });
    }

    @Override
    public String id(Delivery job) {
        return job.id();
    }

    @Override
    public boolean renewLease(String id, String claimId, Instant leaseUntil) {
        return underClaim("lease_until = :until", id, claimId, Map.of("until", leaseUntil.toEpochMilli()));
    }

    /**
     * Does nothing: the attempt may still be under way when the loop moves on (requests wait in
     * their endpoint's lane), and every outcome ends the claim itself; a delivery left otherwise goes
     * back to the queue when its lease runs out.
     */
    @Override
    public void release(String id, String claimId) {
        // Nothing to do; see above.
    }

    /** Counts an attempt right before the request goes out; returns false when the claim no longer holds it. */
    public boolean beginAttempt(String id, String claimId, Instant now) {
        return underClaim("attempts = attempts + 1, updated_at = :now", id, claimId, Map.of("now", now.toEpochMilli()));
    }

    /** Records that the receiver took the event. */
    public boolean markDelivered(String id, String claimId, Instant now) {
        return end(id, claimId, "DELIVERED", null, now);
    }

    /** Puts the delivery back in the queue until {@code next}. */
    public boolean markRetry(String id, String claimId, Instant next, Instant now) {
        return end(id, claimId, "PENDING", next, now);
    }

    /** Gives the delivery up for good. */
    public boolean markFailed(String id, String claimId, Instant now) {
        return end(id, claimId, "FAILED", null, now);
    }

    /** Ends the claim without an attempt, due again at {@code next} (the endpoint had no free slot). */
    public boolean postpone(String id, String claimId, Instant next, Instant now) {
        return end(id, claimId, "PENDING", next, now);
    }

    /** Ends the claim with {@code status}, due again at {@code next} when that is not null. */
    private boolean end(String id, String claimId, String status, Instant next, Instant now) {
        Map<String, Object> binds = new HashMap<>();
        binds.put("status", status);
        binds.put("now", now.toEpochMilli());
        if (next != null) {
            binds.put("next", next.toEpochMilli());
        }
        return underClaim(
                "status = :status, " + (next == null ? "" : "next_attempt_at = :next, ")
                        + "lease_owner = NULL, lease_until = NULL, updated_at = :now",
                id,
                claimId,
                binds);
    }

    private boolean underClaim(String sets, String id, String claimId, Map<String, Object> binds) {
        return LeaseClaims.underClaim(jdbi, "webhook_deliveries", sets, "status = 'PENDING'", id, claimId, binds);
    }

    // ---- The delivery log ----

    /** Appends an attempt to the endpoint's log. */
    public void insertAttempt(String accountId, String deliveryId, WebhookAttempt a) {
        jdbi.useTransaction(h -> insertAttempt(h, accountId, deliveryId, a));
    }

    private static void insertAttempt(Handle h, String accountId, String deliveryId, WebhookAttempt a) {
        long seq = Outbox.next(h, "webhook_attempt_seq");
        h.createUpdate("INSERT INTO webhook_attempts (id, seq, account_id, endpoint_id, delivery_id, event_id, "
                        + "event_type, attempt, attempted_at, http_status, latency_ms, error) VALUES (:id, :seq, "
                        + ":account, :endpoint, :delivery, :event, :type, :attempt, :at, :status, :latency, :error)")
                .bind("id", a.id())
                .bind("seq", seq)
                .bind("account", accountId)
                .bind("endpoint", a.endpointId())
                .bind("delivery", deliveryId)
                .bind("event", a.eventId())
                .bind("type", a.eventType())
                .bind("attempt", a.attempt())
                .bind("at", a.attemptedAt().toEpochMilli())
                .bind("status", a.httpStatus())
                .bind("latency", a.latencyMillis())
                .bind("error", truncate(a.error()))
                .execute();
    }

    /** An attempt with its position in the log. */
    public record LoggedAttempt(long position, WebhookAttempt attempt) {}

    /** Returns up to {@code limit} attempts of the account's endpoint, newest first, before {@code beforePosition}. */
    public List<LoggedAttempt> attempts(String accountId, String endpointId, long beforePosition, int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT id, seq, endpoint_id, event_id, event_type, attempt, "
                        + "attempted_at, http_status, latency_ms, error FROM webhook_attempts "
                        + "WHERE account_id = :account AND endpoint_id = :endpoint AND seq < :before "
                        + "ORDER BY seq DESC LIMIT :limit")
                .bind("account", accountId)
                .bind("endpoint", endpointId)
                .bind("before", beforePosition)
                .bind("limit", limit)
                .map((rs, ctx) -> new LoggedAttempt(
                        rs.getLong("seq"),
                        new WebhookAttempt(
                                rs.getString("id"),
                                rs.getString("endpoint_id"),
                                rs.getString("event_id"),
                                rs.getString("event_type"),
                                rs.getInt("attempt"),
                                Instant.ofEpochMilli(rs.getLong("attempted_at")),
                                rs.getInt("http_status"),
                                rs.getLong("latency_ms"),
                                rs.getString("error"))))
                .list());
    }

    private static String truncate(String error) {
        return SubmissionStore.storedError(error);
    }

    private static <S extends org.jdbi.v3.core.statement.SqlStatement<S>> S bind(S s, WebhookEndpoint e) {
        return s.bind("id", e.id())
                .bind("account_id", e.accountId())
                .bind("url", e.url())
                .bind("description", e.description())
                .bind("event_types", eventTypes(e.eventTypes()))
                .bind("enabled", e.enabled())
                .bind("disabled_reason", truncate(e.disabledReason()))
                .bind("disabled_at", millis(e.disabledAt()))
                .bind("secret_sealed", e.secretSealed())
                .bind("previous_sealed", e.previousSealed())
                .bind("previous_until", millis(e.previousUntil()))
                .bind("failing_since", millis(e.failingSince()))
                .bind("created_at", e.createdAt().toEpochMilli())
                .bind("updated_at", e.updatedAt().toEpochMilli());
    }

    /** Stores the types as {@code ,a,b,} so one LIKE finds the endpoints of a type; '' is every type. */
    private static String eventTypes(List<EventType> types) {
        return types.isEmpty()
                ? ""
                : types.stream().map(EventType::wireName).collect(Collectors.joining(",", ",", ","));
    }

    private static Long millis(Instant i) {
        return i == null ? null : i.toEpochMilli();
    }

    private static WebhookEndpoint endpoint(ResultSet rs) throws SQLException {
        String types = rs.getString("event_types");
        return new WebhookEndpoint(
                rs.getString("id"),
                rs.getString("account_id"),
                rs.getString("url"),
                rs.getString("description"),
                types.isEmpty()
                        ? List.of()
                        : Arrays.stream(types.split(","))
                                .filter(t -> !t.isEmpty())
                                .map(t -> EventType.ofWireName(t).orElseThrow())
                                .toList(),
                rs.getBoolean("enabled"),
                rs.getString("disabled_reason"),
                instant(rs, "disabled_at"),
                rs.getString("secret_sealed"),
                rs.getString("previous_sealed"),
                instant(rs, "previous_until"),
                instant(rs, "failing_since"),
                Instant.ofEpochMilli(rs.getLong("created_at")),
                Instant.ofEpochMilli(rs.getLong("updated_at")));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
    }
}
