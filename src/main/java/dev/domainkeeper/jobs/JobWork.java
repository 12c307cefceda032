package dev.domainkeeper.jobs;

/**
 * Does one leased job: what a {@link LeasedJobLoop} runs for each job it claimed, after renewing the
 * job's lease.
 *
 * <p>A work that counts attempts (sends, deliveries) records the attempt durably itself, conditional
 * on {@code claimId}, right before the effect it counts: then an attempt a dead worker started stays
 * counted (its effect may have happened), and nothing is counted for jobs it never reached. A work
 * that throws leaves the job to its lease: the loop does not release it, so it is handed out again
 * only after the lease, since the outcome of its work is unknown.
 *
 * @param <T> the job
 */
@FunctionalInterface
public interface JobWork<T> {

    /**
     * Works {@code job} under the claim {@code claimId}, which conditional writes of the outcome
     * name; returns true when the job came to an end (sent, in sync, failed for good), false when it
     * stays to be worked again. The answer only feeds the pass's counts.
     */
    boolean work(T job, String claimId);
}
