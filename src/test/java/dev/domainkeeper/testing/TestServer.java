package dev.domainkeeper.testing;

import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.grpc.GrpcSerializationFormats;
import dev.domainkeeper.accounts.AccountService;
import dev.domainkeeper.server.Config;
import dev.domainkeeper.server.DomainkeeperServer;
import dev.domainkeeper.store.AccountStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Runs the real service in-process on a free loopback port, through the same wiring as production,
 * and talks to it over HTTP/JSON and gRPC.
 */
public final class TestServer implements AutoCloseable {
    public static final String BOOTSTRAP_KEY = "dk_bootstraptestkey0000000000000000";

    private final DomainkeeperServer server;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private TestServer(DomainkeeperServer server) {
        this.server = server;
    }

    /** Starts a server on SQLite in {@code tempDir} with the sandbox backend. */
    public static TestServer start(Path tempDir) {
        return start(tempDir, Map.of(), UnaryOperator.identity());
    }

    /** Starts a server with extra environment variables and adapter overrides. */
    public static TestServer start(
            Path tempDir, Map<String, String> env, UnaryOperator<DomainkeeperServer.Adapters> adapters) {
        Map<String, String> all = new HashMap<>();
        all.put("DOMAINKEEPER_DATABASE_URL", Databases.sqliteUrl(tempDir));
        all.put("DOMAINKEEPER_BOOTSTRAP_API_KEY", BOOTSTRAP_KEY);
        // Hermetic by default: nothing listens on the discard port, so lookups fail at once instead of
        // reaching the machine's resolvers. Tests that need DNS pass a LoopbackDnsServer.
        all.put("DOMAINKEEPER_DNS_RESOLVERS", "127.0.0.1:9");
        // Likewise for name servers asked directly (propagation): tests of it pass their loopback port.
        all.put("DOMAINKEEPER_DNS_AUTHORITATIVE_PORT", "9");
        // Request budgets far above what a test makes, also with the aws backend and a clock that stands
        // still; the tests of the budgets set their own.
        all.put("DOMAINKEEPER_SES_MAX_RPS", "1000");
        all.put("DOMAINKEEPER_SES_BURST", "100000");
        all.put("DOMAINKEEPER_ROUTE53_MAX_RPS", "1000");
        all.put("DOMAINKEEPER_ROUTE53_BURST", "100000");
        all.putAll(env);
        Config config = Config.fromEnvironment(all).withPort(0);
        return new TestServer(DomainkeeperServer.start(config, adapters.apply(DomainkeeperServer.Adapters.defaults())));
    }

    /**
     * Grants the account named {@code account} Route 53 hosted zones the way
     * {@code ./domainkeeper accounts grant-zones} does: the zones named, or every zone when none is.
     */
    public void grantZones(String account, String... zoneIds) {
        new AccountService(new AccountStore(server.database().jdbi()), Clock.systemUTC())
                .grantZones(account, zoneIds.length == 0, List.of(zoneIds));
    }

    /**
     * Creates an account the way {@code ./domainkeeper accounts create} does, named {@code prefix} and a
     * suffix unique to this call, and returns its API key.
     */
    public String newAccountKey(String prefix) {
        return new AccountService(new AccountStore(server.database().jdbi()), Clock.systemUTC())
                .createAccount(prefix + "-" + System.nanoTime())
                .key();
    }

    public DomainkeeperServer server() {
        return server;
    }

    /** Returns every value of every row of every table of the (SQLite) database, as text. */
    public List<String> databaseCells() {
        return server.database().jdbi().withHandle(h -> {
            List<String> all = new ArrayList<>();
            for (String table : h.createQuery("SELECT name FROM sqlite_master WHERE type = 'table'")
                    .mapTo(String.class)
                    .list()) {
                h.createQuery("SELECT * FROM " + table)
                        .mapToMap()
                        .forEach(row -> row.values().forEach(v -> all.add(String.valueOf(v))));
            }
            return all;
        });
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    /** Returns a gRPC (binary protobuf) client stub with {@code key} as bearer, or none when null. */
    public <T> T grpc(Class<T> stubType, String key) {
        return grpc(stubType, key, false);
    }

    /** Returns a client stub speaking gRPC-Web when {@code web} is true. */
    public <T> T grpc(Class<T> stubType, String key, boolean web) {
        var b = GrpcClients.builder(baseUrl())
                .serializationFormat(web ? GrpcSerializationFormats.PROTO_WEB : GrpcSerializationFormats.PROTO)
                .responseTimeout(Duration.ofSeconds(30));
        if (key != null) {
            b.addHeader("authorization", "Bearer " + key);
        }
        return b.build(stubType);
    }

    /** Sends an HTTP request; {@code body} may be null. Returns status and body. */
    public HttpResponse<String> http(String method, String path, String key, String body) {
        return http(method, path, key, body, Map.of());
    }

    /** Sends an HTTP request with extra {@code headers}; {@code key} and {@code body} may be null. */
    public HttpResponse<String> http(String method, String path, String key, String body, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .timeout(Duration.ofSeconds(30))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("content-type", "application/json");
        }
        if (key != null) {
            b.header("authorization", "Bearer " + key);
        }
        headers.forEach(b::header);
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
