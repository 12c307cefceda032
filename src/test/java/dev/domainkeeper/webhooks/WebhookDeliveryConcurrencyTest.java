package dev.domainkeeper.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.domainkeeper.accounts.AccountService;
import dev.domainkeeper.api.EventJson;
import dev.domainkeeper.domains.PageTokens;
import dev.domainkeeper.events.EventRecorder;
import dev.domainkeeper.secrets.SecretBox;
import dev.domainkeeper.store.AccountStore;
import dev.domainkeeper.store.Database;
import dev.domainkeeper.store.DomainStore;
import dev.domainkeeper.store.PageTokenKeyStore;
import dev.domainkeeper.store.WebhookStore;
import dev.domainkeeper.testing.Databases;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.WebhookReceiver;
import dev.domainkeeper.testing.WebhookTesting;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two nodes on one database deliver 1,000 events to one endpoint (on PostgreSQL, the database nodes
 * share; 200 on SQLite, which runs one writer at a time): none is lost, none (without a crash)
 * arrives twice, and each domain's events arrive in the order they were recorded.
 */
class WebhookDeliveryConcurrencyTest {
    private static final int DOMAINS = 100;

    @TempDir
    Path dir;

    static List<Databases.Kind> kinds() {
        return Databases.kinds();
    }

    private static Database open(Databases.Kind kind, String sqliteUrl, String schema) {
        return kind == Databases.Kind.POSTGRES
                ? Database.open(Databases.POSTGRES_URL, Databases.POSTGRES_USER, null, schema)
                : Database.open(sqliteUrl, null, null, null);
    }

    private static final SecretBox BOX = SecretBox.of(SecretBox.decodeKey(WebhookTesting.SECRETS_KEY), List.of());
    private static final WebhookSettings SETTINGS = new WebhookSettings(true, true, Duration.ofSeconds(10), 4);

    private static WebhookService service(Database db) {
        DomainStore domains = new DomainStore(db);
        return new WebhookService(
                new WebhookStore(db.jdbi(), db.isPostgres()),
                new WebhookTargets(SETTINGS, HostResolver.system()),
                BOX,
                new EventRecorder(domains, new EventJson(), Clock.systemUTC()),
                new PageTokens(
                        new PageTokenKeyStore(db.jdbi()), Clock.systemUTC(), Duration.ofDays(7), Duration.ofDays(1)),
                Clock.systemUTC());
    }

    private static WebhookDispatcher node(Database db) {
        WebhookService service = service(db);
        return new WebhookDispatcher(
                new WebhookStore(db.jdbi(), db.isPostgres()),
                service,
                new WebhookTargets(SETTINGS, HostResolver.system()),
                SETTINGS,
                Clock.systemUTC(),
                WebhookDispatcher.LEASE);
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void twoNodes_manyEvents_eachDeliveredOnce_inOrderPerDomain(Databases.Kind kind) {
        if (kind == Databases.Kind.POSTGRES) {
            Databases.requirePostgres();
        }
        int events = kind == Databases.Kind.POSTGRES ? 1000 : 200;
        String schema = Databases.freshSchema();
        String sqliteUrl = Databases.sqliteUrl(dir);
        try (WebhookReceiver receiver = WebhookReceiver.start();
                Database first = open(kind, sqliteUrl, schema);
                Database second = open(kind, sqliteUrl, schema)) {
            String account = new AccountService(new AccountStore(first.jdbi()), Clock.systemUTC())
                    .createAccount("two-nodes")
                    .accountId();
            String secret = service(first)
                    .create(account, new WebhookService.CreateCommand(receiver.url("/two"), List.of(), ""))
                    .secret();
            WebhookTesting.recordEvents(new DomainStore(first), account, "evt_two", events, DOMAINS);

            try (WebhookDispatcher a = node(first);
                    WebhookDispatcher b = node(second)) {
                a.start(Duration.ofMillis(10));
                b.start(Duration.ofMillis(10));
                await().atMost(Duration.ofMinutes(3))
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> receiver.received().size() >= events && a.inFlight() + b.inFlight() == 0);
            }

            List<WebhookReceiver.Received> got = receiver.received();
            Set<String> ids = new HashSet<>();
            Map<String, List<Integer>> perDomain = new HashMap<>();
            for (WebhookReceiver.Received r : got) {
                ids.add(r.header("webhook-id"));
                JsonNode event = Json.parse(r.body());
                perDomain
                        .computeIfAbsent(
                                event.get("data").get("domain").get("id").asText(), d -> new ArrayList<>())
                        .add(event.get("data").get("n").asInt());
            }
            assertThat(ids).as("none lost").hasSize(events);
            assertThat(got).as("none twice").hasSize(events);
            perDomain.values().forEach(ns -> assertThat(ns).isSorted());
            WebhookTesting.verify(secret, got.get(0));
            long delivered = first.jdbi()
                    .withHandle(h -> h.createQuery(
                                    "SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'DELIVERED' AND attempts = 1")
                            .mapTo(Long.class)
                            .one());
            assertThat(delivered).isEqualTo(events);
        }
    }
}
