package dev.domainkeeper.hardening;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.domainkeeper.domain.RecordType;
import dev.domainkeeper.testing.Databases;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.LoopbackDnsServer;
import dev.domainkeeper.testing.ServiceProcess;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.generic.GenericType;
import org.junit.jupiter.api.Test;

/**
 * Runs two service processes on one PostgreSQL schema, both serving the API and both running the
 * background verifier and submission worker, and checks the scaling-out rules under load:
 *
 * <ul>
 *   <li>NORMAL test emails queued through both nodes are each sent exactly once (one
 *       {@code sandbox_outbox} row per recipient, every recipient used once);
 *   <li>the verifier never polls a domain from both nodes: each node resolves DNS through its own
 *       loopback DNS server, and the sandbox's check of a pending domain looks up its MAIL FROM MX, so
 *       the MX queries each server received count the polls each node made. The test makes every
 *       pending domain due at once, round after round, and requires each domain to be polled by
 *       exactly one node per round (and both nodes to have taken part).
 * </ul>
 *
 * <p>Sends 1,000 emails over 5 poll rounds by default; {@code -Ddomainkeeper.long=true} sends 10,000
 * over 30 rounds.
 */
class TwoNodesIT {
    private static final boolean LONG = Boolean.getBoolean("domainkeeper.long");
    private static final int SENDS = LONG ? 10_000 : 1_000;
    private static final int ROUNDS = LONG ? 30 : 5;
    /** Three verifier batches' worth, so one node's pass cannot take a whole round. */
    private static final int POLLED_DOMAINS = 60;

    private static final int CLIENTS = 8;
    private static final String KEY = "dk_twonodestestkey00000000000000";

    @Test
    void twoNodes_sendEachEmailOnce_andNeverPollADomainFromBoth() throws Exception {
        String url = Databases.newPostgresSchemaUrl();
        Jdbi db = Jdbi.create(() -> DriverManager.getConnection(url, Databases.POSTGRES_USER, null));
        Path logs = Path.of("target", "it-logs", "two-nodes-" + System.currentTimeMillis());
        try (LoopbackDnsServer dnsA = LoopbackDnsServer.start();
                LoopbackDnsServer dnsB = LoopbackDnsServer.start();
                ServiceProcess a =
                        ServiceProcess.start(ServiceTraffic.env(url, KEY, dnsA), logs.resolve("node-a.log"));
                ServiceProcess b =
                        ServiceProcess.start(ServiceTraffic.env(url, KEY, dnsB), logs.resolve("node-b.log"))) {
            List<ServiceProcess> nodes = List.of(a, b);
            String senderId = ServiceTraffic.addVerifiedSender(a, "sender.two.example.com", List.of(dnsA, dnsB));
            List<String> polled = new ArrayList<>();
            for (int i = 0; i < POLLED_DOMAINS; i++) {
                String name = "p" + i + ".two.example.com";
                HttpResponse<String> r = ServiceTraffic.add(nodes.get(i % 2), name);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                polled.add(name);
            }

            long sendStart = System.nanoTime();
            Map<String, String> queued = new ConcurrentHashMap<>();
            AtomicLong lastQueuedAt = new AtomicLong();
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            List<Future<?>> sends = new ArrayList<>();
            for (int i = 0; i < SENDS; i++) {
                ServiceProcess node = nodes.get(i % 2);
                String to = "n" + i + "@example.net";
                sends.add(clients.submit(() -> {
                    HttpResponse<String> r = ServiceTraffic.sendNormal(node, senderId, to);
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                    queued.put(to, Json.parse(r.body()).get("submission_id").asText());
                    lastQueuedAt.accumulateAndGet(System.nanoTime(), Math::max);
                    return null;
                }));
            }

            // While the sends go on: make every polled domain due at once, and count who polls it.
            int[] pollsByNode = new int[2];
            List<String> polledByBoth = new ArrayList<>();
            List<String> notPolled = new ArrayList<>();
            for (int round = 1; round <= ROUNDS; round++) {
                Map<String, int[]> before = mxQueries(polled, dnsA, dnsB);
                long roundStart = System.currentTimeMillis();
                db.useHandle(h -> h.createUpdate("UPDATE domains SET next_check_at = 0, version = version + 1 "
                                + "WHERE name LIKE 'p%.two.example.com'")
                        .execute());
                await("round " + round + ": every domain polled and released")
                        .atMost(Duration.ofMinutes(1))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> db.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM domains "
                                                + "WHERE name LIKE 'p%.two.example.com' AND next_check_at > :start "
                                                + "AND lease_owner IS NULL")
                                        .bind("start", roundStart)
                                        .mapTo(Integer.class)
                                        .one())
                                == POLLED_DOMAINS);
                Map<String, int[]> after = mxQueries(polled, dnsA, dnsB);
                for (String name : polled) {
                    int byA = after.get(name)[0] - before.get(name)[0];
                    int byB = after.get(name)[1] - before.get(name)[1];
                    pollsByNode[0] += byA;
                    pollsByNode[1] += byB;
                    if (byA > 0 && byB > 0) {
                        polledByBoth.add("round " + round + ": " + name + " (A " + byA + ", B " + byB + ")");
                    } else if (byA == 0 && byB == 0) {
                        notPolled.add("round " + round + ": " + name);
                    }
                }
            }

            for (Future<?> f : sends) {
                f.get();
            }
            clients.shutdown();
            long queuedMillis = Duration.ofNanos(lastQueuedAt.get() - sendStart).toMillis();
            await("all " + SENDS + " submissions SENT")
                    .atMost(Duration.ofMinutes(5))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> db.withHandle(
                                    h -> h.createQuery("SELECT COUNT(*) FROM submissions " + "WHERE status = 'SENT'")
                                            .mapTo(Integer.class)
                                            .one())
                            == SENDS);
            long sentMillis = Duration.ofNanos(System.nanoTime() - sendStart).toMillis();

            Map<String, String> stored = db.withHandle(h -> h.createQuery("SELECT to_email, id FROM submissions")
                    .setMapKeyColumn("to_email")
                    .setMapValueColumn("id")
                    .collectInto(new GenericType<>() {}));
            Map<String, Long> outboxRows = db.withHandle(
                    h -> h.createQuery("SELECT to_email, COUNT(*) AS n FROM sandbox_outbox GROUP BY to_email")
                            .setMapKeyColumn("to_email")
                            .setMapValueColumn("n")
                            .collectInto(new GenericType<>() {}));
            List<String> notOnce = outboxRows.entrySet().stream()
                    .filter(e -> e.getValue() != 1)
                    .map(e -> e.getKey() + " x" + e.getValue())
                    .sorted()
                    .toList();
            long messages =
                    outboxRows.values().stream().mapToLong(Long::longValue).sum();

            System.out.printf(
                    "TwoNodesIT: %d NORMAL sends through 2 nodes: all queued in %.1f s, all SENT after "
                            + "%.1f s; %d messages for %d recipients, sent other than once: %d%n",
                    SENDS, queuedMillis / 1000.0, sentMillis / 1000.0, messages, outboxRows.size(), notOnce.size());
            System.out.printf(
                    "  verifier: %d rounds x %d domains: polls by node A %d, by node B %d; "
                            + "domains polled by both in one round: %d; not polled: %d (logs in %s)%n",
                    ROUNDS,
                    POLLED_DOMAINS,
                    pollsByNode[0],
                    pollsByNode[1],
                    polledByBoth.size(),
                    notPolled.size(),
                    logs);

            assertThat(stored)
                    .as("every queued submission is stored")
                    .containsAllEntriesOf(queued)
                    .hasSize(SENDS);
            assertThat(outboxRows).as("one message per recipient").hasSize(SENDS);
            assertThat(notOnce).as("recipients not sent exactly one message").isEmpty();
            assertThat(polledByBoth)
                    .as("domains polled by both nodes in one round")
                    .isEmpty();
            assertThat(notPolled).as("domains nobody polled in a round").isEmpty();
            assertThat(pollsByNode)
                    .as("both nodes' verifiers took part (polls by A, B)")
                    .doesNotContain(0);
        }
    }

    /** Returns, per domain, the MAIL FROM MX queries node A's and node B's DNS server received. */
    private static Map<String, int[]> mxQueries(List<String> names, LoopbackDnsServer dnsA, LoopbackDnsServer dnsB) {
        Map<String, int[]> counts = new HashMap<>();
        for (String name : names) {
            counts.put(name, new int[] {
                dnsA.queryCount("mail." + name, RecordType.MX), dnsB.queryCount("mail." + name, RecordType.MX)
            });
        }
        return counts;
    }
}
