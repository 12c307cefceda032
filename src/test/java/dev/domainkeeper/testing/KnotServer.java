package dev.domainkeeper.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a real authoritative server, Knot DNS ({@code knotd} from Debian's {@code knot} package), on a
 * loopback port for one zone that accepts RFC 2136 updates signed with a TSIG key. Tests that need
 * it are skipped with a message when {@code knotd} is not installed, and fail under CI (where
 * {@code .ci/run} installs it).
 */
public final class KnotServer implements AutoCloseable {
    /** The TSIG key's name. */
    public static final String KEY_NAME = "domainkeeper";
    /** The TSIG algorithm. */
    public static final String ALGORITHM = "hmac-sha256";
    /** The TSIG secret (base64 of 32 bytes). */
    public static final String SECRET = "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=";

    private static final Path KNOTD = Path.of("/usr/sbin/knotd");

    private final Process process;
    private final int port;

    private KnotServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Skips (or, under CI, fails) the calling test when knotd is not installed. */
    public static void requireKnot() {
        boolean present = Files.isExecutable(KNOTD);
        if (!present && System.getenv("CI") != null) {
            throw new AssertionError("Knot DNS (knotd) is required under CI but " + KNOTD + " is missing");
        }
        assumeTrue(
                present,
                "Knot DNS is not installed (" + KNOTD + "); install it with `apt-get install knot` to run the"
                        + " RFC 2136 tests against a real server");
    }

    /**
     * Starts knotd in {@code dir} serving {@code zone}: SOA, NS {@code ns1.<zone>} and the zone file
     * lines given (relative names, e.g. {@code "@ IN TXT \"v=spf1 -all\""}).
     */
    public static KnotServer start(Path dir, String zone, List<String> lines) {
        requireKnot();
        try {
            int port = freePort();
            Files.createDirectories(dir.resolve("db"));
            StringBuilder zoneFile = new StringBuilder()
                    .append("$TTL 300\n")
                    .append("@ IN SOA ns1.")
                    .append(zone)
                    .append(". hostmaster.")
                    .append(zone)
                    .append(". 1 3600 600 86400 300\n")
                    .append("@ IN NS ns1.")
                    .append(zone)
                    .append(".\n")
                    .append("ns1 IN A 127.0.0.1\n");
            lines.forEach(l -> zoneFile.append(l).append('\n'));
            Files.writeString(dir.resolve(zone + ".zone"), zoneFile);
            Files.writeString(dir.resolve("knot.conf"), """
                    server:
                        listen: 127.0.0.1@%d
                        rundir: %s
                    log:
                      - target: stderr
                        any: info
                    database:
                        storage: %s
                    key:
                      - id: %s
                        algorithm: %s
                        secret: %s
                    acl:
                      - id: update
                        key: %s
                        action: update
                    zone:
                      - domain: %s
                        storage: %s
                        file: %s.zone
                        acl: update
                        zonefile-sync: -1
                    """.formatted(
                            port, dir, dir.resolve("db"), KEY_NAME, ALGORITHM, SECRET, KEY_NAME, zone, dir, zone));
            Process p = new ProcessBuilder(
                            KNOTD.toString(), "-c", dir.resolve("knot.conf").toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("knot.log").toFile())
                    .start();
            KnotServer server = new KnotServer(p, port);
            server.awaitListening(dir);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Returns {@code 127.0.0.1:<port>}. */
    public String hostAndPort() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    private void awaitListening(Path dir) throws IOException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("knotd exited: " + Files.readString(dir.resolve("knot.log")));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(ie);
                }
            }
        }
        throw new IllegalStateException(
                "knotd did not listen within 30 s: " + Files.readString(dir.resolve("knot.log")));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
