package dev.domainkeeper.store;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.domain.MessageClass;
import dev.domainkeeper.domain.Submission;
import dev.domainkeeper.jobs.JobQueue;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Stores the submissions of the send pipeline: reads scoped by account for the API, and the job queue
 * and completion queries of the submission worker. Every completion is conditional on the claim
 * that made it, so a worker whose lease was taken over cannot overwrite the new owner's result.
 *
 * <p>A claim leaves a submission QUEUED and its attempt count as it is; {@link #beginAttempt} makes
 * it SENDING and counts the attempt, right before the message goes to SES. So a SENDING submission
 * whose lease ran out is an attempt a worker started and never finished (it counts: SES may have
 * the message), and a QUEUED one whose lease ran out was claimed by a worker that never reached it
 * (it costs nothing).
 */
public final class SubmissionStore implements JobQueue<Submission> {
    /** The longest error text kept (the column's size). */
    static final int MAX_ERROR_LENGTH = 2000;

    private static final String COLUMNS = "id, account_id, domain_id, from_email, to_email, message_class, status, "
            + "attempts, next_attempt_at, message_id, error, created_at, updated_at";
    /**
     * Due: queued, its time has come and no live claim holds it; or being sent by a worker whose lease
     * ran out (it stopped mid-send).
     */
    private static final String DUE = "((status = 'QUEUED' AND next_attempt_at <= :now"
            + " AND (lease_until IS NULL OR lease_until < :now)) OR (status = 'SENDING' AND lease_until < :now))";

    private final Jdbi jdbi;
    private final boolean postgres;

    public SubmissionStore(Jdbi jdbi, boolean postgres) {
        this.jdbi = requireNonNull(jdbi, "jdbi");
        this.postgres = postgres;
    }

    /** Inserts a new submission. */
    public void insert(Submission s) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO submissions (" + COLUMNS + ") VALUES (:id, :account, :domain, "
                        + ":from, :to, :class, :status, :attempts, :next, :messageId, :error, :created, :updated)")
                .bind("id", s.id())
                .bind("account", s.accountId())
                .bind("domain", s.domainId())
                .bind("from", s.fromEmail())
                .bind("to", s.toEmail())
                .bind("class", s.messageClass().name())
                .bind("status", s.status().name())
                .bind("attempts", s.attempts())
                .bind("next", s.nextAttemptAt().toEpochMilli())
                .bind("messageId", s.messageId())
                .bind("error", s.error())
                .bind("created", s.createdAt().toEpochMilli())
                .bind("updated", s.updatedAt().toEpochMilli())
                .execute());
    }

    /** Returns the submission when it belongs to {@code accountId}. */
    public Optional<Submission> find(String accountId, String id) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT " + COLUMNS + " FROM submissions " + "WHERE id = :id AND account_id = :account")
                .bind("id", id)
                .bind("account", accountId)
                .map((rs, ctx) -> map(rs))
                .findOne());
    }

    /**
     * Claims up to {@code limit} due submissions for the claim {@code claimId} until
     * {@code leaseUntil}, changing nothing but their lease: a QUEUED one stays QUEUED, and no attempt
     * is counted (see {@link #beginAttempt}). A claim id must be new for every call. Two workers never
     * claim the same submission: on PostgreSQL the candidates are locked with SKIP LOCKED (a second
     * worker takes the next ones instead of waiting), and the update re-checks that the row is still
     * due either way (SQLite runs one writer at a time).
     */
    @Override
    public List<Submission> claimDue(String claimId, Instant now, Instant leaseUntil, int limit) {
        // One statement (no transaction around an update and a select): claims are small and frequent.
        List<Submission> claimed = new ArrayList<>(jdbi.withHandle(h -> h.createQuery(
                        LeaseClaims.update("submissions", DUE, "next_attempt_at", postgres) + " RETURNING " + COLUMNS)
                .bind("claim", claimId)
                .bind("until", leaseUntil.toEpochMilli())
                .bind("now", now.toEpochMilli())
                .bind("limit", limit)
                .map((rs, ctx) -> map(rs))
                .list()));
        // RETURNING gives rows in no particular order.
        claimed.sort(Comparator.comparing(Submission::nextAttemptAt).thenComparing(Submission::id));
        return claimed;
    }

    @Override
    public String id(Submission job) {
        return job.id();
    }

    /**
     * Extends the claim on one submission to {@code leaseUntil}; returns false when the claim no
     * longer holds it (its lease ran out and another worker took it), so the caller must not send.
     */
    @Override
    public boolean renewLease(String id, String claimId, Instant leaseUntil) {
        return LeaseClaims.underClaim(
                jdbi,
                "submissions",
                "lease_until = :until",
                "status IN ('QUEUED', 'SENDING')",
                id,
                claimId,
                Map.of("until", leaseUntil.toEpochMilli()));
    }

    /**
     * Does nothing: every outcome the worker records ({@link #markSent}, {@link #markRetry},
     * {@link #markFailed}) ends the claim in the same statement, and a submission left otherwise goes
     * back to the queue when its lease runs out. Saves a statement per send.
     */
    @Override
    public void release(String id, String claimId) {
        // Nothing to do; see above.
    }

    /**
     * Records, right before the message is handed to SES, that an attempt is being made: the
     * submission becomes SENDING and its attempt count goes up by one. Returns false when the claim
     * no longer holds it, so the caller must not send. A worker that dies after this has used the
     * attempt, since SES may have got the message.
     */
    public boolean beginAttempt(String id, String claimId, Instant now) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE submissions SET status = 'SENDING', "
                                + "attempts = attempts + 1, updated_at = :now "
                                + "WHERE id = :id AND lease_owner = :claim AND status IN ('QUEUED', 'SENDING')")
                        .bind("now", now.toEpochMilli())
                        .bind("id", id)
                        .bind("claim", claimId)
                        .execute())
                == 1;
    }

    /** Records that SES accepted the message; returns false when the claim no longer holds the row. */
    public boolean markSent(String id, String claimId, String messageId, Instant now) {
        return markSent(id, claimId, messageId, now, null);
    }

    /**
     * Records that SES accepted the message and, in the same transaction, appends {@code event} (when
     * not null) to the outbox; returns false, recording nothing, when the claim no longer holds the row.
     */
    public boolean markSent(String id, String claimId, String messageId, Instant now, OutboxEvent event) {
        return jdbi.inTransaction(h -> withEvent(
                h,
                h.createUpdate("UPDATE submissions SET status = 'SENT', message_id = :messageId, "
                                        + "error = '', lease_owner = NULL, lease_until = NULL, updated_at = :now "
                                        + "WHERE id = :id AND lease_owner = :claim AND status = 'SENDING'")
                                .bind("messageId", messageId)
                                .bind("now", now.toEpochMilli())
                                .bind("id", id)
                                .bind("claim", claimId)
                                .execute()
                        == 1,
                event));
    }

    private static boolean withEvent(Handle h, boolean changed, OutboxEvent event) {
        if (changed && event != null) {
            Outbox.append(h, event);
        }
        return changed;
    }

    /** Puts the submission back in the queue until {@code nextAttemptAt}, keeping the error. */
    public boolean markRetry(String id, String claimId, String error, Instant nextAttemptAt, Instant now) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE submissions SET status = 'QUEUED', error = :error, "
                                + "next_attempt_at = :next, lease_owner = NULL, lease_until = NULL, updated_at = :now "
                                + "WHERE id = :id AND lease_owner = :claim AND status = 'SENDING'")
                        .bind("error", truncate(error))
                        .bind("next", nextAttemptAt.toEpochMilli())
                        .bind("now", now.toEpochMilli())
                        .bind("id", id)
                        .bind("claim", claimId)
                        .execute())
                == 1;
    }

    /**
     * Puts the submission off until {@code nextAttemptAt} before an attempt was made (the SES budget is used
     * up): its status and attempts stay as they are, and the claim ends.
     */
    public boolean putOff(String id, String claimId, Instant nextAttemptAt, Instant now) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE submissions SET next_attempt_at = :next, lease_owner = NULL,"
                                // A SENDING row (its last worker stopped mid-send) is due again when its lease
                                // runs out, so the lease holds it off instead.
                                + " lease_until = CASE WHEN status = 'SENDING' THEN :next ELSE NULL END,"
                                + " updated_at = :now"
                                + " WHERE id = :id AND lease_owner = :claim AND status IN ('QUEUED', 'SENDING')")
                        .bind("next", nextAttemptAt.toEpochMilli())
                        .bind("now", now.toEpochMilli())
                        .bind("id", id)
                        .bind("claim", claimId)
                        .execute())
                == 1;
    }

    /** Records that sending failed for good (also before any attempt, when the domain cannot send). */
    public boolean markFailed(String id, String claimId, String error, Instant now) {
        return markFailed(id, claimId, error, now, null);
    }

    /**
     * Records that sending failed for good and, in the same transaction, appends {@code event} (when
     * not null) to the outbox; returns false, recording nothing, when the claim no longer holds the row.
     */
    public boolean markFailed(String id, String claimId, String error, Instant now, OutboxEvent event) {
        return jdbi.inTransaction(h -> withEvent(
                h,
                h.createUpdate("UPDATE submissions SET status = 'FAILED', error = :error, "
                                        + "lease_owner = NULL, lease_until = NULL, updated_at = :now "
                                        + "WHERE id = :id AND lease_owner = :claim AND status IN ('QUEUED', 'SENDING')")
                                .bind("error", truncate(error))
                                .bind("now", now.toEpochMilli())
                                .bind("id", id)
                                .bind("claim", claimId)
                                .execute()
                        == 1,
                event));
    }

    /** Returns {@code error} cut to the column's size, as it is stored. */
    public static String storedError(String error) {
        return truncate(error);
    }

    private static String truncate(String error) {
        return error.length() <= MAX_ERROR_LENGTH ? error : error.substring(0, MAX_ERROR_LENGTH - 1) + "…";
    }

    private static Submission map(ResultSet rs) throws SQLException {
        return new Submission(
                rs.getString("id"),
                rs.getString("account_id"),
                rs.getString("domain_id"),
                rs.getString("from_email"),
                rs.getString("to_email"),
                MessageClass.valueOf(rs.getString("message_class")),
                Submission.Status.valueOf(rs.getString("status")),
                rs.getInt("attempts"),
                Instant.ofEpochMilli(rs.getLong("next_attempt_at")),
                rs.getString("message_id"),
                rs.getString("error"),
                Instant.ofEpochMilli(rs.getLong("created_at")),
                Instant.ofEpochMilli(rs.getLong("updated_at")));
    }
}
