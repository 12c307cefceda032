package dev.domainkeeper.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.domainkeeper.server.Config;
import dev.domainkeeper.server.DomainkeeperServer;
import dev.domainkeeper.ses.ForwardingSesGateway;
import dev.domainkeeper.ses.SesGateway;
import dev.domainkeeper.testing.Databases;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.LoopbackDnsServer;
import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmarks the running platform (not a test; prints figures and ratios, never fails on timing):
 * records-published → SUCCESS staleness in the sandbox, start-to-healthy time and idle RSS of the
 * packaged service, and the SES request rate of the verifier with 10,000 pending domains.
 */
public final class PlatformBench {
    private static final String KEY = "dk_benchmarkkey000000000000000000";

    public static void main(String[] args) throws Exception {
        staleness();
        startup();
        verifierRate(args.length > 0 ? Integer.parseInt(args[0]) : 10_000, 5.0);
        System.exit(0);
    }

    private static Map<String, String> env(Path dir, LoopbackDnsServer dns) {
        Map<String, String> env = new HashMap<>();
        env.put("DOMAINKEEPER_DATABASE_URL", Databases.sqliteUrl(dir));
        env.put("DOMAINKEEPER_BOOTSTRAP_API_KEY", KEY);
        env.put("DOMAINKEEPER_DNS_RESOLVERS", dns.hostAndPort());
        return env;
    }

    /** Publishes a domain's DKIM CNAMEs and polls GetDomain until it reports SUCCESS. */
    private static void staleness() throws Exception {
        try (LoopbackDnsServer dns = LoopbackDnsServer.start()) {
            Map<String, String> env = env(Files.createTempDirectory("dk-bench"), dns);
            env.put("DOMAINKEEPER_BACKGROUND_WORKERS", "false");
            try (DomainkeeperServer server = DomainkeeperServer.start(
                    Config.fromEnvironment(env).withPort(0), DomainkeeperServer.Adapters.defaults())) {
                String base = "http://127.0.0.1:" + server.port();
                LoadDriver load = new LoadDriver();
                List<Double> seconds = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    JsonNode d = Json.parse(
                                    load.post(base + "/domains", KEY, "{\"domain\":\"stale" + i + ".example.com\"}")
                                            .body())
                            .get("domain");
                    Thread.sleep(1000L * i); // Publish at different points of the refresh window.
                    long published = System.nanoTime();
                    for (JsonNode r : d.get("dns_records")) {
                        if (r.get("purpose").asText().equals("DKIM")) {
                            dns.addCname(r.get("name").asText(), r.get("value").asText());
                        }
                    }
                    while (!Json.parse(load.get(base + "/domains/" + d.get("id").asText(), KEY)
                                    .body())
                            .get("domain")
                            .get("dkim_status")
                            .asText()
                            .equals("SUCCESS")) {
                        Thread.sleep(100);
                    }
                    seconds.add((System.nanoTime() - published) / 1e9);
                }
                Collections.sort(seconds);
                double median = seconds.get(1);
                System.out.printf(
                        Locale.ROOT,
                        "%-52s %10.2f s%n",
                        "sandbox: published -> SUCCESS, polling GetDomain (median)",
                        median);
                System.out.printf(
                        Locale.ROOT, "%-52s %12.2f%n", "sandbox: ratio staleness / 5 s refresh window", median / 5.0);
            }
        }
    }

    /** Starts the packaged service and measures start-to-healthy time and idle RSS. */
    private static void startup() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path dir = Files.createTempDirectory("dk-bench");
        ProcessBuilder pb = new ProcessBuilder("java", "-jar", "target/domainkeeper.jar", "serve")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("serve.log").toFile())
                .directory(new File("."));
        pb.environment().put("DOMAINKEEPER_PORT", Integer.toString(port));
        pb.environment().put("DOMAINKEEPER_DATABASE_URL", "jdbc:sqlite:" + dir.resolve("dk.db"));
        long start = System.nanoTime();
        Process p = pb.start();
        try {
            LoadDriver load = new LoadDriver();
            while (true) {
                try {
                    load.get("http://127.0.0.1:" + port + "/health", null);
                    break;
                } catch (Exception notYet) {
                    Thread.sleep(50);
                }
            }
            double healthy = (System.nanoTime() - start) / 1e9;
            Thread.sleep(5000);
            long rssKb = Files.readAllLines(Path.of("/proc/" + p.pid() + "/status")).stream()
                    .filter(l -> l.startsWith("VmRSS:"))
                    .map(l -> l.replaceAll("\\D", ""))
                    .mapToLong(Long::parseLong)
                    .findFirst()
                    .orElse(-1);
            System.out.printf(
                    Locale.ROOT, "%-52s %10.2f s%n", "service: start to healthy (java -jar, SQLite)", healthy);
            System.out.printf(Locale.ROOT, "%-52s %9d MiB%n", "service: idle RSS after 5 s", rssKb / 1024);
        } finally {
            p.destroy();
            p.waitFor();
        }
    }

    /** Counts the SES requests the verifier issues per second with many pending domains. */
    private static void verifierRate(int domains, double maxRps) throws Exception {
        try (LoopbackDnsServer dns = LoopbackDnsServer.start()) {
            Map<String, String> env = env(Files.createTempDirectory("dk-bench"), dns);
            env.put("DOMAINKEEPER_SES_MAX_RPS", Double.toString(maxRps));
            Map<Long, AtomicLong> perSecond = new ConcurrentHashMap<>();
            AtomicLong total = new AtomicLong();
            DomainkeeperServer.Adapters adapters = DomainkeeperServer.Adapters.defaults()
                    .withSesDecorator(real -> new CountingSes(real, perSecond, total));
            Config config = Config.fromEnvironment(env).withPort(0).withBackgroundWorkers(false);
            try (DomainkeeperServer server = DomainkeeperServer.start(config, adapters)) {
                BenchData.insertDomains(server.database().jdbi(), domains, "PENDING", true, 0);
                server.verifier().start(java.time.Duration.ofMillis(100));
                long t0 = System.nanoTime();
                Thread.sleep(15_000);
                double elapsed = (System.nanoTime() - t0) / 1e9;
                long max = perSecond.values().stream()
                        .mapToLong(AtomicLong::get)
                        .max()
                        .orElse(0);
                double avg = total.get() / elapsed;
                System.out.printf(Locale.ROOT, "%-52s %12d%n", "verifier: pending domains", domains);
                System.out.printf(Locale.ROOT, "%-52s %8.2f req/s%n", "verifier: configured SES rate", maxRps);
                System.out.printf(Locale.ROOT, "%-52s %8.2f req/s%n", "verifier: SES requests, average over 15 s", avg);
                System.out.printf(
                        Locale.ROOT, "%-52s %12d%n", "verifier: SES requests, busiest wall-clock second", max);
                System.out.printf(Locale.ROOT, "%-52s %12.2f%n", "verifier: ratio average / configured", avg / maxRps);
            }
        }
    }

    /** Counts every SES call per wall-clock second. */
    private static final class CountingSes extends ForwardingSesGateway {
        private final Map<Long, AtomicLong> perSecond;
        private final AtomicLong total;

        CountingSes(SesGateway real, Map<Long, AtomicLong> perSecond, AtomicLong total) {
            super(real);
            this.perSecond = perSecond;
            this.total = total;
        }

        @Override
        protected void beforeCall(String operation) {
            total.incrementAndGet();
            perSecond
                    .computeIfAbsent(System.currentTimeMillis() / 1000, k -> new AtomicLong())
                    .incrementAndGet();
        }
    }
}
