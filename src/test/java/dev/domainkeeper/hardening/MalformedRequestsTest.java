package dev.domainkeeper.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.domainkeeper.testing.Gen;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sends at least 10,000 generated malformed requests across every RPC over HTTP/JSON and checks that
 * none answers 5xx, every answer is a JSON error naming a field or the body, and the stored state
 * does not change.
 */
class MalformedRequestsTest {
    private static final int REQUESTS = 10_000;

    @TempDir
    static Path dir;

    static TestServer server;
    static String domainId;
    static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @BeforeAll
    static void start() {
        server = TestServer.start(dir, Map.of("DOMAINKEEPER_BACKGROUND_WORKERS", "false"), UnaryOperator.identity());
        HttpResponse<String> r =
                server.http("POST", "/domains", TestServer.BOOTSTRAP_KEY, "{\"domain\":\"fuzz-target.example.com\"}");
        domainId = Json.parse(r.body()).get("domain").get("id").asText();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** One generated request. */
    record Req(String method, String path, byte[] body) {
        @Override
        public String toString() {
            return method + " " + path + " "
                    + new String(body, StandardCharsets.UTF_8).substring(0, Math.min(body.length, 200));
        }
    }

    private static final List<String> BODY_FIELDS = List.of(
            "domain",
            "send_enabled",
            "receive_enabled",
            "dmarc_enabled",
            "dmarc_policy",
            "dmarc_report_email",
            "spf_mode",
            "spf_value",
            "mail_from_domain",
            "region",
            "id",
            "from_email",
            "to_email",
            "test_type",
            "message_class",
            "dry_run",
            "page_size");

    /** JSON values of the wrong type or shape for most fields. */
    private static String badValue(Gen gen) {
        return gen.weighted(
                1, (Supplier<String>) () -> String.valueOf(gen.between(Integer.MIN_VALUE / 2, Integer.MAX_VALUE / 2)),
                4, (Supplier<String>) () -> gen.oneOf("[1,2]", "{\"a\":1}", "null", "\"maybe\"", "1e999", "-0.5"),
                1, (Supplier<String>) () -> Json.quote("BOGUS_" + gen.chars(32, 126, 0, 40)),
                1, (Supplier<String>) () -> Json.quote(" " + gen.chars(0, 0x2FF, 1, 80) + " .. "),
                1, (Supplier<String>) () -> Json.quote("a".repeat(gen.between(254, 3000)) + ".com"));
    }

    /** A body that breaks at least one rule: wrong types, unknown fields or enum values, broken JSON. */
    private static byte[] badBody(Gen gen) {
        return gen.weighted(
                6,
                        (Supplier<byte[]>) () -> {
                            String f = gen.oneOf(BODY_FIELDS);
                            return utf8("{\"domain\":\"ok-" + f.length() + ".example.com\",\"" + f + "\":"
                                    + badValue(gen) + ",\"" + f + "_unknown_field\":1}");
                        },
                2,
                        (Supplier<byte[]>) () -> utf8("{\"domain\":\"enum.example.com\",\""
                                + gen.oneOf("dmarc_policy", "spf_mode", "test_type", "message_class")
                                + "\":\"NOT_A_VALUE\"}"),
                2,
                        (Supplier<byte[]>) () -> utf8(gen.oneOf(
                                "{",
                                "}",
                                "{\"domain\":",
                                "{\"domain\":\"x.com\"",
                                "[]",
                                "\"str\"",
                                "{\"domain\":\"x.com\",,}",
                                "nul",
                                "{'domain':'x.com'}",
                                "{\"domain\":\"x.com\"}}")),
                1,
                        (Supplier<byte[]>) () -> {
                            byte[] tail = gen.bytes(1, 64);
                            byte[] out = new byte[tail.length + 13];
                            System.arraycopy(utf8("{\"domain\":\""), 0, out, 0, 11);
                            out[11] = (byte) 0xC3; // A lead byte followed by a non-continuation byte: invalid UTF-8.
                            out[12] = (byte) 0x28;
                            System.arraycopy(tail, 0, out, 13, tail.length);
                            return out;
                        },
                1,
                        (Supplier<byte[]>) () ->
                                utf8("{\"domain\":\"" + "x".repeat(gen.between(65 * 1024, 200 * 1024)) + ".com\"}"));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A path with a missing, malformed or unknown id. */
    private static String badId(Gen gen) {
        return gen.weighted(
                4, (Supplier<String>) () -> gen.oneOf("%20", "dom_unknown", "..%2F..%2Fetc", "%00"),
                4,
                        (Supplier<String>) () -> "dom_"
                                + gen.string("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 1, 300));
    }

    private static Req request(Gen gen) {
        return gen.weighted(
                6,
                        (Supplier<Req>) () -> {
                            String[] parts = gen.oneOf(
                                            "POST /domains",
                                            "PATCH /domains/{id}",
                                            "POST /domains/{id}/apply-records",
                                            "POST /domains/test-email")
                                    .split(" ");
                            return new Req(parts[0], parts[1].replace("{id}", domainId), badBody(gen));
                        },
                3,
                        (Supplier<Req>) () -> {
                            String[] parts = gen.oneOf(
                                            "GET /domains/{id}",
                                            "PATCH /domains/{id}",
                                            "DELETE /domains/{id}",
                                            "GET /domains/{id}/dns-provider",
                                            "POST /domains/{id}/apply-records",
                                            "GET /submissions/{id}",
                                            "GET /domains/{id}?include_dns_validation=maybe",
                                            "GET /domains/{id}?include_dns_propagation=maybe")
                                    .split(" ");
                            boolean noBody = parts[0].equals("GET") || parts[0].equals("DELETE");
                            return new Req(
                                    parts[0], parts[1].replace("{id}", badId(gen)), noBody ? new byte[0] : utf8("{}"));
                        },
                1,
                        (Supplier<Req>) () -> new Req(
                                "GET",
                                "/domains?"
                                        + gen.<String>weighted(
                                                1,
                                                        (Supplier<String>)
                                                                () -> "page_size=" + gen.between(Integer.MIN_VALUE, -1),
                                                1,
                                                        (Supplier<String>) () -> "page_size="
                                                                + gen.string("abcdefghijklmnopqrstuvwxyz", 1, 30),
                                                1,
                                                        (Supplier<String>) () -> "page_token="
                                                                + java.net.URLEncoder.encode(
                                                                        gen.chars(32, 126, 1, 200),
                                                                        StandardCharsets.UTF_8)),
                                new byte[0]));
    }

    private static String stateChecksum() {
        return server.server().database().jdbi().withHandle(h -> {
            StringBuilder sb = new StringBuilder();
            h.createQuery("SELECT * FROM domains ORDER BY id")
                    .mapToMap()
                    .forEach(row -> sb.append(row).append('\n'));
            h.createQuery("SELECT COUNT(*) FROM sandbox_identities")
                    .mapTo(Long.class)
                    .forEach(sb::append);
            for (String table : List.of("submissions", "domain_events", "accounts", "api_keys")) {
                sb.append(table)
                        .append('=')
                        .append(h.createQuery("SELECT COUNT(*) FROM " + table)
                                .mapTo(Long.class)
                                .one())
                        .append('\n');
            }
            return com.google.common.hash.Hashing.sha256()
                    .hashString(sb, StandardCharsets.UTF_8)
                    .toString();
        });
    }

    @Test
    void tenThousandMalformedRequests_neverA5xx_alwaysAJsonErrorNamingTheInput_andNoStateChange() throws Exception {
        String before = stateChecksum();
        List<String> problems = new ArrayList<>();
        Gen gen = new Gen(20261127L);
        List<Req> reqs = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            reqs.add(request(gen));
        }

        for (Req req : reqs) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + req.path()))
                    .timeout(Duration.ofSeconds(30))
                    .header("authorization", "Bearer " + TestServer.BOOTSTRAP_KEY)
                    .method(
                            req.method(),
                            req.body().length == 0
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofByteArray(req.body()));
            if (req.body().length > 0) {
                b.header("content-type", "application/json");
            }
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            String problem = check(r);
            if (problem != null && problems.size() < 20) {
                problems.add(problem + " <- " + req);
            }
        }

        assertThat(problems).as("seed %s", gen.seed()).isEmpty();
        assertThat(stateChecksum()).isEqualTo(before);
    }

    private static String check(HttpResponse<String> r) {
        if (r.statusCode() >= 500) {
            return "HTTP " + r.statusCode() + " " + r.body();
        }
        if (r.statusCode() < 400) {
            return "accepted with HTTP " + r.statusCode() + " "
                    + r.body().substring(0, Math.min(200, r.body().length()));
        }
        JsonNode body;
        try {
            body = Json.parse(r.body());
        } catch (RuntimeException e) {
            return "not JSON: " + r.body();
        }
        String message = body.path("message").asText("");
        if (!message.matches("^[a-z_]+[:].*") && !message.startsWith("body")) {
            return "message names no field: " + message;
        }
        return null;
    }
}
