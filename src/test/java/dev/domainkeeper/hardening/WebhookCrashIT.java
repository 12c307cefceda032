package dev.domainkeeper.hardening;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.domainkeeper.store.Database;
import dev.domainkeeper.store.DomainStore;
import dev.domainkeeper.testing.Databases;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.LoopbackDnsServer;
import dev.domainkeeper.testing.ServiceProcess;
import dev.domainkeeper.testing.WebhookReceiver;
import dev.domainkeeper.testing.WebhookTesting;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Two packaged service processes on one PostgreSQL database deliver webhook events to one endpoint
 * while one of them is killed with SIGKILL mid-delivery and restarted, twice: no event is lost, and
 * an event arrives more than once only in the at-least-once window (a delivery the kill cut off after
 * the receiver had it), at most as many per kill as a node delivers at once to one endpoint.
 */
class WebhookCrashIT {
    private static final String KEY = "dk_webhookcrashkey0000000000000000";
    private static final int EVENTS = 600;
    private static final int DOMAINS = 60;
    private static final int KILLS = 2;
    /** Deliveries one node makes to one endpoint at once (DOMAINKEEPER_WEBHOOKS_MAX_PER_ENDPOINT). */
    private static final int PER_ENDPOINT = 4;

    @Test
    void sigkillMidDelivery_losesNoEvent() throws Exception {
        String url = Databases.newPostgresSchemaUrl();
        Path logs = Path.of("target", "it-logs", "webhook-crash-" + System.nanoTime());
        // Migrates the fresh schema before the services start, which find it migrated.
        try (Database database = Database.open(url, Databases.POSTGRES_USER, null, null);
                LoopbackDnsServer dns = LoopbackDnsServer.start();
                WebhookReceiver receiver = WebhookReceiver.start()) {
            Map<String, String> env = ServiceTraffic.env(url, KEY, dns);
            env.put("DOMAINKEEPER_LEASE_SECONDS", "10");
            env.put("DOMAINKEEPER_SECRETS_KEY", WebhookTesting.SECRETS_KEY);
            env.put("DOMAINKEEPER_WEBHOOKS_ALLOW_HTTP", "true");
            env.put("DOMAINKEEPER_WEBHOOKS_ALLOW_PRIVATE", "true");
            env.put("DOMAINKEEPER_WEBHOOKS_MAX_PER_ENDPOINT", Integer.toString(PER_ENDPOINT));
            ServiceProcess killed = ServiceProcess.start(env, logs.resolve("a-0.log"));
            ServiceProcess steady = ServiceProcess.start(env, logs.resolve("b.log"));
            try {
                HttpResponse<String> created = killed.call(
                        "POST", "/webhooks", "{\"url\":\"" + receiver.url("/crash") + "\",\"event_types\":[]}");
                assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
                String account = database.jdbi()
                        .withHandle(h -> h.createQuery("SELECT id FROM accounts WHERE name = 'default'")
                                .mapTo(String.class)
                                .one());
                WebhookTesting.recordEvents(new DomainStore(database), account, "evt_crash", EVENTS, DOMAINS);

                for (int kill = 1; kill <= KILLS; kill++) {
                    int target = kill * EVENTS / (KILLS + 1);
                    await().atMost(Duration.ofMinutes(2))
                            .until(() -> receiver.received().size() >= target);
                    killed.kill();
                    killed = ServiceProcess.start(env, logs.resolve("a-" + kill + ".log"));
                }

                await("every event delivered")
                        .atMost(Duration.ofMinutes(3))
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> ids(receiver).size() == EVENTS);
            } finally {
                killed.close();
                steady.close();
            }

            Map<String, Long> times = receiver.received().stream()
                    .collect(Collectors.groupingBy(r -> r.header("webhook-id"), HashMap::new, Collectors.counting()));
            long extra = times.values().stream().mapToLong(n -> n - 1).sum();
            assertThat(times).as("none lost").hasSize(EVENTS);
            assertThat(extra)
                    .as("repeats only in the at-least-once window, at most %d per kill", PER_ENDPOINT)
                    .isLessThanOrEqualTo((long) KILLS * PER_ENDPOINT);
            List<String> undelivered = database.jdbi()
                    .withHandle(h -> h.createQuery(
                                    "SELECT event_id || ' ' || status FROM webhook_deliveries WHERE status <> 'DELIVERED'")
                            .mapTo(String.class)
                            .list());
            assertThat(undelivered).isEmpty();
            assertThat(Json.parse(receiver.received().get(0).body()).get("type").asText())
                    .isEqualTo("domain.updated");
        }
    }

    private static Set<String> ids(WebhookReceiver receiver) {
        return receiver.received().stream().map(r -> r.header("webhook-id")).collect(Collectors.toSet());
    }
}
