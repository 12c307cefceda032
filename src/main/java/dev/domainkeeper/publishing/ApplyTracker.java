package dev.domainkeeper.publishing;

import dev.domainkeeper.jobs.Periodic;
import dev.domainkeeper.errors.NotFoundException;
import dev.domainkeeper.errors.RetryLaterException;
import static java.util.Objects.requireNonNull;

import dev.domainkeeper.domain.Domain;
import dev.domainkeeper.domain.Ids;
import dev.domainkeeper.dnshosting.ProviderException;
import dev.domainkeeper.store.DomainStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the DNS changes ApplyDomainRecords submitted: asks the provider whether each APPLYING
 * domain's change is in sync and marks it APPLIED (with the time) when it is. Rows are leased like
 * the verifier's, so two nodes never poll the same domain at once.
 */
public final class ApplyTracker implements AutoCloseable {
    /** How often pending changes are polled; Route 53 changes usually take about a minute. */
    public static final Duration POLL_INTERVAL = Duration.ofSeconds(10);
    private static final Logger log = LoggerFactory.getLogger(ApplyTracker.class);
    /** How long a claim holds a domain by default. */
    public static final Duration LEASE = Duration.ofMinutes(2);
    private static final int BATCH = 20;

    private final DomainStore store;
    private final RecordPublisher publisher;
    private final Clock clock;
    private final String owner = Ids.newId("node");
    private final Periodic periodic;
    private final Duration lease;

    public ApplyTracker(DomainStore store, RecordPublisher publisher, Clock clock) {
        this(store, publisher, clock, LEASE);
    }

    /** Creates a tracker whose claims last {@code lease}. */
    public ApplyTracker(DomainStore store, RecordPublisher publisher, Clock clock, Duration lease) {
        this.lease = requireNonNull(lease, "lease");
        this.store = requireNonNull(store, "store");
        this.publisher = requireNonNull(publisher, "publisher");
        this.clock = requireNonNull(clock, "clock");
        this.periodic = new Periodic("apply-tracker", this::runOnce);
    }

    /** Starts polling every {@code interval}. */
    public void start(Duration interval) {
        periodic.start(interval);
    }

    /** Polls the APPLYING domains once; returns how many were finished (in sync or failed). */
    public int runOnce() {
        Instant now = clock.instant();
        List<Domain> applying = store.claimApplying(owner, now, now.plus(lease), BATCH);
        int finished = 0;
        for (Domain d : applying) {
            try {
                if (publisher.track(d)) {
                    finished++;
                }
            } catch (ProviderException | RetryLaterException e) {
                log.info("Change {} of domain {} not checked: {}", d.applyState().changeId(), d.id(), e.getMessage());
            } catch (NotFoundException e) {
                // Removed meanwhile.
            } finally {
                store.release(d.id(), owner);
            }
        }
        return finished;
    }

    @Override
    public void close() {
        periodic.close();
    }
}
