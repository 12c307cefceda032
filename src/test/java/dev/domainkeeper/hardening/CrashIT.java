package dev.domainkeeper.hardening;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.domainkeeper.testemail.SubmissionWorker;
import dev.domainkeeper.testing.Databases;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.LoopbackDnsServer;
import dev.domainkeeper.testing.ServiceProcess;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.generic.GenericType;
import org.junit.jupiter.api.Test;

/**
 * Kills the packaged service with SIGKILL again and again, at random moments while clients add domains
 * and queue NORMAL test emails on PostgreSQL, restarts it each time, lets the background verifier and
 * submission worker finish, and checks the reliability rules: no SES identity without a domain row, no
 * half-made row left, no submission lost, and no message sent twice except in the documented
 * at-least-once window (a kill between SES accepting a message and SENT being stored, which a worker
 * sending one message at a time can hit at most once per kill). Crashes must not use up send
 * attempts: no submission FAILED without SES answers behind it, and every attempt counted is a send
 * the sandbox recorded, except at most one per kill (the send the kill cut off).
 *
 * <p>Runs 10 kill cycles by default; {@code -Ddomainkeeper.long=true} runs 30.
 */
class CrashIT {
    private static final boolean LONG = Boolean.getBoolean("domainkeeper.long");
    private static final int KILLS = LONG ? 30 : 10;
    private static final int CLIENTS = 4;
    private static final String KEY = "dk_crashtestkey00000000000000000";
    /** Every lease (add, verifier, worker) in the service; short so the test need not wait 2 minutes. */
    private static final int LEASE_SECONDS = 10;

    @Test
    void sigkillDuringAddsAndSends_losesNothing_leavesNothingHalfMade() throws Exception {
        String url = Databases.newPostgresSchemaUrl();
        Jdbi db = Jdbi.create(() -> DriverManager.getConnection(url, Databases.POSTGRES_USER, null));
        long seed = Long.getLong("domainkeeper.crash.seed", System.nanoTime());
        Random random = new Random(seed);
        Path logs = Path.of("target", "it-logs", "crash-" + Long.toHexString(seed));
        try (LoopbackDnsServer dns = LoopbackDnsServer.start()) {
            Map<String, String> env = ServiceTraffic.env(url, KEY, dns);
            env.put("DOMAINKEEPER_LEASE_SECONDS", Integer.toString(LEASE_SECONDS));

            ServiceProcess node = ServiceProcess.start(env, logs.resolve("life-0.log"));
            long started = System.nanoTime();
            long restartNanos = 0;
            long halfMadeAdds = 0;
            long strandedClaims = 0;
            long interruptedSends = 0;
            Load load =
                    new Load(node, ServiceTraffic.addVerifiedSender(node, "sender.crash.example.com", List.of(dns)));
            try {
                for (int kill = 1; kill <= KILLS; kill++) {
                    // A random moment: after 20 to 150 more requests were answered.
                    int target = load.answered() + 20 + random.nextInt(131);
                    await().atMost(Duration.ofMinutes(2)).until(() -> load.answered() >= target);
                    load.holdNewRequests();
                    node.kill();
                    Counts left = Counts.of(db);
                    halfMadeAdds += left.creating();
                    strandedClaims += left.claimed();
                    interruptedSends += left.sending();
                    long restart = System.nanoTime();
                    node = ServiceProcess.start(env, logs.resolve("life-" + kill + ".log"));
                    restartNanos += System.nanoTime() - restart;
                    load.resume(node);
                }
                int target = load.answered() + 50;
                await().atMost(Duration.ofMinutes(2)).until(() -> load.answered() >= target);
            } finally {
                load.stop();
            }

            // The verifier and the worker of the last life finish what the killed ones left.
            long drainStart = System.nanoTime();
            await("half-made domains completed and every submission sent")
                    .atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> Counts.of(db).unfinished() == 0);
            long drainSeconds = Duration.ofNanos(System.nanoTime() - drainStart).toSeconds();
            node.close();

            List<String> identitiesWithoutRow = db.withHandle(h -> h.createQuery("SELECT i.domain "
                            + "FROM sandbox_identities i LEFT JOIN domains d ON d.name = i.domain WHERE d.id IS NULL")
                    .mapTo(String.class)
                    .list());
            List<String> rowsWithoutIdentity = db.withHandle(h -> h.createQuery("SELECT d.name FROM domains d "
                            + "LEFT JOIN sandbox_identities i ON i.domain = d.name WHERE i.domain IS NULL")
                    .mapTo(String.class)
                    .list());
            List<String> notReady = db.withHandle(h -> h.createQuery(
                            "SELECT name || ' ' || provisioning " + "FROM domains WHERE provisioning <> 'READY'")
                    .mapTo(String.class)
                    .list());
            Map<String, String> domainIds = db.withHandle(h -> h.createQuery("SELECT name, id FROM domains")
                    .setMapKeyColumn("name")
                    .setMapValueColumn("id")
                    .collectInto(new GenericType<>() {}));
            List<String> notSent = db.withHandle(h -> h.createQuery(
                            "SELECT id || ' ' || status || ' ' || error " + "FROM submissions WHERE status <> 'SENT'")
                    .mapTo(String.class)
                    .list());
            Map<String, String> submissionIds = db.withHandle(h -> h.createQuery("SELECT to_email, id FROM submissions")
                    .setMapKeyColumn("to_email")
                    .setMapValueColumn("id")
                    .collectInto(new GenericType<>() {}));
            Map<String, Long> outboxRows = db.withHandle(
                    h -> h.createQuery("SELECT to_email, COUNT(*) AS n FROM sandbox_outbox GROUP BY to_email")
                            .setMapKeyColumn("to_email")
                            .setMapValueColumn("n")
                            .collectInto(new GenericType<>() {}));
            List<String> lost = submissionIds.keySet().stream()
                    .filter(to -> !outboxRows.containsKey(to))
                    .sorted()
                    .toList();
            List<String> sentWithoutSubmission = outboxRows.keySet().stream()
                    .filter(to -> !submissionIds.containsKey(to))
                    .sorted()
                    .toList();
            List<String> sentTwice = outboxRows.entrySet().stream()
                    .filter(e -> e.getValue() > 1)
                    .map(e -> e.getKey() + " x" + e.getValue())
                    .sorted()
                    .toList();
            long extraSends = outboxRows.values().stream().mapToLong(n -> n - 1).sum();
            long reclaimed = db.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM submissions WHERE attempts > 1")
                    .mapTo(Long.class)
                    .one());
            // A submission is FAILED for SES's own permanent answer or once its real attempts ran out.
            List<String> failedWithoutSesAnswer = db.withHandle(h -> h.createQuery("SELECT id || ' ' || attempts "
                            + "|| ' ' || error FROM submissions WHERE status = 'FAILED' "
                            + "AND NOT (error LIKE 'SES rejected %' "
                            + "OR (attempts = :max AND error LIKE :gaveUp))")
                    .bind("max", SubmissionWorker.MAX_ATTEMPTS)
                    .bind("gaveUp", "gave up after " + SubmissionWorker.MAX_ATTEMPTS + " attempts%")
                    .mapTo(String.class)
                    .list());
            // Every attempt counted is a send SES (the sandbox) recorded, except a send a kill cut off.
            Map<String, Integer> attempts =
                    db.withHandle(h -> h.createQuery("SELECT to_email, attempts FROM submissions")
                            .setMapKeyColumn("to_email")
                            .setMapValueColumn("attempts")
                            .collectInto(new GenericType<>() {}));
            long attemptsWithoutSend = attempts.entrySet().stream()
                    .mapToLong(e -> Math.max(0, e.getValue() - outboxRows.getOrDefault(e.getKey(), 0L)))
                    .sum();
            List<String> sentWithoutAttempt = attempts.entrySet().stream()
                    .filter(e -> outboxRows.getOrDefault(e.getKey(), 0L) > e.getValue())
                    .map(e -> e.getKey() + " " + e.getValue() + " attempts, " + outboxRows.get(e.getKey()) + " sends")
                    .sorted()
                    .toList();

            System.out.printf(
                    "CrashIT seed %d: %d SIGKILLs in %d s, of which restarts %d s (logs in %s)%n",
                    seed,
                    KILLS,
                    Duration.ofNanos(drainStart - started).toSeconds(),
                    Duration.ofNanos(restartNanos).toSeconds(),
                    logs);
            System.out.printf(
                    "  answered: %d adds, %d sends; cut off by a kill: %d requests; unexpected answers: %d%n",
                    load.added.size(), load.queued.size(), load.cutOff.get(), load.unexpected.size());
            System.out.printf(
                    "  stored: %d domains, %d submissions (%d with more than one attempt)%n",
                    domainIds.size(), submissionIds.size(), reclaimed);
            System.out.printf(
                    "  left by the kills (summed over all kills): %d half-made (CREATING) domains, "
                            + "%d submissions claimed but not reached, %d SENDING (an attempt cut off); "
                            + "all finished %d s "
                            + "after the load stopped%n",
                    halfMadeAdds, strandedClaims, interruptedSends, drainSeconds);
            System.out.printf(
                    "  SES identities without a domain row: %d; half-made rows: %d; lost: %d; "
                            + "sent twice: %d (%d extra messages) %s%n",
                    identitiesWithoutRow.size(), notReady.size(), lost.size(), sentTwice.size(), extraSends, sentTwice);
            System.out.printf(
                    "  attempts: %d counted, %d without a send (cut off by a kill); FAILED without an "
                            + "SES answer: %d%n",
                    attempts.values().stream().mapToLong(Integer::longValue).sum(),
                    attemptsWithoutSend,
                    failedWithoutSesAnswer.size());

            assertThat(load.unexpected)
                    .as("answers other than 200 (no INTERNAL reaches a client)")
                    .isEmpty();
            assertThat(identitiesWithoutRow)
                    .as("SES identities without a domain row")
                    .isEmpty();
            assertThat(notReady)
                    .as("rows left half-made after the verifier ran")
                    .isEmpty();
            assertThat(rowsWithoutIdentity)
                    .as("READY domains without an SES identity")
                    .isEmpty();
            assertThat(domainIds).as("every add that answered 200 is kept").containsAllEntriesOf(load.added);
            assertThat(submissionIds)
                    .as("every queued submission that answered 200 is kept")
                    .containsAllEntriesOf(load.queued);
            assertThat(failedWithoutSesAnswer)
                    .as("submissions FAILED without an SES answer behind them " + "(a crash used up their attempts)")
                    .isEmpty();
            assertThat(sentWithoutAttempt)
                    .as("sends no attempt was counted for")
                    .isEmpty();
            assertThat(attemptsWithoutSend)
                    .as("attempts counted without a send: at most the one each kill cut off")
                    .isLessThanOrEqualTo(KILLS);
            assertThat(notSent).as("submissions not SENT").isEmpty();
            assertThat(lost).as("submissions SENT but never handed to SES").isEmpty();
            assertThat(sentWithoutSubmission)
                    .as("messages sent without a submission")
                    .isEmpty();
            assertThat(extraSends)
                    .as("extra sends: at most one per kill (the at-least-once window) %s", sentTwice)
                    .isLessThanOrEqualTo(KILLS);
        }
    }

    /**
     * What the background jobs still have to do: half-made domains, queued submissions (of which
     * {@code claimed} are held by a claim, not yet attempted) and submissions being sent.
     */
    private record Counts(long creating, long queued, long claimed, long sending) {
        static Counts of(Jdbi db) {
            return db.withHandle(h -> new Counts(
                    h.createQuery("SELECT COUNT(*) FROM domains WHERE provisioning = 'CREATING'")
                            .mapTo(Long.class)
                            .one(),
                    h.createQuery("SELECT COUNT(*) FROM submissions WHERE status = 'QUEUED'")
                            .mapTo(Long.class)
                            .one(),
                    h.createQuery("SELECT COUNT(*) FROM submissions WHERE status = 'QUEUED' "
                                    + "AND lease_owner IS NOT NULL")
                            .mapTo(Long.class)
                            .one(),
                    h.createQuery("SELECT COUNT(*) FROM submissions WHERE status = 'SENDING'")
                            .mapTo(Long.class)
                            .one()));
        }

        long unfinished() {
            return creating + queued + sending;
        }
    }

    /**
     * Runs {@value #CLIENTS} clients that each add a domain every third request and queue a NORMAL
     * test email to a recipient of its own otherwise, recording what was answered. A request the kill
     * cuts off counts as cut off; the client then waits for the next life of the service.
     */
    private static final class Load {
        final Map<String, String> added = new ConcurrentHashMap<>();
        final Map<String, String> queued = new ConcurrentHashMap<>();
        final AtomicInteger cutOff = new AtomicInteger();
        final List<String> unexpected = Collections.synchronizedList(new ArrayList<>());
        private final String senderId;
        private final AtomicInteger sequence = new AtomicInteger();
        private final List<Thread> clients = new ArrayList<>();
        private volatile CompletableFuture<ServiceProcess> node;
        private volatile boolean stopping;

        Load(ServiceProcess first, String senderId) {
            this.senderId = senderId;
            this.node = CompletableFuture.completedFuture(first);
            for (int i = 0; i < CLIENTS; i++) {
                Thread t = new Thread(this::run, "crash-client-" + i);
                t.setDaemon(true);
                clients.add(t);
                t.start();
            }
        }

        int answered() {
            return added.size() + queued.size();
        }

        /** Makes clients wait for {@link #resume} before their next request; those in flight go on. */
        void holdNewRequests() {
            node = new CompletableFuture<>();
        }

        void resume(ServiceProcess next) {
            node.complete(next);
        }

        void stop() throws InterruptedException {
            stopping = true;
            for (Thread t : clients) {
                t.join(Duration.ofSeconds(60).toMillis());
            }
        }

        private void run() {
            while (!stopping) {
                ServiceProcess target = node.join();
                int n = sequence.incrementAndGet();
                try {
                    if (n % 3 == 0) {
                        String name = "d" + n + ".crash.example.com";
                        HttpResponse<String> r = ServiceTraffic.add(target, name);
                        record(
                                r,
                                () -> added.put(
                                        name,
                                        Json.parse(r.body())
                                                .get("domain")
                                                .get("id")
                                                .asText()));
                    } else {
                        String to = "r" + n + "@example.net";
                        HttpResponse<String> r = ServiceTraffic.sendNormal(target, senderId, to);
                        record(
                                r,
                                () -> queued.put(
                                        to,
                                        Json.parse(r.body())
                                                .get("submission_id")
                                                .asText()));
                    }
                } catch (IOException e) {
                    cutOff.incrementAndGet();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (Exception e) {
                    unexpected.add(e.toString());
                }
            }
        }

        private void record(HttpResponse<String> r, Runnable onSuccess) {
            if (r.statusCode() == 200) {
                onSuccess.run();
            } else {
                unexpected.add(r.statusCode() + " " + r.body());
            }
        }
    }
}
