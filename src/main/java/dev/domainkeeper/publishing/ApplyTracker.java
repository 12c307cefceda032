package dev.domainkeeper.publishing;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.domain.Domain;
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
 * Follows the DNS changes ApplyDomainRecords submitted: asks the provider whether each APPLYING
 * domain's change is in sync and marks it APPLIED (with the time) when it is. Runs on a
 * {@link LeasedJobLoop} like the verifier, so two nodes never poll the same domain at once.
 */
public final class ApplyTracker implements AutoCloseable {
    /** How often pending changes are polled; Route 53 changes usually take about a minute. */
    public static final Duration POLL_INTERVAL = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(ApplyTracker.class);
    /** How long a claim holds a domain by default. */
    public static final Duration LEASE = Duration.ofMinutes(2);
    /** At most this many changes per pass; the rest wait for the next poll. */
    private static final int PER_PASS = 20;

    private final RecordPublisher publisher;
    private final LeasedJobLoop<Domain> loop;

    public ApplyTracker(DomainStore store, RecordPublisher publisher, Clock clock) {
        this(store, publisher, clock, LEASE);
    }

    /** Creates a tracker whose claims last {@code lease}. */
    public ApplyTracker(DomainStore store, RecordPublisher publisher, Clock clock, Duration lease) {
        this.publisher = requireNonNull(publisher, "publisher");
        this.loop = new LeasedJobLoop<>(
                "apply-tracker",
                store.changesApplying(),
                (d, claim) -> track(d),
                clock,
                lease,
                LeasedJobLoop.Limits.perPass(PER_PASS, PER_PASS));
    }

    /** Starts polling every {@code interval}. */
    public void start(Duration interval) {
        loop.start(interval);
    }

    /** Polls the APPLYING domains once; returns how many were finished (in sync or failed). */
    public int runOnce() {
        return loop.runOnce().finished();
    }

    private boolean track(Domain d) {
        try {
            return publisher.track(d);
        } catch (RetryLaterException | PreconditionFailedException e) {
            log.info("Change {} of domain {} not checked: {}", d.applyState().changeId(), d.id(), e.getMessage());
        } catch (NotFoundException e) {
            // Removed meanwhile.
        }
        return false;
    }

    @Override
    public void close() {
        loop.close();
    }
}
