package dev.domainkeeper.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.domainkeeper.testing.FlakySes;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proves the add is crash-safe: row first, then the SES identity, then the result. */
class CrashSafeAddTest {
    @TempDir
    Path dir;

    TestServer server;
    final AtomicReference<FlakySes> ses = new AtomicReference<>();

    @BeforeEach
    void start() {
        server = TestServer.start(
                dir,
                Map.of("DOMAINKEEPER_BACKGROUND_WORKERS", "false"),
                a -> a.withSesDecorator(real -> {
                    FlakySes f = new FlakySes(real);
                    ses.set(f);
                    return f;
                }));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private long count(String sql) {
        return server.server()
                .database()
                .jdbi()
                .withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }

    @Test
    void failureAfterSesCreatedIdentity_thenRetry_givesOneDomainAndOneIdentity() {
        ses.get().failAfterCreate.set(1);

        HttpResponse<String> first =
                server.http("POST", "/domains", TestServer.BOOTSTRAP_KEY, "{\"domain\":\"half.example.com\"}");

        assertThat(first.statusCode()).isEqualTo(503);
        assertThat(first.headers().firstValue("retry-after")).isPresent();
        assertThat(Json.parse(server.http("GET", "/domains", TestServer.BOOTSTRAP_KEY, null)
                                .body())
                        .get("domains"))
                .isEmpty();

        HttpResponse<String> retry =
                server.http("POST", "/domains", TestServer.BOOTSTRAP_KEY, "{\"domain\":\"half.example.com\"}");

        assertThat(retry.statusCode()).as(retry.body()).isEqualTo(200);
        JsonNode d = Json.parse(retry.body()).get("domain");
        assertThat(d.get("dns_records").get(0).get("purpose").asText()).isEqualTo("DKIM");
        assertThat(count("SELECT COUNT(*) FROM domains")).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM sandbox_identities")).isEqualTo(1);
        assertThat(Json.parse(server.http("GET", "/domains", TestServer.BOOTSTRAP_KEY, null)
                                .body())
                        .get("domains"))
                .hasSize(1);
    }

    @Test
    void failureAfterSesCreatedIdentity_isCompletedByTheVerifier() {
        ses.get().failAfterCreate.set(1);
        server.http("POST", "/domains", TestServer.BOOTSTRAP_KEY, "{\"domain\":\"later.example.com\"}");
        server.server().database().jdbi().useHandle(h -> h.execute("UPDATE domains SET next_check_at = 0"));

        assertThat(server.server().verifier().runOnce()).isEqualTo(1);

        JsonNode list = Json.parse(server.http("GET", "/domains", TestServer.BOOTSTRAP_KEY, null)
                        .body())
                .get("domains");
        assertThat(list).hasSize(1);
        assertThat(list.get(0).get("domain").asText()).isEqualTo("later.example.com");
        assertThat(list.get(0).get("dns_records").get(0).get("value").asText()).endsWith(".dkim.amazonses.com");
        assertThat(count("SELECT COUNT(*) FROM sandbox_identities")).isEqualTo(1);
    }

    @Test
    void sesDown_isUnavailableWithRetryHint_andNoHalfMadeDomainIsVisible() {
        ses.get().down.set(true);

        HttpResponse<String> r =
                server.http("POST", "/domains", TestServer.BOOTSTRAP_KEY, "{\"domain\":\"down.example.com\"}");

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("UNAVAILABLE").contains("retry after");
        assertThat(r.headers().firstValue("retry-after")).hasValue("2");
        assertThat(Json.parse(server.http("GET", "/domains", TestServer.BOOTSTRAP_KEY, null)
                                .body())
                        .get("domains"))
                .isEmpty();
        assertThat(count("SELECT COUNT(*) FROM sandbox_identities")).isZero();
    }

    @Test
    void identityDeletedBehindOurBack_getKeepsTheDomain_andTheVerifierCreatesItAgain() {
        String id = Json.parse(
                        server.http("POST", "/domains", TestServer.BOOTSTRAP_KEY, "{\"domain\":\"gone.example.com\"}")
                                .body())
                .get("domain")
                .get("id")
                .asText();
        server.server().database().jdbi().useHandle(h -> {
            h.execute("DELETE FROM sandbox_identities");
            h.execute("UPDATE domains SET ses_checked_at = 0");
        });

        HttpResponse<String> got = server.http("GET", "/domains/" + id, TestServer.BOOTSTRAP_KEY, null);

        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(count("SELECT COUNT(*) FROM sandbox_identities"))
                .as("a read re-creates nothing")
                .isZero();
        assertThat(server.server().verifier().runOnce()).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM sandbox_identities")).isEqualTo(1);
        assertThat(server.http("GET", "/domains/" + id, TestServer.BOOTSTRAP_KEY, null)
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void tenConcurrentAddsOfOneName_exactlyOneSucceeds() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Integer> codes = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Thread t = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                codes.add(server.http("POST", "/domains", TestServer.BOOTSTRAP_KEY, "{\"domain\":\"race.example.com\"}")
                        .statusCode());
            });
            threads.add(t);
            t.start();
        }
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }

        assertThat(codes).filteredOn(c -> c == 200).hasSize(1);
        assertThat(codes).filteredOn(c -> c != 200).containsOnly(409);
        assertThat(count("SELECT COUNT(*) FROM domains")).isEqualTo(1);
        assertThat(ses.get().creates.get()).isEqualTo(1);
    }
}
