package dev.domainkeeper.domains;

import dev.domainkeeper.jobs.Periodic;
import dev.domainkeeper.errors.NotFoundException;
import dev.domainkeeper.errors.RetryLaterException;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.domain.Domain;
import dev.domainkeeper.domain.Ids;
import dev.domainkeeper.ses.SesException;
import dev.domainkeeper.store.DomainStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls SES for domains whose next check is due: finishes adds that stopped half-way, pushes
 * settings SES has not confirmed, and refreshes statuses. Rows are claimed with a lease so two nodes
 * never poll the same domain at once; the SES calls go through a rate-limited gateway.
 */
public final class DomainVerifier implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DomainVerifier.class);
    /** How long a claim holds a domain by default; a node that stops for longer loses it to another. */
    public static final Duration LEASE = Duration.ofMinutes(2);
    private static final int BATCH = 20;

    private final DomainStore store;
    private final DomainService domains;
    private final Clock clock;
    private final String owner = Ids.newId("node");
    private final Periodic periodic;
    private final Duration lease;

    /** {@code domains} must talk to SES through the rate-limited gateway. */
    public DomainVerifier(DomainStore store, DomainService domains, Clock clock) {
        this(store, domains, clock, LEASE);
    }

    /** Creates a verifier whose claims last {@code lease}; {@code domains} must use the rate-limited gateway. */
    public DomainVerifier(DomainStore store, DomainService domains, Clock clock, Duration lease) {
        this.lease = requireNonNull(lease, "lease");
        this.store = requireNonNull(store, "store");
        this.domains = requireNonNull(domains, "domains");
        this.clock = requireNonNull(clock, "clock");
        this.periodic = new Periodic("domain-verifier", this::runOnce);
    }

    /** Starts polling every {@code interval}. */
    public void start(Duration interval) {
        periodic.start(interval);
    }

    /** Processes the domains due now; returns how many were claimed. */
    public int runOnce() {
        Instant now = clock.instant();
        List<Domain> due = store.claimDue(owner, now, now.plus(lease), BATCH);
        for (Domain d : due) {
            // One lease covers the batch; renew it per domain so that rate-limited SES calls cannot let
            // the lease of the domains still waiting run out and hand them to another node as well.
            if (!store.renewLease(d.id(), owner, clock.instant().plus(lease))) {
                continue;
            }
            try {
                if (d.provisioning() == Domain.Provisioning.CREATING) {
                    domains.provision(d, false);
                } else {
                    domains.refresh(d, false);
                }
            } catch (SesException | RetryLaterException e) {
                backOff(d, e);
            } catch (NotFoundException e) {
                // Removed meanwhile.
            } catch (RuntimeException e) {
                log.warn("Checking domain {} failed: {}", d.id(), e.toString());
                backOff(d, e);
            } finally {
                store.release(d.id(), owner);
            }
        }
        return due.size();
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
        periodic.close();
    }
}
