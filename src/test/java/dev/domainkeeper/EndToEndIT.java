package dev.domainkeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.domainkeeper.testing.Json;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drives the packaged service through the README's run command, {@code ./domainkeeper serve}, over HTTP. */
class EndToEndIT {
    private static final String KEY = "dk_endtoendtestkey000000000000000";

    @TempDir
    Path dir;

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private HttpResponse<String> call(int port, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("authorization", "Bearer " + KEY)
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void serve_answersHealthAndTheDomainLifecycle_andStopsOnSigterm() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ProcessBuilder pb = new ProcessBuilder("./domainkeeper", "serve")
                .directory(new File("."))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("serve.log").toFile());
        pb.environment().put("DOMAINKEEPER_PORT", Integer.toString(port));
        pb.environment().put("DOMAINKEEPER_DATABASE_URL", "jdbc:sqlite:" + dir.resolve("e2e.db"));
        pb.environment().put("DOMAINKEEPER_BOOTSTRAP_API_KEY", KEY);
        Process p = pb.start();
        try {
            int finalPort = port;
            await().atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(300))
                    .ignoreExceptions()
                    .until(() -> call(finalPort, "GET", "/health", null).statusCode() == 200);

            HttpResponse<String> added = call(port, "POST", "/domains", "{\"domain\":\"e2e.example.com\"}");
            assertThat(added.statusCode()).as(added.body()).isEqualTo(200);
            String id = Json.parse(added.body()).get("domain").get("id").asText();
            JsonNode got =
                    Json.parse(call(port, "GET", "/domains/" + id, null).body()).get("domain");
            assertThat(got.get("domain").asText()).isEqualTo("e2e.example.com");
            assertThat(Json.parse(call(port, "GET", "/domains", null).body()).get("domains"))
                    .hasSize(1);
            assertThat(call(port, "DELETE", "/domains/" + id, null).statusCode())
                    .isEqualTo(200);

            p.toHandle().descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }
}
