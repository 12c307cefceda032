package dev.domainkeeper.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.TestServer;
import dev.domainkeeper.testing.WebhookTesting;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Safe URLs with private targets not allowed (the production default): URLs that resolve to
 * loopback or the metadata address are refused when stored, and a name that resolves elsewhere at
 * delivery time (DNS rebinding) is refused before any connection.
 */
class WebhookTargetsTest {
    private static final String KEY = TestServer.BOOTSTRAP_KEY;

    @TempDir
    Path dir;

    TestServer server;
    /** What the injected resolver answers, per host name. */
    final Map<String, String> dns = new ConcurrentHashMap<>();

    @BeforeEach
    void start() {
        Map<String, String> env = WebhookTesting.env();
        env.remove("DOMAINKEEPER_WEBHOOKS_ALLOW_HTTP");
        env.remove("DOMAINKEEPER_WEBHOOKS_ALLOW_PRIVATE");
        dns.put("loopback.test", "127.0.0.1");
        dns.put("metadata.test", "169.254.169.254");
        dns.put("metadata6.test", "fd00:ec2::254");
        dns.put("private.test", "10.0.0.7");
        dns.put("rebind.test", "93.184.216.34");
        server = TestServer.start(
                dir,
                env,
                a -> a.withWebhookResolver(host -> {
                    String ip = dns.get(host);
                    if (ip == null) {
                        // IP literals resolve to themselves, as with the system resolver.
                        if (host.matches("[0-9.]+|.*:.*")) {
                            return List.of(InetAddress.getByName(host));
                        }
                        throw new UnknownHostException(host);
                    }
                    return List.of(InetAddress.getByName(ip));
                }));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> create(String url) {
        return server.http("POST", "/webhooks", KEY, "{\"url\":\"" + url + "\"}");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "https://loopback.test/hook, '127.0.0.1, a loopback address'",
        "https://metadata.test/latest, '169.254.169.254, the cloud metadata address'",
        "https://metadata6.test/latest, 'the cloud metadata address'",
        "https://private.test/hook, '10.0.0.7, a private address'",
        "https://127.0.0.1:8443/hook, 'a loopback address'",
        "https://[::1]/hook, 'a loopback address'",
        "https://169.254.169.254/latest/meta-data, 'the cloud metadata address'",
        "http://rebind.test/hook, 'the scheme http is not allowed'",
        "https://nowhere.test/hook, 'does not resolve'",
        "https://user:pw@rebind.test/hook, 'user name or password'",
    })
    void unsafeUrl_isRefusedAtCreate_namingTheUrl_andNothingIsStored(String url, String why) {
        HttpResponse<String> r = create(url);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        JsonNode error = Json.parse(r.body());
        assertThat(error.get("grpc-code").asText()).isEqualTo("INVALID_ARGUMENT");
        assertThat(error.get("message").asText()).startsWith("url: ").contains(why);
        assertThat(Json.parse(server.http("GET", "/webhooks", KEY, null).body()).get("webhooks"))
                .isEmpty();
    }

    @Test
    void updateToAnUnsafeUrl_isRefused_andChangesNothing() {
        String id = Json.parse(create("https://rebind.test/hook").body())
                .get("webhook")
                .get("id")
                .asText();

        HttpResponse<String> r = server.http(
                "PATCH", "/webhooks/" + id, KEY, "{\"url\":\"https://metadata.test/x\",\"description\":\"d\"}");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("url: ").contains("169.254.169.254");
        JsonNode stored = Json.parse(
                        server.http("GET", "/webhooks/" + id, KEY, null).body())
                .get("webhook");
        assertThat(stored.get("url").asText()).isEqualTo("https://rebind.test/hook");
        assertThat(stored.get("description").asText()).isEmpty();
    }

    @ParameterizedTest(name = "rebound to {0}")
    @CsvSource({"127.0.0.1", "169.254.169.254"})
    void nameReboundToAnInternalAddress_isRefusedAtDelivery_andLogged(String internal) {
        String id = Json.parse(create("https://rebind.test/hook").body())
                .get("webhook")
                .get("id")
                .asText();
        dns.put("rebind.test", internal);
        server.http("POST", "/webhooks/" + id + "/test", KEY, "{}");

        org.awaitility.Awaitility.await().until(() -> {
            server.server().webhookDispatcher().runOnce();
            return Json.parse(server.http("GET", "/webhooks/" + id + "/deliveries", KEY, null)
                                    .body())
                            .get("attempts")
                            .size()
                    == 1;
        });

        JsonNode attempt = Json.parse(server.http("GET", "/webhooks/" + id + "/deliveries", KEY, null)
                        .body())
                .get("attempts")
                .get(0);
        assertThat(attempt.get("http_status").asInt()).isZero();
        assertThat(attempt.get("error").asText()).startsWith("refused: ").contains(internal);
    }
}
