package dev.domainkeeper.server;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.grpc.GrpcMeterIdPrefixFunction;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.metric.MetricCollectingService;
import dev.domainkeeper.api.ApiServices;
import dev.domainkeeper.app.AccountService;
import dev.domainkeeper.store.AccountStore;
import dev.domainkeeper.store.Database;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the service together and runs it: the one path production and the tests both use. Tests
 * hand in other adapters through {@link Adapters}.
 */
public final class DomainkeeperServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DomainkeeperServer.class);

    private final Config config;
    private final Database database;
    private final Server server;

    private DomainkeeperServer(Config config, Database database, Server server) {
        this.config = config;
        this.database = database;
        this.server = server;
    }

    /** Replaceable parts; {@link #defaults()} gives production's. */
    public record Adapters(Clock clock) {
        public Adapters {
            requireNonNull(clock, "clock");
        }

        /** Returns the production adapters. */
        public static Adapters defaults() {
            return new Adapters(Clock.systemUTC());
        }
    }

    /** Opens the database, builds the server and starts it. */
    public static DomainkeeperServer start(Config config, Adapters adapters) {
        Database database = Database.open(config.databaseUrl(), config.databaseUser(), config.databasePassword(),
                null);
        try {
            AccountService accounts = new AccountService(new AccountStore(database.jdbi()), adapters.clock());
            config.bootstrapApiKey().ifPresent(accounts::ensureBootstrapKey);
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            ApiServices api = new ApiServices(accounts);
            Server server = Server.builder()
                    .http(config.port())
                    .meterRegistry(registry)
                    .maxRequestLength(ApiServices.MAX_REQUEST_BYTES)
                    .gracefulShutdownTimeout(Duration.ofSeconds(1), Duration.ofSeconds(10))
                    .service(api.grpcService(),
                            MetricCollectingService.newDecorator(GrpcMeterIdPrefixFunction.of("rpc")))
                    .serviceUnder("/docs", ApiServices.docService())
                    .service("/health", (ctx, req) -> HttpResponse.of(CompletableFuture.supplyAsync(
                            () -> database.isHealthy()
                                    ? HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, "{\"status\":\"ok\"}")
                                    : HttpResponse.of(HttpStatus.SERVICE_UNAVAILABLE, MediaType.JSON_UTF_8,
                                            "{\"status\":\"database unavailable\"}"),
                            ctx.blockingTaskExecutor())))
                    .service("/metrics", (ctx, req) -> HttpResponse.of(HttpStatus.OK,
                            MediaType.parse("text/plain; version=0.0.4; charset=utf-8"), registry.scrape()))
                    .build();
            server.start().join();
            log.info("Domainkeeper listening on port {} (database {}, SES backend {})", server.activeLocalPort(),
                    database.isPostgres() ? "PostgreSQL" : "SQLite", config.sesBackend());
            return new DomainkeeperServer(config, database, server);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    /** Returns the port the server listens on. */
    public int port() {
        return server.activeLocalPort();
    }

    /** Returns the configuration the server runs with. */
    public Config config() {
        return config;
    }

    /** Returns the database (tests inspect it). */
    public Database database() {
        return database;
    }

    /** Blocks until the server stops. */
    public void awaitStop() {
        server.whenClosed().join();
    }

    /** Stops accepting requests, finishes the running ones and closes the database. */
    @Override
    public void close() {
        server.stop().join();
        database.close();
    }
}
