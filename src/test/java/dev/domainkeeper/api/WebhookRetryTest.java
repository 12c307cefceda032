package dev.domainkeeper.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.MutableClock;
import dev.domainkeeper.testing.TestServer;
import dev.domainkeeper.testing.WebhookReceiver;
import dev.domainkeeper.testing.WebhookTesting;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retries, the delivery log and disabling, on a controlled clock: backoff is skipped by moving the
 * clock, never by waiting.
 */
class WebhookRetryTest {
    private static final String KEY = TestServer.BOOTSTRAP_KEY;

    @TempDir
    Path dir;

    MutableClock clock;
    TestServer server;
    WebhookReceiver receiver;

    @BeforeEach
    void start() {
        receiver = WebhookReceiver.start();
        clock = new MutableClock(Instant.now());
        server = TestServer.start(dir, WebhookTesting.env(), a -> a.withClock(clock));
    }

    @AfterEach
    void stop() {
        server.close();
        receiver.close();
    }

    private JsonNode call(String method, String path, String body) {
        HttpResponse<String> r = server.http(method, path, KEY, body);
        assertThat(r.statusCode()).as("%s %s: %s", method, path, r.body()).isEqualTo(200);
        return Json.parse(r.body());
    }

    /** Runs the delivery job until the endpoint's log holds {@code count} attempts. */
    private void attemptUntil(String webhookId, int count) {
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    server.server().webhookDispatcher().runOnce();
                    return server.server().webhookDispatcher().inFlight() == 0
                            && call("GET", "/webhooks/" + webhookId + "/deliveries", null)
                                            .get("attempts")
                                            .size()
                                    >= count;
                });
    }

    @Test
    void receiverFailingFiveTimes_getsTheEventOnceMore_andTheLogShowsAllSixAttempts() {
        receiver.answer(n -> n <= 5 ? 500 : 204);
        WebhookTesting.Created hook = WebhookTesting.create(server, KEY, receiver.url("/flaky"), "domain.created");
        call("POST", "/domains", "{\"domain\":\"retry.example.com\"}");

        for (int attempt = 1; attempt <= 6; attempt++) {
            attemptUntil(hook.id(), attempt);
            // Past the longest retry delay with its jitter: the next attempt is due at once.
            clock.advance(Duration.ofHours(17));
        }
        for (int i = 0; i < 3; i++) {
            server.server().webhookDispatcher().runOnce();
        }

        List<WebhookReceiver.Received> got = receiver.received();
        assertThat(got).hasSize(6);
        WebhookTesting.verify(hook.secret(), got.get(0));
        assertThat(got)
                .extracting(r -> r.header("webhook-id"))
                .containsOnly(got.get(0).header("webhook-id"));
        assertThat(got)
                .extracting(WebhookReceiver.Received::body)
                .containsOnly(got.get(0).body());

        JsonNode page = call("GET", "/webhooks/" + hook.id() + "/deliveries?page_size=4", null);
        List<JsonNode> attempts = new ArrayList<>();
        page.get("attempts").forEach(attempts::add);
        assertThat(page.get("next_page_token").asText()).isNotEmpty();
        JsonNode rest = call(
                "GET",
                "/webhooks/" + hook.id() + "/deliveries?page_size=4&page_token="
                        + page.get("next_page_token").asText(),
                null);
        rest.get("attempts").forEach(attempts::add);
        assertThat(rest.get("next_page_token").asText()).isEmpty();

        assertThat(attempts).extracting(a -> a.get("attempt").asInt()).containsExactly(6, 5, 4, 3, 2, 1);
        assertThat(attempts)
                .extracting(a -> a.get("http_status").asInt())
                .containsExactly(204, 500, 500, 500, 500, 500);
        assertThat(attempts.get(0).get("error").asText()).isEmpty();
        assertThat(attempts.get(1).get("error").asText()).isEqualTo("the receiver answered HTTP 500");
        assertThat(attempts).allSatisfy(a -> {
            assertThat(a.get("event_type").asText()).isEqualTo("domain.created");
            assertThat(a.get("event_id").asText()).isEqualTo(got.get(0).header("webhook-id"));
            assertThat(a.get("latency_ms").asLong()).isNotNegative();
        });
        assertThat(Instant.parse(attempts.get(0).get("attempted_at").asText()))
                .isAfter(Instant.parse(attempts.get(5).get("attempted_at").asText()));
        assertThat(call("GET", "/webhooks/" + hook.id(), null)
                        .get("webhook")
                        .get("enabled")
                        .asBoolean())
                .isTrue();
    }

    @Test
    void endpointFailingForFiveDays_isDisabledWithItsReason_getsNothingMore_andCanBeReEnabled() {
        receiver.answer(n -> 503);
        WebhookTesting.Created hook = WebhookTesting.create(server, KEY, receiver.url("/down"));
        call("POST", "/webhooks/" + hook.id() + "/test", "{}");
        attemptUntil(hook.id(), 1);

        clock.advance(Duration.ofDays(5).plusMinutes(1));
        attemptUntil(hook.id(), 2);

        JsonNode disabled = call("GET", "/webhooks/" + hook.id(), null).get("webhook");
        assertThat(disabled.get("enabled").asBoolean()).isFalse();
        assertThat(disabled.get("disabled_reason").asText()).contains("5 days").contains("HTTP 503");
        assertThat(Instant.parse(disabled.get("disabled_at").asText()))
                .isEqualTo(clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));

        // Disabled: no new deliveries, and the pending one was given up.
        call("POST", "/domains", "{\"domain\":\"disabled.example.com\"}");
        clock.advance(Duration.ofDays(1));
        for (int i = 0; i < 3; i++) {
            server.server().webhookDispatcher().runOnce();
        }
        assertThat(receiver.received()).hasSize(2);

        receiver.answer(n -> 200);
        JsonNode enabled =
                call("PATCH", "/webhooks/" + hook.id(), "{\"enabled\":true}").get("webhook");
        assertThat(enabled.get("enabled").asBoolean()).isTrue();
        assertThat(enabled.get("disabled_reason").asText()).isEmpty();
        assertThat(enabled.has("disabled_at")).isFalse();
        call("POST", "/webhooks/" + hook.id() + "/test", "{}");
        WebhookTesting.deliver(server, receiver, 3);
        assertThat(WebhookTesting.types(receiver.received()))
                .containsExactly("webhook.test", "webhook.test", "webhook.test");
    }
}
