package dev.domainkeeper.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the webhook tests share: the settings that allow a loopback receiver, and the common calls. */
public final class WebhookTesting {
    /** A secrets key for tests (32 bytes of base64). */
    public static final String SECRETS_KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

    private WebhookTesting() {}

    /** Returns settings that allow http and loopback receivers, with a secrets key and no background jobs. */
    public static Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("DOMAINKEEPER_SECRETS_KEY", SECRETS_KEY);
        env.put("DOMAINKEEPER_WEBHOOKS_ALLOW_HTTP", "true");
        env.put("DOMAINKEEPER_WEBHOOKS_ALLOW_PRIVATE", "true");
        env.put("DOMAINKEEPER_BACKGROUND_WORKERS", "false");
        return env;
    }

    /** A created endpoint: its id and the secret shown once. */
    public record Created(String id, String secret, JsonNode webhook) {}

    /** Creates an endpoint over HTTP/JSON and checks the answer. */
    public static Created create(TestServer server, String key, String url, String... types) {
        StringBuilder list = new StringBuilder();
        for (String t : types) {
            list.append(list.isEmpty() ? "" : ",").append('"').append(t).append('"');
        }
        HttpResponse<String> r = server.http(
                "POST",
                "/webhooks",
                key,
                "{\"url\":\"" + url + "\",\"event_types\":[" + list + "],\"description\":\"test receiver\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode json = Json.parse(r.body());
        return new Created(
                json.get("webhook").get("id").asText(),
                json.get("signing_secret").asText(),
                json.get("webhook"));
    }

    /** Runs the delivery job until the receiver got {@code count} requests and nothing is under way. */
    public static void deliver(TestServer server, WebhookReceiver receiver, int count) {
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    server.server().webhookDispatcher().runOnce();
                    return receiver.received().size() >= count
                            && server.server().webhookDispatcher().inFlight() == 0;
                });
    }

    /** Verifies a request's signature with the independent Standard Webhooks library. */
    public static void verify(String secret, WebhookReceiver.Received r) {
        try {
            new Webhook(secret).verify(r.body(), r.headers());
        } catch (WebhookVerificationException e) {
            throw new AssertionError("signature does not verify with " + secret.substring(0, 10) + "…: " + e, e);
        }
    }

    /** Returns the event types of the requests, in order. */
    public static List<String> types(List<WebhookReceiver.Received> received) {
        return received.stream()
                .map(r -> Json.parse(r.body()).get("type").asText())
                .toList();
    }

    /**
     * Records {@code count} domain.updated events of {@code account} in the outbox of {@code store}, ids
     * {@code <prefix>0..}, spread over {@code domains} domains {@code dom_0..}, each carrying its number
     * {@code data.n}.
     */
    public static void recordEvents(
            dev.domainkeeper.store.DomainStore store, String account, String prefix, int count, int domains) {
        java.time.Instant now = java.time.Instant.now();
        for (int i = 0; i < count; i++) {
            String domain = "dom_" + (i % domains);
            String id = prefix + i;
            store.record(new dev.domainkeeper.store.OutboxEvent(
                    id,
                    account,
                    domain,
                    "domain.updated",
                    "{\"id\":\"" + id + "\",\"type\":\"domain.updated\",\"timestamp\":\"" + now
                            + "\",\"data\":{\"domain\":{\"id\":\"" + domain + "\"},\"n\":" + i + "}}",
                    now,
                    null));
        }
    }
}
