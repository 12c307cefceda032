package dev.domainkeeper.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.domainkeeper.accounts.AccountService;
import dev.domainkeeper.store.AccountStore;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.TestServer;
import dev.domainkeeper.testing.WebhookReceiver;
import dev.domainkeeper.testing.WebhookTesting;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attack: account B knows the id of account A's webhook endpoint and tries every call on it.
 * Each answers NOT_FOUND exactly like an unknown id, and nothing of A's changes.
 */
class WebhookTenancyTest {
    private static final String A = TestServer.BOOTSTRAP_KEY;

    @TempDir
    Path dir;

    TestServer server;
    WebhookReceiver receiver;
    String b;

    @BeforeEach
    void start() {
        receiver = WebhookReceiver.start();
        server = TestServer.start(dir, WebhookTesting.env(), a -> a);
        b = new AccountService(new AccountStore(server.server().database().jdbi()), Clock.systemUTC())
                .createAccount("mallory")
                .key();
    }

    @AfterEach
    void stop() {
        server.close();
        receiver.close();
    }

    @Test
    void anotherAccount_cannotSeeChangeDeleteRotateTestOrReadTheLogOfAnEndpoint() {
        WebhookTesting.Created hook = WebhookTesting.create(server, A, receiver.url("/a"), "domain.created");
        String before = server.http("GET", "/webhooks/" + hook.id(), A, null).body();
        String path = "/webhooks/" + hook.id();

        for (String[] call : new String[][] {
            {"GET", path, null},
            {"PATCH", path, "{\"url\":\"" + receiver.url("/stolen") + "\",\"enabled\":false}"},
            {"DELETE", path, null},
            {"POST", path + "/rotate-secret", "{}"},
            {"POST", path + "/test", "{}"},
            {"GET", path + "/deliveries", null},
        }) {
            HttpResponse<String> r = server.http(call[0], call[1], b, call[2]);
            HttpResponse<String> unknown =
                    server.http(call[0], call[1].replace(hook.id(), "whk_doesnotexist0000000"), b, call[2]);
            assertThat(r.statusCode())
                    .as("%s %s: %s", call[0], call[1], r.body())
                    .isEqualTo(404);
            assertThat(Json.parse(r.body()).get("grpc-code").asText()).isEqualTo("NOT_FOUND");
            assertThat(Json.parse(r.body()).get("message").asText())
                    .isEqualTo(Json.parse(unknown.body())
                            .get("message")
                            .asText()
                            .replace("whk_doesnotexist0000000", hook.id()));
        }
        JsonNode list = Json.parse(server.http("GET", "/webhooks", b, null).body());
        assertThat(list.get("webhooks")).isEmpty();

        assertThat(server.http("GET", "/webhooks/" + hook.id(), A, null).body()).isEqualTo(before);
        // No test event was queued for A's endpoint, and A's secret still signs.
        server.http("POST", "/domains", A, "{\"domain\":\"tenancy.example.com\"}");
        WebhookTesting.deliver(server, receiver, 1);
        assertThat(WebhookTesting.types(receiver.received())).containsExactly("domain.created");
        WebhookTesting.verify(hook.secret(), receiver.received().get(0));
        // B's own domain events never reach A's endpoint.
        server.http("POST", "/domains", b, "{\"domain\":\"mallory.example.com\"}");
        for (int i = 0; i < 3; i++) {
            server.server().webhookDispatcher().runOnce();
        }
        assertThat(receiver.received()).hasSize(1);
    }
}
