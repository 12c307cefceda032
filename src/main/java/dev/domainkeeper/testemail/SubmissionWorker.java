package dev.domainkeeper.testemail;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.domain.Domain;
import dev.domainkeeper.domain.EventType;
import dev.domainkeeper.domain.Submission;
import dev.domainkeeper.domain.TestEmailType;
import dev.domainkeeper.errors.PreconditionFailedException;
import dev.domainkeeper.errors.RetryLaterException;
import dev.domainkeeper.events.EventRecorder;
import dev.domainkeeper.jobs.LeasedJobLoop;
import dev.domainkeeper.ses.SesAccess;
import dev.domainkeeper.ses.SesGateway;
import dev.domainkeeper.ses.SesRejectedException;
import dev.domainkeeper.ses.SesUnavailableException;
import dev.domainkeeper.store.DomainStore;
import dev.domainkeeper.store.SubmissionStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends queued submissions: claims the due ones on a {@link LeasedJobLoop} (several workers on one
 * PostgreSQL never claim the same row), sends each to SES, and records the SES message id (SENT), a
 * retry time after a transient error (back to QUEUED, with backoff, up to {@link #MAX_ATTEMPTS}
 * attempts), or the reason SES refused it for good (FAILED).
 *
 * <p>An attempt is counted in the database right before the message goes to SES, never for being
 * claimed: a worker that dies leaves the submissions it never reached as they were, and the one it
 * was sending with that attempt counted (SES may have it). So a submission runs out of attempts only
 * through real sends: {@link #MAX_ATTEMPTS} transient SES errors, or sends a dying worker never saw
 * finish.
 *
 * <p>Delivery is at least once, not exactly once. A claim is a lease: when a worker dies between
 * SES accepting a message and the SENT row being written (a window of one database round trip),
 * the lease runs out (after {@link #LEASE} by default) and another worker sends the message again. The other
 * window is an SES answer that arrives after the api call timeout: the send counts as failed and is
 * retried, and SES v2 has no idempotency key to drop the second copy. Otherwise every submission is
 * sent once: the lease is far longer than an SES call may take, and results are written only by the
 * claim that holds the row.
 */
public final class SubmissionWorker implements AutoCloseable {
    /** The most send attempts a submission gets before it is FAILED. */
    public static final int MAX_ATTEMPTS = 5;
    /** How long a claim holds a submission; a worker that stops for longer loses it to another. */
    public static final Duration LEASE = Duration.ofMinutes(2);

    private static final Duration FIRST_RETRY = Duration.ofSeconds(30);
    private static final Duration MAX_RETRY = Duration.ofMinutes(15);
    /**
     * At most this many submissions per claim (fewer when SES is slow): what a kill can strand until
     * the lease runs out, besides the one being sent. A pass claims again at once after a full claim.
     */
    private static final int MAX_CLAIM = 10;

    private static final Logger log = LoggerFactory.getLogger(SubmissionWorker.class);

    private final SubmissionStore submissions;
    private final DomainStore domains;
    private final SesAccess ses;
    private final TestEmailComposer composer;
    private final Clock clock;
    private final LeasedJobLoop<Submission> loop;
    private final EventRecorder events;

    public SubmissionWorker(
            SubmissionStore submissions,
            DomainStore domains,
            SesAccess ses,
            TestEmailComposer composer,
            EventRecorder events,
            Clock clock) {
        this(submissions, domains, ses, composer, events, clock, LEASE);
    }

    /**
     * Creates a worker whose claims last {@code lease} (keep it far longer than an SES call may take)
     * and that records {@code submission.sent} and {@code submission.failed} with each outcome.
     */
    public SubmissionWorker(
            SubmissionStore submissions,
            DomainStore domains,
            SesAccess ses,
            TestEmailComposer composer,
            EventRecorder events,
            Clock clock,
            Duration lease) {
        this.events = requireNonNull(events, "events");
        this.submissions = requireNonNull(submissions, "submissions");
        this.domains = requireNonNull(domains, "domains");
        this.ses = requireNonNull(ses, "ses");
        this.composer = requireNonNull(composer, "composer");
        this.clock = requireNonNull(clock, "clock");
        // A pass goes on while claims come back full: a long queue is sent without waiting for the next pass.
        this.loop = new LeasedJobLoop<>(
                "submission-worker",
                submissions,
                this::send,
                clock,
                lease,
                LeasedJobLoop.Limits.untilDrained(MAX_CLAIM));
    }

    /** Starts sending every {@code interval}; a pass sends until nothing is due. */
    public void start(Duration interval) {
        loop.start(interval);
    }

    /** Sends the submissions due now, until nothing is due; returns how many were claimed. */
    public int runOnce() {
        return loop.runOnce().claimed();
    }

    private boolean send(Submission s, String claim) {
        if (s.status() == Submission.Status.SENDING && s.attempts() >= MAX_ATTEMPTS) {
            // SENDING under a claim that ran out: a worker stopped during its last attempt.
            return fail(
                    s,
                    claim,
                    "gave up after " + s.attempts() + " attempts; the last did not finish " + "(worker stopped)",
                    s.attempts());
        }
        Optional<Domain> found = domains.findById(s.domainId())
                .filter(d -> d.accountId().equals(s.accountId()) && d.provisioning() == Domain.Provisioning.READY);
        if (found.isEmpty()) {
            return fail(s, claim, "domain " + s.domainId() + " was removed before the message was sent", s.attempts());
        }
        Domain domain = found.get();
        try {
            TestEmailService.requireCanSend(domain);
        } catch (PreconditionFailedException e) {
            return fail(s, claim, e.getMessage(), s.attempts());
        }
        SesGateway gateway;
        try {
            // Admitted before the attempt is counted: waiting for the SES budget uses up no attempt.
            gateway = ses.forJob(s.accountId());
        } catch (RetryLaterException e) {
            log.info("Submission {} put off: {}", s.id(), e.getMessage());
            submissions.putOff(s.id(), claim, clock.instant().plus(e.retryAfter()), clock.instant());
            return false;
        }
        if (!submissions.beginAttempt(s.id(), claim, clock.instant())) {
            log.info("Submission {} was taken over by another worker; not sending it", s.id());
            return false;
        }
        int attempt = s.attempts() + 1;
        try {
            String messageId = gateway.sendEmail(
                    domain.region(),
                    composer.compose(
                            domain.name(),
                            s.fromEmail(),
                            s.toEmail(),
                            s.messageClass(),
                            TestEmailType.NORMAL,
                            s.createdAt()));
            Instant sentAt = clock.instant();
            Submission sent = new Submission(
                    s.id(),
                    s.accountId(),
                    s.domainId(),
                    s.fromEmail(),
                    s.toEmail(),
                    s.messageClass(),
                    Submission.Status.SENT,
                    attempt,
                    s.nextAttemptAt(),
                    messageId,
                    "",
                    s.createdAt(),
                    sentAt);
            if (!submissions.markSent(
                    s.id(), claim, messageId, sentAt, events.submissionEvent(EventType.SUBMISSION_SENT, sent))) {
                log.warn(
                        "Submission {} was sent (SES message id {}) after its claim ran out; "
                                + "another worker may send it again",
                        s.id(),
                        messageId);
            }
            return true;
        } catch (SesRejectedException e) {
            return fail(s, claim, "SES rejected the message (" + e.errorCode() + "): " + e.getMessage(), attempt);
        } catch (SesUnavailableException e) {
            if (attempt >= MAX_ATTEMPTS) {
                return fail(s, claim, "gave up after " + attempt + " attempts: " + e.detail(), attempt);
            }
            Duration wait = backoff(attempt);
            if (e.retryAfter() != null && e.retryAfter().compareTo(wait) > 0) {
                wait = e.retryAfter();
            }
            Instant now = clock.instant();
            submissions.markRetry(
                    s.id(),
                    claim,
                    "attempt " + attempt + " of " + MAX_ATTEMPTS + " failed, " + "retrying: " + e.detail(),
                    now.plus(wait),
                    now);
            return false;
        }
    }

    /** Marks {@code s} FAILED; {@code attempts} is its attempt count as stored (with an attempt begun by this claim). */
    private boolean fail(Submission s, String claim, String reason, int attempts) {
        log.info("Submission {} failed: {}", s.id(), reason);
        Instant now = clock.instant();
        Submission failed = new Submission(
                s.id(),
                s.accountId(),
                s.domainId(),
                s.fromEmail(),
                s.toEmail(),
                s.messageClass(),
                Submission.Status.FAILED,
                attempts,
                s.nextAttemptAt(),
                s.messageId(),
                SubmissionStore.storedError(reason),
                s.createdAt(),
                now);
        submissions.markFailed(s.id(), claim, reason, now, events.submissionEvent(EventType.SUBMISSION_FAILED, failed));
        return true;
    }

    /** Returns the wait after the {@code attempts}-th failed attempt: 30 s, doubling, at most 15 min. */
    static Duration backoff(int attempts) {
        Duration wait = FIRST_RETRY.multipliedBy(1L << Math.min(Math.max(attempts - 1, 0), 10));
        return wait.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : wait;
    }

    @Override
    public void close() {
        loop.close();
    }
}
