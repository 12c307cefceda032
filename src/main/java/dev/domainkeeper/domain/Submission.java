package dev.domainkeeper.domain;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * Holds one queued send of the submission pipeline: QUEUED until a worker starts an attempt (being
 * claimed leaves it QUEUED), SENDING while the worker talks to SES, then SENT (with SES's message id)
 * or FAILED (with the reason). A transient failure puts it back to QUEUED with a later
 * {@code nextAttemptAt} and the error kept in {@code error}. {@code attempts} counts the attempts
 * started, each right before the message went to SES. {@code messageId} and {@code error} are empty
 * when there is none.
 */
public record Submission(
        String id,
        String accountId,
        String domainId,
        String fromEmail,
        String toEmail,
        MessageClass messageClass,
        Status status,
        int attempts,
        Instant nextAttemptAt,
        String messageId,
        String error,
        Instant createdAt,
        Instant updatedAt) {

    /** Where a submission stands. */
    public enum Status {
        /** Waiting for a worker, also while claimed by one and while waiting to retry after a transient error. */
        QUEUED,
        /** A worker started an attempt and has not recorded its outcome yet. */
        SENDING,
        /** SES accepted the message. */
        SENT,
        /** Sending failed for good. */
        FAILED
    }

    public Submission {
        requireNonNull(id, "id");
        requireNonNull(accountId, "accountId");
        requireNonNull(domainId, "domainId");
        requireNonNull(fromEmail, "fromEmail");
        requireNonNull(toEmail, "toEmail");
        requireNonNull(messageClass, "messageClass");
        requireNonNull(status, "status");
        requireNonNull(nextAttemptAt, "nextAttemptAt");
        requireNonNull(messageId, "messageId");
        requireNonNull(error, "error");
        requireNonNull(createdAt, "createdAt");
        requireNonNull(updatedAt, "updatedAt");
    }

    /** Returns a new QUEUED submission, due at once. */
    public static Submission queued(
            String id,
            String accountId,
            String domainId,
            String fromEmail,
            String toEmail,
            MessageClass messageClass,
            Instant now) {
        return new Submission(
                id, accountId, domainId, fromEmail, toEmail, messageClass, Status.QUEUED, 0, now, "", "", now, now);
    }
}
