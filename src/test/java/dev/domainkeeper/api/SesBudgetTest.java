package dev.domainkeeper.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.domainkeeper.accounts.AccountService;
import dev.domainkeeper.proto.domains.v1.AddDomainRequest;
import dev.domainkeeper.proto.domains.v1.DomainsServiceGrpc;
import dev.domainkeeper.ses.ForwardingSesGateway;
import dev.domainkeeper.ses.SesGateway;
import dev.domainkeeper.store.AccountStore;
import dev.domainkeeper.testing.Databases;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.MutableClock;
import dev.domainkeeper.testing.TestServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Plays one account using up the shared SES request budget through the API: its requests are refused
 * with RESOURCE_EXHAUSTED and a retry hint before anything changes, another account's go through, the
 * background jobs put their work off, and two nodes on one database stay within the budget together.
 * The clock stands still unless a test moves it, so the budget refills only when the test says.
 */
class SesBudgetTest {
    /** 1 SES request a second in bursts of 10: one account alone holds 5 of them. */
    static final Map<String, String> BUDGET = Map.of(
            "DOMAINKEEPER_BACKGROUND_WORKERS", "false",
            "DOMAINKEEPER_SES_MAX_RPS", "1",
            "DOMAINKEEPER_SES_BURST", "10");

    @TempDir
    Path dir;

    final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
    /** Every SES call that reached the sandbox, as "operation domain". */
    final List<String> sesCalls = new CopyOnWriteArrayList<>();

    final List<TestServer> servers = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(TestServer::close);
    }

    private TestServer start(String databaseUrl) {
        Map<String, String> env = new java.util.HashMap<>(BUDGET);
        env.put("DOMAINKEEPER_DATABASE_URL", databaseUrl);
        if (databaseUrl.startsWith("jdbc:postgresql:")) {
            env.put("DOMAINKEEPER_DATABASE_USER", Databases.POSTGRES_USER);
        }
        TestServer s = TestServer.start(dir, env, a -> a.withClock(clock).withSesDecorator(this::recording));
        servers.add(s);
        return s;
    }

    private SesGateway recording(SesGateway real) {
        return new ForwardingSesGateway(real) {
            @Override
            protected void beforeCall(String operation) {
                sesCalls.add(operation);
            }
        };
    }

    private static HttpResponse<String> add(TestServer server, String key, String name) {
        return server.http("POST", "/domains", key, "{\"domain\":\"" + name + "\"}");
    }

    private static int domainsNamed(Jdbi db, String name) {
        return db.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM domains WHERE name = :n")
                .bind("n", name)
                .mapTo(Integer.class)
                .one());
    }

    @Test
    void anAccountOverItsShare_isRefusedBeforeAnythingChanges_whileAnotherAccountsAddGoesThrough() {
        TestServer server = start("jdbc:sqlite:" + dir.resolve("one.db"));
        Jdbi db = server.server().database().jdbi();
        AccountService accounts = new AccountService(new AccountStore(db), Clock.systemUTC());
        String greedy = accounts.createAccount("greedy").key();
        String other = accounts.createAccount("other").key();

        // An add makes 3 SES calls (create, MAIL FROM, receiving): 5 tokens allow two adds, the second into debt.
        assertThat(add(server, greedy, "one.greedy.example.com").statusCode()).isEqualTo(200);
        assertThat(add(server, greedy, "two.greedy.example.com").statusCode()).isEqualTo(200);
        int callsBefore = sesCalls.size();

        HttpResponse<String> refused = add(server, greedy, "three.greedy.example.com");

        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
        assertThat(refused.headers().firstValue("retry-after")).hasValue("2");
        assertThat(Json.parse(refused.body()).get("message").asText())
                .contains("SES requests: this account is over its share of the SES request budget"
                        + " (1 a second in bursts of up to 10, shared by all accounts; nothing was changed)")
                .contains("retry after 2s");
        var stub = server.grpc(DomainsServiceGrpc.DomainsServiceBlockingStub.class, greedy);
        assertThatThrownBy(() -> stub.addDomain(AddDomainRequest.newBuilder()
                        .setDomain("three.greedy.example.com")
                        .build()))
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
        assertThat(sesCalls).as("no SES call for a refused request").hasSize(callsBefore);
        assertThat(domainsNamed(db, "three.greedy.example.com")).as("no row").isZero();

        // The other account is not held back by the first one's spending.
        HttpResponse<String> others = add(server, other, "other.example.com");
        assertThat(others.statusCode()).as(others.body()).isEqualTo(200);
        assertThat(domainsNamed(db, "other.example.com")).isEqualTo(1);

        // The budget refills with time.
        clock.advance(Duration.ofSeconds(10));
        assertThat(add(server, greedy, "three.greedy.example.com").statusCode()).isEqualTo(200);
    }

    @Test
    void updateAndRemove_overTheShare_areRefused_andChangeNothing() {
        TestServer server = start("jdbc:sqlite:" + dir.resolve("one.db"));
        Jdbi db = server.server().database().jdbi();
        String key = new AccountService(new AccountStore(db), Clock.systemUTC())
                .createAccount("acme")
                .key();
        String id = Json.parse(add(server, key, "kept.example.com").body())
                .get("domain")
                .get("id")
                .asText();
        assertThat(add(server, key, "spent.example.com").statusCode()).isEqualTo(200);
        int callsBefore = sesCalls.size();

        HttpResponse<String> update =
                server.http("PATCH", "/domains/" + id, key, "{\"mail_from_domain\":\"bounce.kept.example.com\"}");
        HttpResponse<String> remove = server.http("DELETE", "/domains/" + id, key, null);

        assertThat(update.statusCode()).as(update.body()).isEqualTo(429);
        assertThat(update.headers().firstValue("retry-after")).isPresent();
        assertThat(remove.statusCode()).as(remove.body()).isEqualTo(429);
        assertThat(sesCalls).hasSize(callsBefore);
        String mailFrom = db.withHandle(h -> h.createQuery("SELECT mail_from_domain FROM domains WHERE id = :id")
                .bind("id", id)
                .mapTo(String.class)
                .one());
        assertThat(mailFrom).isEqualTo("mail.kept.example.com");
        // A read does not need SES: it answers with the statuses it has.
        HttpResponse<String> get = server.http("GET", "/domains/" + id, key, null);
        assertThat(get.statusCode()).as(get.body()).isEqualTo(200);
        assertThat(sesCalls).hasSize(callsBefore);
    }

    @Test
    void theVerifier_putsOffWhatTheBudgetDoesNotAllow_withoutAnSesCall() {
        TestServer server = start("jdbc:sqlite:" + dir.resolve("one.db"));
        Jdbi db = server.server().database().jdbi();
        String key = new AccountService(new AccountStore(db), Clock.systemUTC())
                .createAccount("acme")
                .key();
        assertThat(add(server, key, "pending.example.com").statusCode()).isEqualTo(200);
        clock.advance(Duration.ofMinutes(5)); // The domain is due for a check; the budget is full again.
        assertThat(add(server, key, "a.spent.example.com").statusCode()).isEqualTo(200);
        assertThat(add(server, key, "b.spent.example.com").statusCode()).isEqualTo(200);
        long dueBefore = nextCheckAt(db, "pending.example.com");
        int callsBefore = sesCalls.size();

        server.server().verifier().runOnce();

        assertThat(sesCalls).hasSize(callsBefore);
        assertThat(nextCheckAt(db, "pending.example.com")).as("put off").isGreaterThan(dueBefore);
        String provisioning =
                db.withHandle(h -> h.createQuery("SELECT provisioning FROM domains WHERE name = 'pending.example.com'")
                        .mapTo(String.class)
                        .one());
        assertThat(provisioning).isEqualTo("READY");
    }

    @Test
    void theSubmissionWorker_putsASendOff_withoutUsingAnAttempt() {
        TestServer server = start("jdbc:sqlite:" + dir.resolve("one.db"));
        Jdbi db = server.server().database().jdbi();
        String key = new AccountService(new AccountStore(db), Clock.systemUTC())
                .createAccount("acme")
                .key();
        String id = TestEmailTest.verifiedDomain(server, key, "sender.example.com");
        HttpResponse<String> queued = server.http(
                "POST",
                "/domains/test-email",
                key,
                "{\"id\":\"" + id + "\",\"test_type\":\"NORMAL\",\"to_email\":\"someone@example.org\"}");
        assertThat(queued.statusCode()).as(queued.body()).isEqualTo(200);
        assertThat(add(server, key, "spent.example.com").statusCode()).isEqualTo(200);

        server.server().submissionWorker().runOnce();

        assertThat(sesCalls).doesNotContain("sendEmail");
        Map<String, Object> row = db.withHandle(h -> h.createQuery("SELECT status, attempts FROM submissions")
                .mapToMap()
                .one());
        assertThat(row).containsEntry("status", "QUEUED");
        assertThat(((Number) row.get("attempts")).intValue()).isZero();

        clock.advance(Duration.ofMinutes(1));
        server.server().submissionWorker().runOnce();
        assertThat(sesCalls).containsOnlyOnce("sendEmail");
        String status = db.withHandle(h -> h.createQuery("SELECT status FROM submissions")
                .mapTo(String.class)
                .one());
        assertThat(status).isEqualTo("SENT");
    }

    private static long nextCheckAt(Jdbi db, String name) {
        return db.withHandle(h -> h.createQuery("SELECT next_check_at FROM domains WHERE name = :n")
                .bind("n", name)
                .mapTo(Long.class)
                .one());
    }

    static List<Databases.Kind> kinds() {
        return Databases.kinds();
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void twoNodesOnOneDatabase_togetherStayWithinTheBudget(Databases.Kind kind) {
        String url = kind == Databases.Kind.POSTGRES
                ? Databases.newPostgresSchemaUrl()
                : "jdbc:sqlite:" + dir.resolve("shared.db");
        TestServer a = start(url);
        TestServer b = start(url);

        int admitted = 0;
        for (int i = 0; i < 10; i++) {
            TestServer node = i % 2 == 0 ? a : b;
            HttpResponse<String> r = add(node, TestServer.BOOTSTRAP_KEY, "d" + i + ".two-nodes.example.com");
            assertThat(r.statusCode()).as(r.body()).isIn(200, 429);
            admitted += r.statusCode() == 200 ? 1 : 0;
        }

        // One budget for both: 5 tokens admit two adds in all (each node alone would have admitted two).
        assertThat(admitted).isEqualTo(2);
        assertThat(sesCalls).hasSize(6);
        int rows = a.server()
                .database()
                .jdbi()
                .withHandle(h -> h.createQuery("SELECT COUNT(*) FROM domains")
                        .mapTo(Integer.class)
                        .one());
        assertThat(rows).isEqualTo(2);
    }
}
