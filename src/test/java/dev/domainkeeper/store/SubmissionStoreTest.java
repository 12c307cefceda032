package dev.domainkeeper.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.domainkeeper.accounts.AccountService;
import dev.domainkeeper.domain.MessageClass;
import dev.domainkeeper.domain.Submission;
import dev.domainkeeper.testing.Databases;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Checks what claiming and attempting do to a submission, on SQLite and PostgreSQL. */
class SubmissionStoreTest {
    private static final Instant T0 = Instant.ofEpochMilli(1_000_000);

    @TempDir
    Path dir;

    static List<Databases.Kind> kinds() {
        return Databases.kinds();
    }

    private static SubmissionStore withQueued(Database db, String... ids) {
        String account = new AccountService(new AccountStore(db.jdbi()), Clock.systemUTC())
                .createAccount("a")
                .accountId();
        SubmissionStore store = new SubmissionStore(db.jdbi(), db.isPostgres());
        for (String id : ids) {
            store.insert(Submission.queued(
                    id, account, "dom_x", "a@x.example.com", id + "@example.org", MessageClass.TRANSACTIONAL, T0));
        }
        return store;
    }

    private static Submission row(Database db, String id) {
        return db.jdbi()
                .withHandle(h -> h.createQuery("SELECT account_id FROM submissions WHERE id = :id")
                        .bind("id", id)
                        .mapTo(String.class)
                        .findOne())
                .flatMap(account -> new SubmissionStore(db.jdbi(), db.isPostgres()).find(account, id))
                .orElseThrow();
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void aClaimWhoseWorkerDied_handsItsSubmissionsOutAgainAsTheyWere(Databases.Kind kind) {
        try (Database db = Databases.open(kind, dir)) {
            SubmissionStore store = withQueued(db, "sub_1", "sub_2");
            Submission before = row(db, "sub_1");

            assertThat(store.claimDue("dead", T0, T0.plusSeconds(60), 10))
                    .extracting(Submission::id)
                    .containsExactly("sub_1", "sub_2");

            assertThat(row(db, "sub_1")).as("claimed: only the lease changed").isEqualTo(before);
            assertThat(store.claimDue("other", T0.plusSeconds(30), T0.plusSeconds(90), 10))
                    .as("held by the live lease")
                    .isEmpty();
            List<Submission> again = store.claimDue("next", T0.plusSeconds(61), T0.plusSeconds(121), 10);
            assertThat(again).extracting(Submission::id).containsExactly("sub_1", "sub_2");
            assertThat(again).allSatisfy(s -> {
                assertThat(s.status()).isEqualTo(Submission.Status.QUEUED);
                assertThat(s.attempts()).isZero();
            });
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void anAttemptAWorkerStartedAndNeverFinished_staysCounted(Databases.Kind kind) {
        try (Database db = Databases.open(kind, dir)) {
            SubmissionStore store = withQueued(db, "sub_1");
            store.claimDue("dead", T0, T0.plusSeconds(60), 10);

            assertThat(store.beginAttempt("sub_1", "someone-else", T0))
                    .as("only the claim may start it")
                    .isFalse();
            assertThat(store.beginAttempt("sub_1", "dead", T0.plusSeconds(1))).isTrue();

            Submission started = row(db, "sub_1");
            assertThat(started.status()).isEqualTo(Submission.Status.SENDING);
            assertThat(started.attempts()).isEqualTo(1);
            assertThat(store.claimDue("early", T0.plusSeconds(59), T0.plusSeconds(119), 10))
                    .isEmpty();
            List<Submission> again = store.claimDue("next", T0.plusSeconds(61), T0.plusSeconds(121), 10);
            assertThat(again).singleElement().satisfies(s -> {
                assertThat(s.status()).isEqualTo(Submission.Status.SENDING);
                assertThat(s.attempts()).isEqualTo(1);
            });
            assertThat(store.renewLease("sub_1", "dead", T0.plusSeconds(200)))
                    .as("the dead claim lost it")
                    .isFalse();
            assertThat(store.beginAttempt("sub_1", "next", T0.plusSeconds(62))).isTrue();
            assertThat(store.markSent("sub_1", "next", "0100-x", T0.plusSeconds(63)))
                    .isTrue();
            assertThat(row(db, "sub_1").attempts()).isEqualTo(2);
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void aClaimedSubmission_canBeFailedBeforeAnyAttempt(Databases.Kind kind) {
        try (Database db = Databases.open(kind, dir)) {
            SubmissionStore store = withQueued(db, "sub_1");
            store.claimDue("c", T0, T0.plusSeconds(60), 10);

            assertThat(store.markSent("sub_1", "c", "0100-x", T0))
                    .as("SENT needs an attempt")
                    .isFalse();
            assertThat(store.markFailed("sub_1", "c", "domain removed", T0)).isTrue();

            Submission failed = row(db, "sub_1");
            assertThat(failed.status()).isEqualTo(Submission.Status.FAILED);
            assertThat(failed.attempts()).isZero();
            assertThat(store.claimDue("later", T0.plusSeconds(120), T0.plusSeconds(180), 10))
                    .isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void aSubmissionPutOff_keepsItsStatusAndAttempts_andIsDueAgainAtItsTime(Databases.Kind kind) {
        try (Database db = Databases.open(kind, dir)) {
            SubmissionStore store = withQueued(db, "sub_q", "sub_s");
            store.claimDue("c", T0, T0.plusSeconds(60), 10);
            // sub_s: a worker stopped while sending it; the next claim finds it SENDING.
            assertThat(store.beginAttempt("sub_s", "c", T0)).isTrue();
            store.claimDue("c2", T0.plusSeconds(61), T0.plusSeconds(121), 10);

            assertThat(store.putOff("sub_q", "someone-else", T0.plusSeconds(90), T0.plusSeconds(62)))
                    .as("only the claim may put it off")
                    .isFalse();
            assertThat(store.putOff("sub_q", "c2", T0.plusSeconds(90), T0.plusSeconds(62)))
                    .isTrue();
            assertThat(store.putOff("sub_s", "c2", T0.plusSeconds(90), T0.plusSeconds(62)))
                    .isTrue();

            assertThat(row(db, "sub_q").status()).isEqualTo(Submission.Status.QUEUED);
            assertThat(row(db, "sub_q").attempts()).isZero();
            assertThat(row(db, "sub_s").status()).isEqualTo(Submission.Status.SENDING);
            assertThat(row(db, "sub_s").attempts()).isEqualTo(1);
            assertThat(store.claimDue("early", T0.plusSeconds(89), T0.plusSeconds(149), 10))
                    .isEmpty();
            assertThat(store.claimDue("due", T0.plusSeconds(91), T0.plusSeconds(151), 10))
                    .extracting(Submission::id)
                    .containsExactlyInAnyOrder("sub_q", "sub_s");
        }
    }

    @Test
    void aClaim_takesNoMoreThanItsLimit_whicheverPlanPostgresChooses() {
        // Under this plan a claim whose candidates were not picked once took every due row (40).
        try (Database db = Databases.openPostgresWithNestedLoops()) {
            String[] ids = new String[40];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = "sub_" + i;
            }
            SubmissionStore store = withQueued(db, ids);

            assertThat(store.claimDue("c", T0, T0.plusSeconds(60), 10)).hasSize(10);
            int held = db.jdbi()
                    .withHandle(h -> h.createQuery("SELECT COUNT(*) FROM submissions WHERE lease_owner = 'c'")
                            .mapTo(Integer.class)
                            .one());
            assertThat(held).as("rows the claim holds").isEqualTo(10);
        }
    }
}
