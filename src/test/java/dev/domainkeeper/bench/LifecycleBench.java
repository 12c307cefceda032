package dev.domainkeeper.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.domainkeeper.server.Config;
import dev.domainkeeper.server.DomainkeeperServer;
import dev.domainkeeper.testing.Databases;
import dev.domainkeeper.testing.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/**
 * Benchmarks the domain lifecycle (not a test; prints figures and ratios, never fails on timing):
 * ListDomains first page vs a page near the end with 100,000 domains in one account, on SQLite and
 * on PostgreSQL, and GetDomain vs /health throughput on the same running server.
 *
 * <p>Run with {@code bench/run.sh} (or {@code bench/run.sh 20000} for fewer domains).
 */
public final class LifecycleBench {
    private static final String KEY = "dk_benchmarkkey000000000000000000";

    public static void main(String[] args) throws Exception {
        int domains = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        System.out.printf("%-44s %12s%n", "figure", "value");
        run("sqlite", domains);
        if (postgresAvailable()) {
            run("postgres", domains);
        } else {
            System.out.println("PostgreSQL not answering at 127.0.0.1:5432; skipped its figures");
        }
        System.exit(0);
    }

    private static boolean postgresAvailable() {
        try {
            Databases.requirePostgres();
            return true;
        } catch (Throwable t) {
            return false;
        }
    }

    private static void run(String store, int domains) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("DOMAINKEEPER_BOOTSTRAP_API_KEY", KEY);
        env.put("DOMAINKEEPER_BACKGROUND_WORKERS", "false");
        if (store.equals("sqlite")) {
            Path dir = Files.createTempDirectory("dk-bench");
            env.put("DOMAINKEEPER_DATABASE_URL", Databases.sqliteUrl(dir));
        } else {
            String schema = Databases.freshSchema();
            env.put("DOMAINKEEPER_DATABASE_URL", Databases.POSTGRES_URL + "?currentSchema=" + schema);
            env.put("DOMAINKEEPER_DATABASE_USER", Databases.POSTGRES_USER);
            Jdbi.create(() ->
                            java.sql.DriverManager.getConnection(Databases.POSTGRES_URL, Databases.POSTGRES_USER, null))
                    .useHandle(h -> h.execute("CREATE SCHEMA " + schema));
        }
        try (DomainkeeperServer server = DomainkeeperServer.start(
                Config.fromEnvironment(env).withPort(0), DomainkeeperServer.Adapters.defaults())) {
            String base = "http://127.0.0.1:" + server.port();
            LoadDriver load = new LoadDriver();
            String firstId = Json.parse(
                            load.get(base + "/domains?page_size=1", KEY).body())
                    .path("domains")
                    .path(0)
                    .path("id")
                    .asText("");
            if (firstId.isEmpty()) {
                BenchData.insertDomains(
                        server.database().jdbi(), domains, "SUCCESS", false, System.currentTimeMillis() + 86_400_000L);
                if (server.database().isPostgres()) {
                    // What autovacuum does shortly after a bulk load; without statistics the planner misjudges
                    // the first page (it expects 8 rows, not 100,000).
                    server.database().jdbi().useHandle(h -> h.execute("ANALYZE domains"));
                }
            }
            // Walk to the last full page to get a deep token.
            String token = "";
            String deepToken = "";
            int pages = 0;
            do {
                JsonNode page = Json.parse(load.get(base + "/domains?page_size=100&page_token=" + token, KEY)
                        .body());
                if (!page.get("next_page_token").asText().isEmpty()) {
                    deepToken = token;
                }
                token = page.get("next_page_token").asText();
                pages++;
            } while (!token.isEmpty());
            String someId = Json.parse(
                            load.get(base + "/domains?page_size=1", KEY).body())
                    .get("domains")
                    .get(0)
                    .get("id")
                    .asText();

            double[] medians = load.medianMillisAlternating(
                    base + "/domains?page_size=50", base + "/domains?page_size=50&page_token=" + deepToken, KEY, 300);
            double first = medians[0];
            double deep = medians[1];
            double get = load.throughput(base + "/domains/" + someId, KEY, 8, 5);
            double health = load.throughput(base + "/health", null, 8, 5);
            System.out.printf("%-44s %12d%n", store + ": domains in the account", domains);
            System.out.printf("%-44s %12d%n", store + ": pages walked (page_size 100)", pages);
            System.out.printf("%-44s %10.2f ms%n", store + ": ListDomains first page (median)", first);
            System.out.printf("%-44s %10.2f ms%n", store + ": ListDomains deep page (median)", deep);
            System.out.printf("%-44s %12.2f%n", store + ": ratio deep / first", deep / first);
            System.out.printf("%-44s %8.0f req/s%n", store + ": GetDomain throughput (8 clients)", get);
            System.out.printf("%-44s %8.0f req/s%n", store + ": /health throughput (8 clients)", health);
            System.out.printf("%-44s %12.2f%n", store + ": ratio GetDomain / health", get / health);
        }
    }
}
