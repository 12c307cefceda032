package dev.domainkeeper.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the packaged service ({@code java -jar target/domainkeeper.jar serve}, as built by
 * {@code mvn package}) in a child JVM on a free loopback port, and talks HTTP/JSON to it with the
 * bootstrap API key. The child is the JVM itself, not a wrapper shell, so {@link #kill()} is a real
 * SIGKILL of the service. For failsafe integration tests, which run after the jar is built.
 */
public final class ServiceProcess implements AutoCloseable {
    private static final Path JAR = Path.of("target", "domainkeeper.jar");
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final Process process;
    private final int port;
    private final String key;
    private final Path log;

    private ServiceProcess(Process process, int port, String key, Path log) {
        this.process = process;
        this.port = port;
        this.key = key;
        this.log = log;
    }

    /**
     * Starts the service with {@code env} (which must hold DOMAINKEEPER_BOOTSTRAP_API_KEY) on a free
     * port, its output going to {@code log}, and waits until {@code /health} answers 200.
     */
    public static ServiceProcess start(Map<String, String> env, Path log) {
        assertThat(JAR)
                .as("the packaged jar (run through failsafe, after mvn package)")
                .exists();
        String key = env.get("DOMAINKEEPER_BOOTSTRAP_API_KEY");
        assertThat(key).as("DOMAINKEEPER_BOOTSTRAP_API_KEY").isNotBlank();
        int port = freePort();
        ProcessBuilder pb = new ProcessBuilder(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx384m",
                        "-jar",
                        JAR.toString(),
                        "serve"))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().keySet().removeIf(k -> k.startsWith("DOMAINKEEPER_") || k.startsWith("AWS_"));
        pb.environment().putAll(env);
        pb.environment().put("DOMAINKEEPER_PORT", Integer.toString(port));
        Process process;
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + pb.command(), e);
        }
        ServiceProcess service = new ServiceProcess(process, port, key, log);
        try {
            await("the service on port " + port + " answering /health (log: " + log + ")")
                    .atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions()
                    .failFast(
                            "the service process exited",
                            () -> assertThat(process.isAlive())
                                    .as(() -> "exit code " + process.exitValue() + ", output: " + output(log))
                                    .isTrue())
                    .until(() -> service.call("GET", "/health", null).statusCode() == 200);
        } catch (RuntimeException | AssertionError e) {
            process.destroyForcibly();
            throw e;
        }
        return service;
    }

    /** Returns the port the service listens on. */
    public int port() {
        return port;
    }

    /** Returns the file the service's output goes to. */
    public Path log() {
        return log;
    }

    /** Sends one HTTP/JSON request with the bootstrap key; {@code body} null sends none. */
    public HttpResponse<String> call(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("authorization", "Bearer " + key)
                .header("content-type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Kills the service with SIGKILL (no shutdown hook runs) and waits until it is gone. */
    public void kill() {
        process.destroyForcibly();
        waitFor();
    }

    /** Stops the service with SIGTERM (graceful shutdown), or SIGKILL when that takes over 30 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        waitFor();
    }

    private void waitFor() {
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the service to stop", e);
        }
    }

    private static String output(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
