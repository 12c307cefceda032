package dev.domainkeeper.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.domainkeeper.accounts.AccountService;
import dev.domainkeeper.proto.domains.v1.DomainsServiceGrpc;
import dev.domainkeeper.proto.domains.v1.SendTestEmailRequest;
import dev.domainkeeper.store.AccountStore;
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
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checks the per-account limit on test sends (2 at once, then 1 a minute here). */
class TestEmailRateLimitTest {
    @TempDir
    Path dir;

    MutableClock clock;
    TestServer server;
    AccountService accounts;

    @BeforeEach
    void start() {
        clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
        server = TestServer.start(
                dir,
                Map.of(
                        "DOMAINKEEPER_BACKGROUND_WORKERS",
                        "false",
                        "DOMAINKEEPER_TEST_EMAIL_RATE_PER_MINUTE",
                        "1",
                        "DOMAINKEEPER_TEST_EMAIL_BURST",
                        "2"),
                a -> a.withClock(clock));
        accounts =
                new AccountService(new AccountStore(server.server().database().jdbi()), Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> send(String key, String id) {
        return server.http("POST", "/domains/test-email", key, "{\"id\":\"" + id + "\"}");
    }

    @Test
    void sendTestEmail_overTheBurst_isResourceExhaustedWithTheRetryDelay() {
        String key = accounts.createAccount("a").key();
        String id = TestEmailTest.verifiedDomain(server, key, "limits.example.com");
        assertThat(send(key, id).statusCode()).isEqualTo(200);
        assertThat(send(key, id).statusCode()).isEqualTo(200);

        HttpResponse<String> limited = send(key, id);

        assertThat(limited.statusCode()).as(limited.body()).isEqualTo(429);
        assertThat(limited.headers().firstValue("retry-after")).hasValue("60");
        assertThat(Json.parse(limited.body()).get("message").asText())
                .contains("over its limit of 1 a minute (bursts of up to 2)")
                .contains("retry after 60s");
        var stub = server.grpc(DomainsServiceGrpc.DomainsServiceBlockingStub.class, key);
        assertThatThrownBy(() -> stub.sendTestEmail(
                        SendTestEmailRequest.newBuilder().setId(id).build()))
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));

        clock.advance(Duration.ofSeconds(30));
        assertThat(send(key, id).headers().firstValue("retry-after"))
                .as("half refilled")
                .hasValue("30");
        clock.advance(Duration.ofSeconds(30));
        assertThat(send(key, id).statusCode()).as("one token refilled").isEqualTo(200);
    }

    @Test
    void sendTestEmail_limit_isPerAccount() {
        String first = accounts.createAccount("first").key();
        String second = accounts.createAccount("second").key();
        String firstDomain = TestEmailTest.verifiedDomain(server, first, "first.example.com");
        String secondDomain = TestEmailTest.verifiedDomain(server, second, "second.example.com");
        send(first, firstDomain);
        send(first, firstDomain);
        assertThat(send(first, firstDomain).statusCode()).isEqualTo(429);

        assertThat(send(second, secondDomain).statusCode()).isEqualTo(200);
    }

    @Test
    void sendTestEmail_refusedRequests_doNotUseTheAllowance() {
        String key = accounts.createAccount("a").key();
        String id = TestEmailTest.verifiedDomain(server, key, "refused.example.com");
        for (int i = 0; i < 5; i++) {
            assertThat(server.http(
                                    "POST",
                                    "/domains/test-email",
                                    key,
                                    "{\"id\":\"" + id + "\",\"test_type\":\"NORMAL\"}")
                            .statusCode())
                    .isEqualTo(400);
        }

        assertThat(send(key, id).statusCode()).isEqualTo(200);
    }
}
