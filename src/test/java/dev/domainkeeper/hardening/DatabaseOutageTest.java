package dev.domainkeeper.hardening;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.domainkeeper.proto.domains.v1.DomainsServiceGrpc;
import dev.domainkeeper.proto.domains.v1.GetDomainRequest;
import dev.domainkeeper.proto.domains.v1.ListDomainsRequest;
import dev.domainkeeper.testing.Databases;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.TcpProxy;
import dev.domainkeeper.testing.TestServer;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the service on PostgreSQL through a TCP proxy on loopback and cuts the line for a while:
 * {@code /health} answers 503 and every RPC UNAVAILABLE (HTTP 503) with a retry hint, on HTTP/JSON
 * and gRPC alike; once the line is back the same process serves again, without a restart.
 */
class DatabaseOutageTest {
    private static final String KEY = TestServer.BOOTSTRAP_KEY;
    private static final Metadata.Key<String> RETRY_AFTER =
            Metadata.Key.of("retry-after", Metadata.ASCII_STRING_MARSHALLER);

    @TempDir
    Path dir;

    String schema;
    TcpProxy proxy;
    TestServer server;

    /** What one call got while the database was away: an HTTP status, or a gRPC status code. */
    record Outcome(String call, String status, String retryAfter, String message) {}

    @BeforeEach
    void start() throws SQLException {
        Databases.requirePostgres();
        schema = Databases.freshSchema();
        execute("CREATE SCHEMA " + schema);
        URI postgres = URI.create(Databases.POSTGRES_URL.substring("jdbc:".length()));
        proxy = TcpProxy.start(postgres.getHost(), postgres.getPort());
        server = TestServer.start(
                dir,
                Map.of(
                        "DOMAINKEEPER_DATABASE_URL",
                        "jdbc:postgresql://127.0.0.1:" + proxy.port() + postgres.getPath() + "?currentSchema=" + schema,
                        "DOMAINKEEPER_DATABASE_USER",
                        Databases.POSTGRES_USER),
                UnaryOperator.identity());
    }

    @AfterEach
    void stop() throws SQLException {
        if (server != null) {
            server.close();
            proxy.close();
            execute("DROP SCHEMA " + schema + " CASCADE");
        }
    }

    @Test
    void databaseUnreachable_healthAndRpcsAnswerUnavailable_thenRecoverWithoutRestart() throws Exception {
        String id = add("before-" + System.nanoTime() + ".example.com");
        assertThat(server.http("GET", "/health", null, null).statusCode()).isEqualTo(200);

        proxy.cut();
        // At once: the pool still holds the connections that just died.
        List<Outcome> first = duringOutage(id);
        // Later: the pool has dropped them and cannot open new ones.
        List<Outcome> later = duringOutage(id);

        for (List<Outcome> round : List.of(first, later)) {
            assertThat(round).allSatisfy(o -> {
                assertThat(o.status()).as("%s", o).isIn("503", "UNAVAILABLE");
                assertThat(o.retryAfter()).as("%s", o).isNotNull().matches("[1-9][0-9]*");
            });
            assertThat(round)
                    .filteredOn(o -> !o.call().equals("health"))
                    .allSatisfy(o -> assertThat(o.message()).as("%s", o).contains("database"));
        }

        proxy.restore();
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> server.http("GET", "/health", null, null).statusCode() == 200);
        assertThat(server.http("GET", "/domains/" + id, KEY, null).statusCode()).isEqualTo(200);
        String after = add("after-" + System.nanoTime() + ".example.com");
        assertThat(server.grpc(DomainsServiceGrpc.DomainsServiceBlockingStub.class, KEY)
                        .getDomain(GetDomainRequest.newBuilder().setId(after).build())
                        .getDomain()
                        .getId())
                .isEqualTo(after);
    }

    /** Makes the same calls in parallel: HTTP/JSON reads and writes, gRPC and gRPC-Web, and the health check. */
    private List<Outcome> duringOutage(String id) throws Exception {
        List<Callable<Outcome>> calls = List.of(
                () -> http("health", "GET", "/health", null, null),
                () -> http("get", "GET", "/domains/" + id, KEY, null),
                () -> http("list", "GET", "/domains", KEY, null),
                () -> http(
                        "add",
                        "POST",
                        "/domains",
                        KEY,
                        "{\"domain\":\"during-" + System.nanoTime() + ".example.com\"}"),
                () -> http("submission", "GET", "/submissions/sub_unknown", KEY, null),
                () -> grpc(
                        "grpc get",
                        false,
                        s -> s.getDomain(GetDomainRequest.newBuilder().setId(id).build())),
                () -> grpc("grpc-web list", true, s -> s.listDomains(ListDomainsRequest.getDefaultInstance())));
        ExecutorService pool = Executors.newFixedThreadPool(calls.size());
        try {
            List<Outcome> outcomes = new ArrayList<>();
            for (Future<Outcome> f : pool.invokeAll(calls)) {
                outcomes.add(f.get());
            }
            return outcomes;
        } finally {
            pool.shutdown();
        }
    }

    private Outcome http(String call, String method, String path, String key, String body) {
        HttpResponse<String> r = server.http(method, path, key, body);
        String message = r.body().startsWith("{") && Json.parse(r.body()).has("message")
                ? Json.parse(r.body()).get("message").asText()
                : r.body();
        return new Outcome(
                call,
                Integer.toString(r.statusCode()),
                r.headers().firstValue("retry-after").orElse(null),
                message);
    }

    private Outcome grpc(String call, boolean web, Consumer<DomainsServiceGrpc.DomainsServiceBlockingStub> rpc) {
        StatusRuntimeException e = catchThrowableOfType(
                () -> rpc.accept(server.grpc(DomainsServiceGrpc.DomainsServiceBlockingStub.class, KEY, web)),
                StatusRuntimeException.class);
        assertThat(e).as(call + " should fail").isNotNull();
        return new Outcome(
                call,
                e.getStatus().getCode().name(),
                e.getTrailers() == null ? null : e.getTrailers().get(RETRY_AFTER),
                e.getStatus().getDescription());
    }

    private String add(String name) {
        HttpResponse<String> r = server.http("POST", "/domains", KEY, "{\"domain\":\"" + name + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.parse(r.body()).get("domain").get("id").asText();
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(Databases.POSTGRES_URL, Databases.POSTGRES_USER, null);
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
