package dev.domainkeeper.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.domainkeeper.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Drives the loop against a queue in memory that records every call, in order. */
class LeasedJobLoopTest {
    private static final Duration LEASE = Duration.ofMinutes(2);

    private final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final MemoryQueue queue = new MemoryQueue();
    private final List<String> worked = new ArrayList<>();

    private LeasedJobLoop<String> loop(LeasedJobLoop.Limits limits, JobWork<String> work) {
        return new LeasedJobLoop<>("test-job", queue, work, clock, LEASE, limits);
    }

    private JobWork<String> recording() {
        return (job, claim) -> {
            queue.calls.add("work " + job + " " + claim);
            worked.add(job);
            return true;
        };
    }

    @Test
    void eachJob_isRenewedRightBeforeItsWork_andReleasedAfter() {
        queue.add("a", "b");

        LeasedJobLoop.Pass pass =
                loop(LeasedJobLoop.Limits.perPass(10, 10), recording()).runOnce();

        assertThat(pass).isEqualTo(new LeasedJobLoop.Pass(2, 0, 2, 0));
        List<String> calls = queue.calls.stream()
                .map(c -> c.replaceAll("test-job_\\w+\\.", "claim#"))
                .toList();
        assertThat(calls)
                .containsExactly(
                        "claim claim#1 1",
                        "renew a claim#1",
                        "work a claim#1",
                        "release a claim#1",
                        // One job first, since nothing was timed yet; a full claim is followed by one for the pass's
                        // other 9.
                        "claim claim#2 9",
                        "renew b claim#2",
                        "work b claim#2",
                        "release b claim#2");
    }

    @Test
    void aJobAnotherClaimTookOver_isNeitherWorkedNorReleased() {
        queue.add("a", "b", "c");
        queue.takenOver.add("b");

        LeasedJobLoop.Pass pass =
                loop(LeasedJobLoop.Limits.perPass(10, 10), recording()).runOnce();

        assertThat(worked).containsExactly("a", "c");
        assertThat(pass.lost()).isEqualTo(1);
        assertThat(queue.calls).noneMatch(c -> c.startsWith("release b") || c.startsWith("work b"));
    }

    @Test
    void workThatThrows_leavesItsJobToTheLease_andThePassGoesOn() {
        queue.add("a", "b");
        JobWork<String> work = (job, claim) -> {
            if (job.equals("a")) {
                throw new IllegalStateException("injected");
            }
            worked.add(job);
            return true;
        };

        LeasedJobLoop.Pass pass =
                loop(LeasedJobLoop.Limits.perPass(10, 10), work).runOnce();

        assertThat(worked).containsExactly("b");
        assertThat(pass.failed()).isEqualTo(1);
        assertThat(queue.leases).as("a is still leased, b released").containsOnlyKeys("a");
    }

    @Test
    void aPass_stopsAtItsLimit_andTheNextPassTakesTheRest() {
        for (int i = 0; i < 25; i++) {
            queue.add("j" + i);
        }
        LeasedJobLoop<String> loop = loop(LeasedJobLoop.Limits.perPass(5, 20), recording());

        assertThat(loop.runOnce().claimed()).isEqualTo(20);
        assertThat(loop.runOnce().claimed()).isEqualTo(5);
        assertThat(loop.runOnce().claimed()).isZero();
        assertThat(worked).hasSize(25).doesNotHaveDuplicates();
        assertThat(queue.calls)
                .filteredOn(c -> c.startsWith("claim "))
                .allSatisfy(c -> assertThat(Integer.parseInt(c.substring(c.lastIndexOf(' ') + 1)))
                        .isBetween(1, 5));
    }

    @Test
    void aPassUntilDrained_goesOnWhileClaimsComeBackFull() {
        for (int i = 0; i < 100; i++) {
            queue.add("j" + i);
        }

        LeasedJobLoop.Pass pass =
                loop(LeasedJobLoop.Limits.untilDrained(10), recording()).runOnce();

        assertThat(pass.claimed()).isEqualTo(100);
        assertThat(pass.finished()).isEqualTo(100);
        assertThat(queue.leases).isEmpty();
    }

    @Test
    void claimIds_areNewForEveryClaim_nameTheJob_andFitTheLeaseColumn() {
        for (int i = 0; i < 30; i++) {
            queue.add("j" + i);
        }
        LeasedJobLoop<String> first = new LeasedJobLoop<>(
                "submission-worker", queue, recording(), clock, LEASE, LeasedJobLoop.Limits.perPass(3, 15));
        LeasedJobLoop<String> second = new LeasedJobLoop<>(
                "submission-worker", queue, recording(), clock, LEASE, LeasedJobLoop.Limits.perPass(3, 15));
        first.runOnce();
        second.runOnce();

        assertThat(first.workerId()).startsWith("submission-worker_").isNotEqualTo(second.workerId());
        assertThat(queue.claimIds)
                .hasSizeGreaterThan(2)
                .doesNotHaveDuplicates()
                .allSatisfy(
                        id -> assertThat(id).startsWith("submission-worker_").hasSizeLessThanOrEqualTo(60));
        assertThat("x".repeat(LeasedJobLoop.MAX_NAME_LENGTH) + "_" + "y".repeat(12) + "." + Long.MAX_VALUE)
                .as("the longest claim id")
                .hasSizeLessThanOrEqualTo(60);
        assertThatThrownBy(() -> new LeasedJobLoop<>(
                        "x".repeat(LeasedJobLoop.MAX_NAME_LENGTH + 1),
                        queue,
                        recording(),
                        clock,
                        LEASE,
                        LeasedJobLoop.Limits.perPass(1, 1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theWork_runsUnderALeaseRenewedWhenItsTurnCame() {
        List<Instant> leasesAtWork = new ArrayList<>();
        LeasedJobLoop<String> loop = loop(LeasedJobLoop.Limits.perPass(2, 2), (job, claim) -> {
            if (!job.equals("warm-up")) {
                leasesAtWork.add(queue.leases.get(job));
                clock.advance(Duration.ofSeconds(90));
            }
            return false;
        });
        queue.add("warm-up");
        loop.runOnce();
        queue.add("a", "b");

        loop.runOnce();

        assertThat(queue.calls)
                .filteredOn(c -> c.startsWith("claim "))
                .last()
                .asString()
                .endsWith(" 2");
        Instant start = clock.instant().minusSeconds(180);
        assertThat(leasesAtWork)
                .as("b, claimed with a, gets a full lease when a is done")
                .containsExactly(start.plus(LEASE), start.plusSeconds(90).plus(LEASE));
    }

    @Test
    void claims_takeAboutOneClaimWindowOfWork() {
        for (int i = 0; i < 12; i++) {
            queue.add("j" + i);
        }
        Duration perJob = LeasedJobLoop.Limits.CLAIM_WINDOW.dividedBy(4).plusMillis(1);

        loop(LeasedJobLoop.Limits.untilDrained(25), (job, claim) -> {
                    clock.advance(perJob);
                    return true;
                })
                .runOnce();

        // One job before anything was timed, then as many as fit the window by the clock.
        assertThat(queue.calls)
                .filteredOn(c -> c.startsWith("claim "))
                .extracting(c -> c.substring(c.lastIndexOf(' ') + 1))
                .containsExactly("1", "3", "3", "3", "3");
    }

    @Test
    void aSlowJob_isClaimedOneAtATime() {
        queue.add("a", "b", "c");

        loop(LeasedJobLoop.Limits.untilDrained(25), (job, claim) -> {
                    clock.advance(LeasedJobLoop.Limits.CLAIM_WINDOW.multipliedBy(3));
                    return true;
                })
                .runOnce();

        assertThat(queue.calls)
                .filteredOn(c -> c.startsWith("claim "))
                .extracting(c -> c.substring(c.lastIndexOf(' ') + 1))
                .containsExactly("1", "1", "1", "1");
    }

    /** Jobs are strings; a job is due while no live lease holds it and its work has not released it. */
    private final class MemoryQueue implements JobQueue<String> {
        final List<String> calls = new ArrayList<>();
        final List<String> claimIds = new ArrayList<>();
        final Set<String> takenOver = new HashSet<>();
        final Map<String, Instant> leases = new LinkedHashMap<>();
        private final Map<String, String> owners = new LinkedHashMap<>();
        private final List<String> due = new ArrayList<>();

        void add(String... jobs) {
            due.addAll(List.of(jobs));
        }

        @Override
        public List<String> claimDue(String claimId, Instant now, Instant leaseUntil, int limit) {
            calls.add("claim " + claimId + " " + limit);
            claimIds.add(claimId);
            List<String> out = new ArrayList<>();
            for (String job : due) {
                Instant held = leases.get(job);
                if (out.size() < limit && (held == null || held.isBefore(now))) {
                    out.add(job);
                    leases.put(job, leaseUntil);
                    owners.put(job, claimId);
                }
            }
            return out;
        }

        @Override
        public String id(String job) {
            return job;
        }

        @Override
        public boolean renewLease(String id, String claimId, Instant leaseUntil) {
            calls.add("renew " + id + " " + claimId);
            if (takenOver.contains(id) || !claimId.equals(owners.get(id))) {
                return false;
            }
            leases.put(id, leaseUntil);
            return true;
        }

        @Override
        public void release(String id, String claimId) {
            calls.add("release " + id + " " + claimId);
            if (claimId.equals(owners.get(id))) {
                leases.remove(id);
                owners.remove(id);
                due.remove(id);
            }
        }
    }
}
