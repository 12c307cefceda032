package dev.domainkeeper.domains;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.domain.Domain;
import dev.domainkeeper.errors.AlreadyExistsException;
import dev.domainkeeper.errors.NotFoundException;
import dev.domainkeeper.errors.PreconditionFailedException;
import dev.domainkeeper.errors.RetryLaterException;
import dev.domainkeeper.jobs.LeasedJobLoop;
import dev.domainkeeper.store.DomainStore;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls SES for domains whose next check is due: finishes adds that stopped half-way (or undoes them,
 * identity first, when SES refuses them for good), pushes
 * settings SES has not confirmed, and refreshes statuses. Runs on a {@link LeasedJobLoop}, so two
 * nodes never poll the same domain at once. Its SES calls are within the shared SES budget: a domain
 * whose account's share stays used up is put off like one SES did not answer for.
 */
public final class DomainVerifier implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DomainVerifier.class);
    /** How long a claim holds a domain by default; a node that stops for longer loses it to another. */
    public static final Duration LEASE = Duration.ofMinutes(2);
    /** At most this many domains per pass, so a pass ends and another node's can take the rest. */
    private static final int PER_PASS = 20;

    private final DomainService domains;
    private final LeasedJobLoop<Domain> loop;

    /** {@code domains} must be the background service ({@link DomainService#inBackground()}). */
    public DomainVerifier(DomainStore store, DomainService domains, Clock clock) {
        this(store, domains, clock, LEASE);
    }

    /** Creates a verifier whose claims last {@code lease}; {@code domains} must be the background service. */
    public DomainVerifier(DomainStore store, DomainService domains, Clock clock, Duration lease) {
        this.domains = requireNonNull(domains, "domains");
        this.loop = new LeasedJobLoop<>(
                "domain-verifier",
                store.checksDue(),
                (d, claim) -> check(d),
                clock,
                lease,
                LeasedJobLoop.Limits.perPass(PER_PASS, PER_PASS));
    }

    /** Starts polling every {@code interval}. */
    public void start(Duration interval) {
        loop.start(interval);
    }

    /** Processes the domains due now; returns how many were claimed. */
    public int runOnce() {
        return loop.runOnce().claimed();
    }

    private boolean check(Domain d) {
        try {
            if (d.provisioning() == Domain.Provisioning.CREATING) {
                domains.provisionOrDiscard(d);
            } else {
                domains.refreshInBackground(d);
            }
        } catch (RetryLaterException | PreconditionFailedException e) {
            backOff(d, e);
        } catch (NotFoundException e) {
            // Removed meanwhile.
        } catch (AlreadyExistsException e) {
            // The identity is someone else's: an unfinished add was given up, a READY domain waits.
            log.info("Domain {} not provisioned: {}", d.id(), e.getMessage());
            backOff(d, e);
        } catch (RuntimeException e) {
            log.warn("Checking domain {} failed: {}", d.id(), e.toString());
            backOff(d, e);
        }
        return true;
    }

    private void backOff(Domain d, RuntimeException e) {
        log.info("SES check of domain {} postponed: {}", d.id(), e.getMessage());
        try {
            domains.postpone(d);
        } catch (NotFoundException gone) {
            // Removed meanwhile.
        }
    }

    @Override
    public void close() {
        loop.close();
    }
}
