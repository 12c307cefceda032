package dev.domainkeeper.jobs;

import java.time.Instant;
import java.util.List;

/**
 * Hands out the jobs of one kind, under leases, to the {@link LeasedJobLoop}s of any number of nodes.
 * Each job's store implements it; the loop calls {@link #claimDue}, then {@link #renewLease} right
 * before working each job, then {@link #release} once the work returned.
 *
 * <p>A claim must cost its jobs nothing: {@link #claimDue} and {@link #renewLease} write only the
 * lease, never an attempt count, a retry time or anything else the job's own rules read. A worker may
 * die holding a claim, and the jobs it never reached must come back, once the lease runs out, exactly
 * as they were. Whatever counts against a job is written by its work, after the loop started it.
 *
 * @param <T> the job, as the claim read it
 */
public interface JobQueue<T> {

    /**
     * Leases up to {@code limit} jobs that are due at {@code now} and that no live lease holds to
     * {@code claimId} until {@code leaseUntil}, and returns them in the order they should be worked.
     * Two claims never get the same job, on one node or several. {@code claimId} is new for every
     * call, so the store can tell this claim's jobs from those of earlier ones.
     */
    List<T> claimDue(String claimId, Instant now, Instant leaseUntil, int limit);

    /** Returns the job's id, the one {@link #renewLease} and {@link #release} take. */
    String id(T job);

    /**
     * Extends {@code claimId}'s lease on the job to {@code leaseUntil}; returns false when the claim
     * no longer holds it (its lease ran out and another claim took it), and then the job must not be
     * worked.
     */
    boolean renewLease(String id, String claimId, Instant leaseUntil);

    /**
     * Ends {@code claimId}'s lease on the job once its work returned; does nothing when the claim no
     * longer holds it, for example because recording the outcome already ended the lease.
     */
    void release(String id, String claimId);
}
