package dev.domainkeeper.server;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServerListener;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.healthcheck.HealthChecker;
import java.util.concurrent.CompletableFuture;

/**
 * Answers {@code /health}: 200 {@code {"status":"ok"}} while the database answers, 503 with
 * {@code retry-after} when it does not or once graceful shutdown has begun (so a load balancer stops
 * sending traffic before the port closes).
 *
 * <p>Armeria's own {@code HealthCheckService} asks its checkers synchronously on the event loop, and
 * a database check blocks; a scheduled checker would report an outage only at its next tick. So the
 * database is asked per request on the blocking executor, and the shutdown state comes from a
 * {@link ServerListener}, as Armeria's service does it.
 */
final class HealthService implements HttpService {
    private static final String RETRY_AFTER_SECONDS = "5";

    private final HealthChecker database;
    private volatile boolean stopping;

    /** Creates the service; {@code database} is asked on the blocking executor, once per request. */
    HealthService(HealthChecker database) {
        this.database = requireNonNull(database, "database");
    }

    /** Returns the listener that tells this service the server is stopping; add it to the server. */
    ServerListener shutdownListener() {
        return ServerListener.builder().whenStopping(server -> stopping = true).build();
    }

    @Override
    public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
        if (stopping) {
            return unavailable("shutting down");
        }
        return HttpResponse.of(CompletableFuture.supplyAsync(
                () -> database.isHealthy()
                        ? HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, "{\"status\":\"ok\"}")
                        : unavailable("database unavailable"),
                ctx.blockingTaskExecutor()));
    }

    private static HttpResponse unavailable(String status) {
        return HttpResponse.of(
                ResponseHeaders.builder(HttpStatus.SERVICE_UNAVAILABLE)
                        .contentType(MediaType.JSON_UTF_8)
                        .add("retry-after", RETRY_AFTER_SECONDS)
                        .build(),
                HttpData.ofUtf8("{\"status\":\"" + status + "\"}"));
    }
}
