package dev.domainkeeper.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.function.UnaryOperator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
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
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() {
        server = TestServer.start(dir, Map.of("DOMAINKEEPER_BACKGROUND_WORKERS", "false"), UnaryOperator.identity());
        HttpResponse<String> r = server.http("POST", "/domains", TestServer.BOOTSTRAP_KEY,
                "{\"domain\":\"fuzz-target.example.com\"}");
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
            return method + " " + path + " " + new String(body, StandardCharsets.UTF_8)
                    .substring(0, Math.min(body.length, 200));
        }
    }

    private static final List<String> BODY_FIELDS = List.of("domain", "send_enabled", "receive_enabled",
            "dmarc_enabled", "dmarc_policy", "dmarc_report_email", "spf_mode", "spf_value", "mail_from_domain",
            "region", "id", "from_email", "to_email", "type", "message_class", "dry_run", "page_size");

    /** JSON values of the wrong type or shape for most fields. */
    private static Arbitrary<String> badValues() {
        return Arbitraries.oneOf(
                Arbitraries.integers().map(String::valueOf),
                Arbitraries.just("[1,2]"), Arbitraries.just("{\"a\":1}"), Arbitraries.just("null"),
                Arbitraries.just("\"maybe\""), Arbitraries.just("1e999"), Arbitraries.just("-0.5"),
                Arbitraries.strings().ofMaxLength(40).map(s -> Json.quote("BOGUS_" + s)),
                Arbitraries.strings().withCharRange((char) 0, (char) 0x2FF).ofMinLength(1).ofMaxLength(80)
                        .map(s -> Json.quote(" " + s + " .. ")),
                Arbitraries.integers().between(254, 3000).map(n -> Json.quote("a".repeat(n) + ".com")));
    }

    /** A body that breaks at least one rule: wrong types, unknown fields or enum values, broken JSON. */
    private static Arbitrary<byte[]> badBodies() {
        Arbitrary<String> wrongTyped = Combinators.combine(Arbitraries.of(BODY_FIELDS), badValues())
                .as((f, v) -> "{\"domain\":\"ok-" + f.length() + ".example.com\",\"" + f + "\":" + v + ","
                        + "\"" + f + "_unknown_field\":1}");
        Arbitrary<String> unknownEnum = Arbitraries.of("dmarc_policy", "spf_mode", "type", "message_class")
                .map(f -> "{\"domain\":\"enum.example.com\",\"" + f + "\":\"NOT_A_VALUE\"}");
        Arbitrary<String> broken = Arbitraries.of("{", "}", "{\"domain\":", "{\"domain\":\"x.com\"", "[]", "\"str\"",
                "{\"domain\":\"x.com\",,}", "nul", "{'domain':'x.com'}", "{\"domain\":\"x.com\"}}");
        Arbitrary<byte[]> invalidUtf8 = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(64)
                .map(b -> {
                    byte[] out = new byte[b.length + 16];
                    System.arraycopy("{\"domain\":\"".getBytes(StandardCharsets.US_ASCII), 0, out, 0, 11);
                    out[11] = (byte) 0xC3; // A lead byte followed by a non-continuation byte: invalid UTF-8.
                    out[12] = (byte) 0x28;
                    System.arraycopy(b, 0, out, 13, b.length);
                    return out;
                });
        Arbitrary<byte[]> oversized = Arbitraries.integers().between(65 * 1024, 200 * 1024)
                .map(n -> ("{\"domain\":\"" + "x".repeat(n) + ".com\"}").getBytes(StandardCharsets.UTF_8));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, wrongTyped.map(s -> s.getBytes(StandardCharsets.UTF_8))),
                net.jqwik.api.Tuple.of(2, unknownEnum.map(s -> s.getBytes(StandardCharsets.UTF_8))),
                net.jqwik.api.Tuple.of(2, broken.map(s -> s.getBytes(StandardCharsets.UTF_8))),
                net.jqwik.api.Tuple.of(1, invalidUtf8),
                net.jqwik.api.Tuple.of(1, oversized));
    }

    /** Paths with a missing, malformed or unknown id, or bad query parameters. */
    private static Arbitrary<String> badIds() {
        return Arbitraries.oneOf(Arbitraries.just("%20"), Arbitraries.just("dom_unknown"),
                Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(300).map(s -> "dom_" + s),
                Arbitraries.just("..%2F..%2Fetc"), Arbitraries.just("%00"));
    }

    private static Arbitrary<Req> requests() {
        Arbitrary<Req> bodies = Combinators.combine(Arbitraries.of(
                        "POST /domains", "PATCH /domains/{id}", "POST /domains/{id}/apply-records", "POST /domains/test-email"),
                badBodies()).as((route, body) -> {
                    String[] parts = route.split(" ");
                    return new Req(parts[0], parts[1].replace("{id}", domainId), body);
                });
        Arbitrary<Req> ids = Combinators.combine(Arbitraries.of("GET /domains/{id}", "PATCH /domains/{id}",
                        "DELETE /domains/{id}", "GET /domains/{id}/dns-provider", "POST /domains/{id}/apply-records",
                        "GET /submissions/{id}", "GET /domains/{id}?include_dns_validation=maybe"), badIds())
                .as((route, id) -> {
                    String[] parts = route.split(" ");
                    return new Req(parts[0], parts[1].replace("{id}", id), parts[0].equals("GET")
                            || parts[0].equals("DELETE") ? new byte[0] : "{}".getBytes(StandardCharsets.UTF_8));
                });
        Arbitrary<Req> queries = Arbitraries.oneOf(
                Arbitraries.integers().lessOrEqual(-1).map(n -> "page_size=" + n),
                Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(30).map(s -> "page_size=" + s),
                Arbitraries.strings().ascii().ofMinLength(1).ofMaxLength(200)
                        .map(s -> "page_token=" + java.net.URLEncoder.encode(s, StandardCharsets.UTF_8)))
                .map(q -> new Req("GET", "/domains?" + q, new byte[0]));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(6, bodies), net.jqwik.api.Tuple.of(3, ids),
                net.jqwik.api.Tuple.of(1, queries));
    }

    private static String stateChecksum() {
        return server.server().database().jdbi().withHandle(h -> {
            StringBuilder sb = new StringBuilder();
            h.createQuery("SELECT * FROM domains ORDER BY id").mapToMap().forEach(row -> sb.append(row).append('\n'));
            h.createQuery("SELECT COUNT(*) FROM sandbox_identities").mapTo(Long.class).forEach(sb::append);
            for (String table : List.of("submissions", "domain_events", "accounts", "api_keys")) {
                sb.append(table).append('=').append(h.createQuery("SELECT COUNT(*) FROM " + table)
                        .mapTo(Long.class).one()).append('\n');
            }
            return com.google.common.hash.Hashing.sha256().hashString(sb, StandardCharsets.UTF_8).toString();
        });
    }

    @Test
    void tenThousandMalformedRequests_neverA5xx_alwaysAJsonErrorNamingTheInput_andNoStateChange() throws Exception {
        String before = stateChecksum();
        List<String> problems = new ArrayList<>();
        List<Req> reqs = requests().sampleStream().limit(REQUESTS).toList();

        for (Req req : reqs) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + req.path()))
                    .timeout(Duration.ofSeconds(30)).header("authorization", "Bearer " + TestServer.BOOTSTRAP_KEY)
                    .method(req.method(), req.body().length == 0 ? HttpRequest.BodyPublishers.noBody()
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

        assertThat(problems).isEmpty();
        assertThat(stateChecksum()).isEqualTo(before);
    }

    private static String check(HttpResponse<String> r) {
        if (r.statusCode() >= 500) {
            return "HTTP " + r.statusCode() + " " + r.body();
        }
        if (r.statusCode() < 400) {
            return "accepted with HTTP " + r.statusCode() + " " + r.body().substring(0, Math.min(200, r.body().length()));
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
