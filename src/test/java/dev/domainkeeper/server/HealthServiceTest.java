package dev.domainkeeper.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Checks /health: the database state per request, and 503 as soon as graceful shutdown begins. */
class HealthServiceTest {
    private final AtomicBoolean databaseAnswers = new AtomicBoolean(true);
    private final HealthService health = new HealthService(databaseAnswers::get);

    private AggregatedHttpResponse get() throws Exception {
        HttpRequest req = HttpRequest.of(HttpMethod.GET, "/health");
        return health.serve(ServiceRequestContext.of(req), req).aggregate().get();
    }

    @Test
    void health_whileTheDatabaseAnswers_isOk() throws Exception {
        AggregatedHttpResponse r = get();

        assertThat(r.status().code()).isEqualTo(200);
        assertThat(r.contentUtf8()).isEqualTo("{\"status\":\"ok\"}");
    }

    @Test
    void health_databaseDown_is503WithRetryAfter() throws Exception {
        databaseAnswers.set(false);

        AggregatedHttpResponse r = get();

        assertThat(r.status().code()).isEqualTo(503);
        assertThat(r.headers().get("retry-after")).isEqualTo("5");
        assertThat(r.contentUtf8()).contains("database unavailable");
    }

    @Test
    void health_onceShutdownBegins_is503EvenWithTheDatabaseUp() throws Exception {
        health.shutdownListener()
                .serverStopping(Server.builder().service("/", health).build());

        AggregatedHttpResponse r = get();

        assertThat(r.status().code()).isEqualTo(503);
        assertThat(r.headers().get("retry-after")).isEqualTo("5");
        assertThat(r.contentUtf8()).contains("shutting down");
    }
}
