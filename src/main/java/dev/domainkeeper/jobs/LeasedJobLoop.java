package dev.domainkeeper.jobs;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.domain.Ids;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one kind of background job from a {@link JobQueue} shared by every node: claims a batch of due
 * jobs under a lease, and for each job in turn renews its lease, works it and releases it.
 *
 * <p>The rules every leased job gets from this loop:
 * <ul>
 *   <li>A claim costs nothing. The queue's claim writes only the lease, so the jobs of a claim whose
 *       worker died come back as they were once the lease runs out; only what the work of a started
 *       job records counts against it (see {@link JobWork}).
 *   <li>A job is worked under its own lease: the lease is renewed right before the job is worked, so
 *       slow work on the jobs ahead of it cannot let its lease run out under another node. A job whose
 *       lease another claim took meanwhile is skipped.
 *   <li>A claim takes at most {@link Limits#maxClaim()} jobs; a pass goes on claiming while claims
 *       come back full, up to {@link Limits#maxPerPass()}.
 *   <li>Work that throws leaves its job to the lease (not released), since its outcome is unknown; the
 *       pass goes on with the next job.
 * </ul>
 *
 * <p>Claim ids are {@code <name>_<12 random characters>.<claim number>}: the random part tells this
 * loop from every other one (on this node or another), the number tells its claims apart.
 *
 * @param <T> the job
 */
public final class LeasedJobLoop<T> implements AutoCloseable {
    /** The longest job name: with the random part and a claim number the id fits the 60-character lease column. */
    static final int MAX_NAME_LENGTH = 20;
    private static final Logger log = LoggerFactory.getLogger(LeasedJobLoop.class);

    private final String name;
    private final JobQueue<T> queue;
    private final JobWork<T> work;
    private final Clock clock;
    private final Duration lease;
    private final Limits limits;
    private final String workerId;
    private final AtomicLong claims = new AtomicLong();
    private final Periodic periodic;

    /** Holds how much a claim and a pass take: a claim at most {@code maxClaim} jobs, a pass at most {@code maxPerPass}. */
    public record Limits(int maxClaim, int maxPerPass) {
        public Limits {
            if (maxClaim < 1 || maxPerPass < 1) {
                throw new IllegalArgumentException("maxClaim and maxPerPass must be at least 1");
            }
        }

        /** Returns limits for a job that works at most {@code maxPerPass} jobs per pass. */
        public static Limits perPass(int maxClaim, int maxPerPass) {
            return new Limits(maxClaim, maxPerPass);
        }

        /** Returns limits for a job whose pass works until nothing is due. */
        public static Limits untilDrained(int maxClaim) {
            return new Limits(maxClaim, Integer.MAX_VALUE);
        }
    }

    /** Holds what one pass did: jobs claimed, skipped as taken over, that came to an end, and whose work threw. */
    public record Pass(int claimed, int lost, int finished, int failed) {}

    /**
     * Creates a loop named {@code name} (at most {@value #MAX_NAME_LENGTH} characters; it names the
     * thread, the logs and the claim ids) whose claims last {@code lease}.
     */
    public LeasedJobLoop(String name, JobQueue<T> queue, JobWork<T> work, Clock clock, Duration lease,
                         Limits limits) {
        this.name = requireNonNull(name, "name");
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("name must have 1 to " + MAX_NAME_LENGTH + " characters: " + name);
        }
        this.queue = requireNonNull(queue, "queue");
        this.work = requireNonNull(work, "work");
        this.clock = requireNonNull(clock, "clock");
        this.lease = requireNonNull(lease, "lease");
        this.limits = requireNonNull(limits, "limits");
        this.workerId = Ids.random(name, 12);
        this.periodic = new Periodic(name, this::runOnce);
    }

    /** Starts a pass every {@code interval} on this loop's own thread. */
    public void start(Duration interval) {
        periodic.start(interval);
    }

    /** Runs one pass: claims and works due jobs until a claim comes back short or the pass limit is reached. */
    public Pass runOnce() {
        int claimed = 0;
        int lost = 0;
        int finished = 0;
        int failed = 0;
        while (claimed < limits.maxPerPass()) {
            int want = Math.min(limits.maxClaim(), limits.maxPerPass() - claimed);
            String claimId = workerId + "." + claims.incrementAndGet();
            Instant now = clock.instant();
            List<T> jobs = queue.claimDue(claimId, now, now.plus(lease), want);
            claimed += jobs.size();
            for (T job : jobs) {
                String id = queue.id(job);
                if (!queue.renewLease(id, claimId, clock.instant().plus(lease))) {
                    log.info("{}: job {} was taken over by another claim; not working it", name, id);
                    lost++;
                    continue;
                }
                boolean ended;
                try {
                    ended = work.work(job, claimId);
                } catch (RuntimeException e) {
                    log.warn("{}: job {} failed unexpectedly; it is handed out again after its lease: {}", name, id,
                            e.toString());
                    failed++;
                    continue;
                }
                queue.release(id, claimId);
                if (ended) {
                    finished++;
                }
            }
            if (jobs.size() < want) {
                break;
            }
        }
        return new Pass(claimed, lost, finished, failed);
    }

    /** Returns the id this loop's claims start with. */
    public String workerId() {
        return workerId;
    }

    /** Stops the passes started by {@link #start}; a pass under way is interrupted. */
    @Override
    public void close() {
        periodic.close();
    }
}
