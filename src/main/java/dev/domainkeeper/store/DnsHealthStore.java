package dev.domainkeeper.store;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.jobs.JobQueue;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Stores what the drift watch found for each verified domain ({@code dns_health}): the state of its
 * records at the last background check and when the next is due; and hands the due checks out to the
 * watch's job loop. Rows are keyed by the domain's id and carry its account, and every read the API
 * makes names the account.
 */
public final class DnsHealthStore {
    private static final String DUE = "next_check_at <= :now AND (lease_until IS NULL OR lease_until < :now)";

    private final Jdbi jdbi;
    private final boolean postgres;

    /** One domain's health row: the drift watch's state is opaque text to the store. */
    public record Health(
            String domainId, String accountId, Instant nextCheckAt, Optional<Instant> checkedAt, String state) {
        public Health {
            requireNonNull(domainId, "domainId");
            requireNonNull(accountId, "accountId");
            requireNonNull(nextCheckAt, "nextCheckAt");
            requireNonNull(checkedAt, "checkedAt");
            requireNonNull(state, "state");
        }
    }

    public DnsHealthStore(Jdbi jdbi, boolean postgres) {
        this.jdbi = requireNonNull(jdbi, "jdbi");
        this.postgres = postgres;
    }

    /**
     * Adds a row, first due at {@code firstCheck}, for every verified domain that has none yet, and drops
     * the rows of domains that no longer exist; returns how many rows were added.
     */
    public int enrolVerified(Instant firstCheck, String emptyState) {
        return jdbi.inTransaction(h -> {
            h.createUpdate("DELETE FROM dns_health WHERE NOT EXISTS "
                            + "(SELECT 1 FROM domains d WHERE d.id = dns_health.id)")
                    .execute();
            return h.createUpdate("INSERT INTO dns_health (id, account_id, next_check_at, state) "
                            + "SELECT d.id, d.account_id, :first, :state FROM domains d "
                            + "WHERE d.verification_status = 'SUCCESS' "
                            + "AND NOT EXISTS (SELECT 1 FROM dns_health h WHERE h.id = d.id) "
                            + "ON CONFLICT (id) DO NOTHING")
                    .bind("first", firstCheck.toEpochMilli())
                    .bind("state", emptyState)
                    .execute();
        });
    }

    /** Returns the health of the account's domain, empty when it was never checked or is not the account's. */
    public Optional<Health> find(String accountId, String domainId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT id, account_id, next_check_at, checked_at, state "
                        + "FROM dns_health WHERE id = :id AND account_id = :account")
                .bind("id", domainId)
                .bind("account", accountId)
                .map((rs, ctx) -> map(rs))
                .findOne());
    }

    /**
     * Stores a check's outcome and appends its events to the outbox (with their webhook deliveries), in
     * one transaction, if
     * {@code claimId} still holds the row; returns false (and writes nothing) when it does not.
     */
    public boolean recordCheck(
            Health h, String claimId, Instant checkedAt, Instant nextCheckAt, String state, List<OutboxEvent> events) {
        return jdbi.inTransaction(tx -> {
            int updated = tx.createUpdate("UPDATE dns_health SET checked_at = :checked, next_check_at = :next, "
                            + "state = :state WHERE id = :id AND lease_owner = :claim")
                    .bind("checked", checkedAt.toEpochMilli())
                    .bind("next", nextCheckAt.toEpochMilli())
                    .bind("state", state)
                    .bind("id", h.domainId())
                    .bind("claim", claimId)
                    .execute();
            if (updated == 0) {
                return false;
            }
            events.forEach(e -> Outbox.append(tx, e));
            return true;
        });
    }

    /** Moves the row's next check to {@code next} if {@code claimId} holds it. */
    public void postpone(String domainId, String claimId, Instant next) {
        jdbi.useHandle(h -> h.createUpdate(
                        "UPDATE dns_health SET next_check_at = :next WHERE id = :id AND lease_owner = :claim")
                .bind("next", next.toEpochMilli())
                .bind("id", domainId)
                .bind("claim", claimId)
                .execute());
    }

    /** Deletes the row (its domain is gone). */
    public void delete(String domainId) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM dns_health WHERE id = :id")
                .bind("id", domainId)
                .execute());
    }

    private static Health map(ResultSet rs) throws SQLException {
        long checked = rs.getLong(4);
        Optional<Instant> checkedAt = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(checked));
        return new Health(
                rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)), checkedAt, rs.getString(5));
    }

    /** Returns the queue of due checks, for the drift watch's job loop. */
    public JobQueue<Health> due() {
        return new JobQueue<>() {
            @Override
            public List<Health> claimDue(String claimId, Instant now, Instant leaseUntil, int limit) {
                return jdbi.inTransaction(h -> {
                    h.createUpdate(LeaseClaims.update("dns_health", DUE, "next_check_at", postgres))
                            .bind("claim", claimId)
                            .bind("until", leaseUntil.toEpochMilli())
                            .bind("now", now.toEpochMilli())
                            .bind("limit", limit)
                            .execute();
                    return h.createQuery("SELECT id, account_id, next_check_at, checked_at, state FROM dns_health "
                                    + "WHERE lease_owner = :claim ORDER BY next_check_at, id")
                            .bind("claim", claimId)
                            .map((rs, ctx) -> map(rs))
                            .list();
                });
            }

            @Override
            public String id(Health job) {
                return job.domainId();
            }

            @Override
            public boolean renewLease(String id, String claimId, Instant leaseUntil) {
                return jdbi.withHandle(h -> h.createUpdate(
                                        "UPDATE dns_health SET lease_until = :until WHERE id = :id AND lease_owner = :claim")
                                .bind("until", leaseUntil.toEpochMilli())
                                .bind("id", id)
                                .bind("claim", claimId)
                                .execute())
                        == 1;
            }

            @Override
            public void release(String id, String claimId) {
                jdbi.useHandle(h -> h.createUpdate("UPDATE dns_health SET lease_owner = NULL, lease_until = NULL "
                                + "WHERE id = :id AND lease_owner = :claim")
                        .bind("id", id)
                        .bind("claim", claimId)
                        .execute());
            }
        };
    }
}
