package dev.domainkeeper.testemail;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.domain.Domain;
import dev.domainkeeper.domain.EmailAddress;
import dev.domainkeeper.domain.IdentityStatus;
import dev.domainkeeper.domain.Ids;
import dev.domainkeeper.domain.InvalidInputException;
import dev.domainkeeper.domain.MessageClass;
import dev.domainkeeper.domain.Submission;
import dev.domainkeeper.domain.TestEmailType;
import dev.domainkeeper.domains.DomainService;
import dev.domainkeeper.errors.NotFoundException;
import dev.domainkeeper.errors.PreconditionFailedException;
import dev.domainkeeper.errors.RetryLaterException;
import dev.domainkeeper.ses.OutboundEmail;
import dev.domainkeeper.ses.SesAccess;
import dev.domainkeeper.ses.SesGateway;
import dev.domainkeeper.ses.SesRejectedException;
import dev.domainkeeper.store.DomainStore;
import dev.domainkeeper.store.SubmissionStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Sends test emails from a verified domain: simulator types synchronously to the SES mailbox
 * simulator, NORMAL ones through the submission pipeline (stored QUEUED, sent by the
 * {@link SubmissionWorker}). Also shows an account's submissions.
 */
public final class TestEmailService {
    private final DomainService domains;
    private final DomainStore domainStore;
    private final SubmissionStore submissions;
    private final SesAccess ses;
    private final TestEmailComposer composer;
    private final TestSendLimiter limiter;
    private final Clock clock;

    public TestEmailService(
            DomainService domains,
            DomainStore domainStore,
            SubmissionStore submissions,
            SesAccess ses,
            TestEmailComposer composer,
            TestSendLimiter limiter,
            Clock clock) {
        this.domains = requireNonNull(domains, "domains");
        this.domainStore = requireNonNull(domainStore, "domainStore");
        this.submissions = requireNonNull(submissions, "submissions");
        this.ses = requireNonNull(ses, "ses");
        this.composer = requireNonNull(composer, "composer");
        this.limiter = requireNonNull(limiter, "limiter");
        this.clock = requireNonNull(clock, "clock");
    }

    /**
     * What SendTestEmail asks for. {@code domainId} or {@code fromEmail} (or both) must be given;
     * a null type means SIMULATOR_SUCCESS, a null class TRANSACTIONAL.
     */
    public record SendCommand(
            String domainId, String fromEmail, String toEmail, TestEmailType type, MessageClass messageClass) {}

    /** What SendTestEmail reports; {@code messageId} is empty for NORMAL, {@code submissionId} for simulator types. */
    public record Sent(String messageId, String submissionId, String note, String fromEmail, String toEmail) {}

    /**
     * Sends (simulator types) or queues (NORMAL) a test email.
     *
     * @throws InvalidInputException for missing or malformed addresses
     * @throws NotFoundException when the domain is unknown or another account's
     * @throws PreconditionFailedException when the sender is outside the domain, or the domain may not send
     * @throws RetryLaterException when the account is over a test-send limit or its share of the SES
     *     budget (RATE_LIMITED; nothing is sent or queued), or SES is unavailable
     */
    public Sent send(String accountId, SendCommand cmd) {
        requireNonNull(accountId, "accountId");
        requireNonNull(cmd, "cmd");
        TestEmailType type = cmd.type() == null ? TestEmailType.SIMULATOR_SUCCESS : cmd.type();
        MessageClass messageClass = cmd.messageClass() == null ? MessageClass.TRANSACTIONAL : cmd.messageClass();
        String id = cmd.domainId() == null ? "" : cmd.domainId().trim();
        String fromInput = cmd.fromEmail() == null ? "" : cmd.fromEmail().trim();
        if (id.isEmpty() && fromInput.isEmpty()) {
            throw new InvalidInputException("id, from_email: both empty (expected: a domain id like dom_..., "
                    + "a sender address at the domain, or both)");
        }
        Optional<EmailAddress> from =
                fromInput.isEmpty() ? Optional.empty() : Optional.of(EmailAddress.parse("from_email", fromInput));
        Optional<EmailAddress> to = type.isSimulator() ? Optional.empty() : Optional.of(recipient(cmd.toEmail()));

        Domain domain = id.isEmpty() ? covering(accountId, from.get()) : domains.get(accountId, id);
        String sender = from.map(EmailAddress::address).orElse("test@" + domain.name());
        if (from.isPresent() && !from.get().domain().isSameOrUnder(domain.name())) {
            throw new PreconditionFailedException("from_email: \"" + fromInput + "\" is not at " + domain.name()
                    + " (expected: an address at " + domain.name() + " or one of its subdomains)");
        }
        requireCanSend(domain);
        // A simulator send is admitted by the SES budget first, so a refusal there uses none of the test-send limits.
        SesGateway simulatorSes = type.isSimulator() ? ses.forRequest(accountId) : null;
        limiter.acquire(accountId, type);

        Instant now = clock.instant();
        if (type.isSimulator()) {
            String simulator = type.simulatorAddress().orElseThrow();
            OutboundEmail email = composer.compose(domain.name(), sender, simulator, messageClass, type, now);
            String messageId;
            try {
                messageId = simulatorSes.sendEmail(domain.region(), email);
            } catch (SesRejectedException e) {
                throw new PreconditionFailedException(
                        "SES rejected the test email (" + e.errorCode() + "): " + e.getMessage(), e);
            }
            return new Sent(
                    messageId,
                    "",
                    "Sent to the SES mailbox simulator at " + simulator + ": " + simulatedOutcome(type)
                            + "; to_email is not used for simulator types",
                    sender,
                    simulator);
        }
        Submission queued = Submission.queued(
                Ids.newId("sub"), accountId, domain.id(), sender, to.get().address(), messageClass, now);
        submissions.insert(queued);
        return new Sent(
                "",
                queued.id(),
                "Queued for sending to " + queued.toEmail() + "; follow it with GET " + "/submissions/" + queued.id(),
                sender,
                queued.toEmail());
    }

    /** Returns a submission of the account, or NOT_FOUND for unknown ids and other accounts' ids. */
    public Submission submission(String accountId, String id) {
        requireNonNull(accountId, "accountId");
        if (id == null || id.isBlank()) {
            throw new InvalidInputException("id: must not be empty (expected: a submission id like sub_...)");
        }
        return submissions
                .find(accountId, id.trim())
                .orElseThrow(() -> new NotFoundException("id: no submission " + id.trim() + " in this account"));
    }

    /** Says why a domain may not send, naming what is missing; returns when it may. */
    static void requireCanSend(Domain d) {
        if (!d.settings().sendEnabled()) {
            throw new PreconditionFailedException("domain " + d.name() + " has send_enabled false (expected: true; "
                    + "turn it on with UpdateDomain)");
        }
        if (!d.canSend()) {
            List<String> missing = new ArrayList<>();
            if (d.verificationStatus() != IdentityStatus.SUCCESS) {
                missing.add("verification_status " + d.verificationStatus());
            }
            if (d.dkimStatus() != IdentityStatus.SUCCESS) {
                missing.add("dkim_status " + d.dkimStatus());
            }
            throw new PreconditionFailedException("domain is not verified yet: " + String.join(", ", missing)
                    + " (expected: verification_status and dkim_status SUCCESS; publish the DKIM records of "
                    + d.name() + " and check again with GetDomain)");
        }
    }

    /** Returns the caller's domain that is the sender's domain or the nearest parent of it. */
    private Domain covering(String accountId, EmailAddress from) {
        List<String> labels = from.domain().labels();
        for (int i = 0; i < labels.size() - 1; i++) {
            String candidate = String.join(".", labels.subList(i, labels.size()));
            Optional<Domain> found = domainStore
                    .findByName(candidate)
                    .filter(d -> d.accountId().equals(accountId) && d.provisioning() == Domain.Provisioning.READY);
            if (found.isPresent()) {
                return domains.get(accountId, found.get().id());
            }
        }
        throw new NotFoundException("from_email: no domain of this account is " + from.domain()
                + " or a parent of it (expected: an address at a domain you added)");
    }

    private static EmailAddress recipient(String input) {
        String s = input == null ? "" : input.trim();
        if (s.isEmpty()) {
            throw new InvalidInputException("to_email: required with type NORMAL (expected: one recipient address)");
        }
        if (s.indexOf('@') != s.lastIndexOf('@') || s.contains(",") || s.contains(";")) {
            throw new InvalidInputException(
                    "to_email: \"" + s + "\" names more than one address " + "(expected: exactly one recipient)");
        }
        return EmailAddress.parse("to_email", s);
    }

    private static String simulatedOutcome(TestEmailType type) {
        return switch (type) {
            case SIMULATOR_SUCCESS -> "SES reports it delivered";
            case SIMULATOR_BOUNCE -> "SES reports a hard bounce (550 5.1.1)";
            case SIMULATOR_COMPLAINT -> "SES reports it delivered, then a complaint";
            case SIMULATOR_OOTO -> "SES reports it delivered, then an out-of-office reply";
            case SIMULATOR_SUPPRESSION_LIST -> "SES reports a bounce, as if the address were on the suppression list";
            case NORMAL -> throw new IllegalArgumentException("type: NORMAL (expected: a simulator type)");
        };
    }
}
