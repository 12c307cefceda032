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
 * Runs one kind of background job from a {@link JobQueue} shared by every node: claims a small batch of
 * due jobs under a lease, and for each job in turn renews its lease, works it and releases it.
 *
 * <p>The rules every leased job gets from this loop:
 * <ul>
 *   <li>A claim costs nothing. The queue's claim writes only the lease, so the jobs of a claim whose
 *       worker died come back as they were once the lease runs out; only what the work of a started
 *       job records counts against it (see {@link JobWork}).
 *   <li>A job is worked under its own lease: the lease is renewed right before the job is worked, so
 *       slow work on the jobs ahead of it cannot let its lease run out under another node. A job whose
 *       lease another claim took meanwhile is skipped.
 *   <li>A kill strands little. A claim takes only as many jobs as this loop works in about
 *       {@link Limits#claimWindow()}, judged by how long its jobs took so far, and never more than
 *       {@link Limits#maxClaim()}; a pass goes on claiming while claims come back full, up to
 *       {@link Limits#maxPerPass()}, so small claims cost no throughput.
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
    /**
     * Moving average of how long one job took (renewal and work) by {@link #clock}, in nanoseconds; 0
     * until one was timed.
     */
    private final AtomicLong averageJobNanos = new AtomicLong();

    private final Periodic periodic;

    /**
     * Holds how much a claim and a pass take: a claim at most {@code maxClaim} jobs and about
     * {@code claimWindow} of work, a pass at most {@code maxPerPass} jobs.
     */
    public record Limits(int maxClaim, int maxPerPass, Duration claimWindow) {
        /** The work one claim takes on, unless that is more than {@code maxClaim} jobs. */
        public static final Duration CLAIM_WINDOW = Duration.ofSeconds(1);

        public Limits {
            if (maxClaim < 1 || maxPerPass < 1) {
                throw new IllegalArgumentException("maxClaim and maxPerPass must be at least 1");
            }
            if (claimWindow.isNegative() || claimWindow.isZero()) {
                throw new IllegalArgumentException("claimWindow must be positive");
            }
        }

        /** Returns limits for a job that works at most {@code maxPerPass} jobs per pass. */
        public static Limits perPass(int maxClaim, int maxPerPass) {
            return new Limits(maxClaim, maxPerPass, CLAIM_WINDOW);
        }

        /** Returns limits for a job whose pass works until nothing is due. */
        public static Limits untilDrained(int maxClaim) {
            return new Limits(maxClaim, Integer.MAX_VALUE, CLAIM_WINDOW);
        }
    }

    /** Holds what one pass did: jobs claimed, skipped as taken over, that came to an end, and whose work threw. */
    public record Pass(int claimed, int lost, int finished, int failed) {}

    /**
     * Creates a loop named {@code name} (at most {@value #MAX_NAME_LENGTH} characters; it names the
     * thread, the logs and the claim ids) whose claims last {@code lease}.
     */
    public LeasedJobLoop(String name, JobQueue<T> queue, JobWork<T> work, Clock clock, Duration lease, Limits limits) {
        this.name = requireNonNull(name, "name");
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("name must have 1 to " + MAX_NAME_LENGTH + " characters: " + name);
        }
        this.queue = requireNonNull(queue, "queue");
        this.work = requireNonNull(work, "work");
        this.clock = requireNonNull(clock, "clock");
        this.lease = requireNonNull(lease, "lease");
        this.limits = requireNonNull(limits, "limits");
        if (limits.claimWindow().compareTo(lease) >= 0) {
            // A claim must be worked through well within its lease, or its last jobs go to other nodes.
            throw new IllegalArgumentException(
                    "the claim window " + limits.claimWindow() + " must be shorter than the lease " + lease);
        }
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
            int want = Math.min(claimSize(), limits.maxPerPass() - claimed);
            String claimId = workerId + "." + claims.incrementAndGet();
            Instant now = clock.instant();
            List<T> jobs = queue.claimDue(claimId, now, now.plus(lease), want);
            claimed += jobs.size();
            for (T job : jobs) {
                String id = queue.id(job);
                Instant started = clock.instant();
                if (!queue.renewLease(id, claimId, started.plus(lease))) {
                    log.info("{}: job {} was taken over by another claim; not working it", name, id);
                    lost++;
                    continue;
                }
                boolean ended;
                try {
                    ended = work.work(job, claimId);
                } catch (RuntimeException e) {
                    log.warn(
                            "{}: job {} failed unexpectedly; it is handed out again after its lease: {}",
                            name,
                            id,
                            e.toString());
                    failed++;
                    continue;
                } finally {
                    time(Duration.between(started, clock.instant()).toNanos());
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

    /** Returns how many jobs the next claim takes: about a claim window's worth, within the limits. */
    int claimSize() {
        long average = averageJobNanos.get();
        if (average == 0) {
            // Nothing timed yet: one job, so a slow kind of job cannot strand a whole batch at the start.
            return 1;
        }
        long fit = limits.claimWindow().toNanos() / average;
        return (int) Math.max(1, Math.min(limits.maxClaim(), fit));
    }

    private void time(long nanos) {
        long sample = Math.max(1, nanos);
        // An average over the last few jobs: follows a slower SES within a handful of jobs.
        averageJobNanos.accumulateAndGet(sample, (average, s) -> average == 0 ? s : average + (s - average) / 4);
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
