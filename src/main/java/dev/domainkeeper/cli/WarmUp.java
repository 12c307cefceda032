package dev.domainkeeper.cli;

import dev.domainkeeper.server.Config;
import dev.domainkeeper.server.DomainkeeperServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine.Command;

/**
 * Starts the service on a throwaway SQLite database in a temporary directory (loopback, a free port,
 * the sandbox SES backend, no background jobs, DNS lookups refused at once), makes the calls most
 * requests make (health, AddDomain, GetDomain and ListDomains over HTTP/JSON) and stops it. The launcher runs it once per build with {@code -XX:ArchiveClassesAtExit}, so the classes that
 * start-up and the common requests load are written to a class-data archive that later starts map
 * instead of loading them again. It reads no setting and touches nothing of a real installation.
 */
@Command(
        name = "warm-up",
        hidden = true,
        description = "Start and stop the service on a throwaway database (used to write the class-data archive).")
final class WarmUp implements Callable<Integer> {
    private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");

    @Override
    public Integer call() throws IOException {
        Path dir = Files.createTempDirectory("domainkeeper-warm-up");
        String key = "dk_warmup" + UUID.randomUUID().toString().replace("-", "");
        Map<String, String> env = Map.of(
                "DOMAINKEEPER_PORT", "0",
                "DOMAINKEEPER_DATABASE_URL", "jdbc:sqlite:" + dir.resolve("warm-up.db"),
                "DOMAINKEEPER_BOOTSTRAP_API_KEY", key,
                "DOMAINKEEPER_BACKGROUND_WORKERS", "false",
                // A closed port on loopback: lookups fail at once, and nothing leaves the machine.
                "DOMAINKEEPER_DNS_RESOLVERS", "127.0.0.1:9");
        try (DomainkeeperServer server =
                DomainkeeperServer.start(Config.fromEnvironment(env), DomainkeeperServer.Adapters.defaults())) {
            exercise(server.port(), "Bearer " + key);
        } finally {
            deleteTree(dir);
        }
        return 0;
    }

    private static void exercise(int port, String auth) throws IOException {
        call(port, "GET", "/health", null, null);
        String added = call(port, "POST", "/domains", auth, "{\"domain\":\"warm-up.example.com\"}");
        Matcher m = ID.matcher(added);
        if (!m.find()) {
            throw new IllegalStateException("warm-up: AddDomain answered: " + added);
        }
        call(port, "GET", "/domains/" + m.group(1), auth, null);
        call(port, "GET", "/domains?page_size=50", auth, null);
    }

    /**
     * Sends one HTTP/1.1 request on a connection of its own and returns the whole answer. A socket
     * rather than an HTTP client: a client's classes would be written to the archive too, and every
     * later start would map them for nothing.
     */
    private static String call(int port, String method, String path, String auth, String json) throws IOException {
        byte[] body = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder()
                .append(method)
                .append(' ')
                .append(path)
                .append(" HTTP/1.1\r\n")
                .append("host: 127.0.0.1\r\nconnection: close\r\n");
        if (auth != null) {
            head.append("authorization: ").append(auth).append("\r\n");
        }
        if (json != null) {
            head.append("content-type: application/json\r\ncontent-length: ")
                    .append(body.length)
                    .append("\r\n");
        }
        head.append("\r\n");
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + dir, e);
        }
    }
}
