package dev.domainkeeper.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.domainkeeper.domain.RecordType;
import dev.domainkeeper.proto.domains.v1.DMARCPolicyType;
import dev.domainkeeper.proto.domains.v1.DomainsServiceGrpc;
import dev.domainkeeper.proto.domains.v1.GetDomainRequest;
import dev.domainkeeper.testing.Databases;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.LoopbackDnsServer;
import dev.domainkeeper.testing.MutableClock;
import dev.domainkeeper.testing.TestServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * GetDomain answers a repeated read from memory ({@link GetDomainCache}) and must still never be
 * older than the database: two nodes on one database, each read on one of them after a change made
 * through the other (an update, a removal, a DNS health check, an SES check), over HTTP/JSON and gRPC,
 * on both stores. And a kept answer is never given to another account.
 */
class GetDomainCacheTest {
    @TempDir
    Path dir;

    LoopbackDnsServer dns;
    MutableClock clock = new MutableClock(Instant.parse("2026-12-01T00:00:00Z"));
    TestServer a;
    TestServer b;

    static List<Databases.Kind> kinds() {
        return Databases.kinds();
    }

    /** Starts two nodes on one new database of {@code kind}, sharing the clock and the DNS server. */
    private void startTwoNodes(Databases.Kind kind) {
        dns = LoopbackDnsServer.start();
        Map<String, String> env = new HashMap<>();
        env.put("DOMAINKEEPER_BACKGROUND_WORKERS", "false");
        env.put("DOMAINKEEPER_DNS_RESOLVERS", dns.hostAndPort());
        env.put("DOMAINKEEPER_DNS_TIMEOUT_MS", "1000");
        if (kind == Databases.Kind.POSTGRES) {
            Databases.requirePostgres();
            env.put("DOMAINKEEPER_DATABASE_URL", Databases.newPostgresSchemaUrl());
            env.put("DOMAINKEEPER_DATABASE_USER", Databases.POSTGRES_USER);
        } else {
            env.put("DOMAINKEEPER_DATABASE_URL", Databases.sqliteUrl(dir));
        }
        a = TestServer.start(dir, env, x -> x.withClock(clock));
        b = TestServer.start(dir, env, x -> x.withClock(clock));
    }

    @AfterEach
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {a, b, dns}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void anUpdateOrARemovalOnOneNode_isReadOnTheOtherAtOnce(Databases.Kind kind) {
        startTwoNodes(kind);
        String key = TestServer.BOOTSTRAP_KEY;
        String id = add(a, "update.example.com", key).get("id").asText();
        JsonNode first = get(a, id, key);
        assertThat(get(a, id, key)).as("read twice, the same").isEqualTo(first);
        assertThat(first.get("dmarc_policy").asText()).isEqualTo("NONE");
        assertThat(grpcGet(a, id, key).getDmarcPolicy()).isEqualTo(DMARCPolicyType.NONE);

        HttpResponse<String> updated = b.http("PATCH", "/domains/" + id, key, "{\"dmarc_policy\":\"REJECT\"}");
        assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);

        assertThat(get(a, id, key).get("dmarc_policy").asText()).isEqualTo("REJECT");
        assertThat(grpcGet(a, id, key).getDmarcPolicy()).isEqualTo(DMARCPolicyType.REJECT);
        assertThat(get(a, id, key))
                .as("the new answer kept, the same as the other node's")
                .isEqualTo(get(b, id, key));

        assertThat(b.http("DELETE", "/domains/" + id, key, null).statusCode()).isEqualTo(200);
        assertThat(a.http("GET", "/domains/" + id, key, null).statusCode()).isEqualTo(404);
        assertThatThrownBy(() -> grpcGet(a, id, key))
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void anSesCheckOrADnsHealthCheckOnOneNode_isReadOnTheOtherAtOnce(Databases.Kind kind) {
        startTwoNodes(kind);
        String key = TestServer.BOOTSTRAP_KEY;
        JsonNode added = add(a, "checks.example.com", key);
        String id = added.get("id").asText();
        assertThat(get(a, id, key).get("verification_status").asText()).isEqualTo("PENDING");

        // The records appear in DNS; node b's background check learns from SES that the domain is
        // verified.
        dns.publishForVerification(added);
        clock.advance(Duration.ofSeconds(31));
        assertThat(b.server().verifier().runOnce()).isEqualTo(1);
        JsonNode verified = get(a, id, key);
        assertThat(verified.get("verification_status").asText()).isEqualTo("SUCCESS");
        assertThat(verified.has("dns_health"))
                .as("no health before the first check")
                .isFalse();

        // Node b's drift watch checks the records: healthy, then drifted once the DKIM record goes.
        assertThat(b.server().driftWatch().runOnce()).isEqualTo(1);
        JsonNode healthy = get(a, id, key).get("dns_health");
        assertThat(healthy.get("healthy").asBoolean()).isTrue();
        assertThat(grpcGet(a, id, key).getDnsHealth().getHealthy()).isTrue();

        dns.remove(dkimName(added), RecordType.CNAME);
        clock.advance(Duration.ofHours(7));
        assertThat(b.server().driftWatch().runOnce()).isEqualTo(1);
        JsonNode drifted = get(a, id, key).get("dns_health");
        assertThat(drifted.get("healthy").asBoolean()).isFalse();
        assertThat(drifted.get("drifted_records")).hasSize(1);
        assertThat(grpcGet(a, id, key).getDnsHealth().getHealthy()).isFalse();
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void aKeptAnswer_isNeverGivenToAnotherAccount(Databases.Kind kind) {
        startTwoNodes(kind);
        String owner = TestServer.BOOTSTRAP_KEY;
        String other = a.newAccountKey("other");
        String id = add(a, "owned.example.com", owner).get("id").asText();
        get(a, id, owner);
        get(a, id, owner);
        grpcGet(a, id, owner);

        for (int i = 0; i < 2; i++) {
            HttpResponse<String> refused = a.http("GET", "/domains/" + id, other, null);
            assertThat(refused.statusCode()).isEqualTo(404);
            assertThat(refused.body()).doesNotContain("owned.example.com");
            assertThatThrownBy(() -> grpcGet(a, id, other))
                    .isInstanceOfSatisfying(
                            StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
        }
        // The other account's own domain of the same name space is read as its own.
        String theirs = add(a, "theirs.example.com", other).get("id").asText();
        assertThat(get(a, theirs, other).get("domain").asText()).isEqualTo("theirs.example.com");
        assertThat(a.http("GET", "/domains/" + theirs, owner, null).statusCode())
                .isEqualTo(404);
        assertThat(get(a, id, owner).get("domain").asText()).isEqualTo("owned.example.com");
    }

    @Test
    void aKeptAnswerOverHttp_isTheApisAnswer_headersAndBody() {
        startTwoNodes(Databases.Kind.SQLITE);
        String key = TestServer.BOOTSTRAP_KEY;
        String id = add(a, "headers.example.com", key).get("id").asText();
        // Read over gRPC first: kept, but no JSON written yet, so the next HTTP read is the API's.
        grpcGet(a, id, key);
        HttpResponse<String> fromApi = a.http("GET", "/domains/" + id, key, null);
        HttpResponse<String> kept = a.http("GET", "/domains/" + id, key, null);
        HttpResponse<String> withQuery = a.http("GET", "/domains/" + id + "?include_dns_validation=false", key, null);

        assertThat(kept.statusCode()).isEqualTo(fromApi.statusCode()).isEqualTo(200);
        assertThat(kept.body()).isEqualTo(fromApi.body()).isEqualTo(withQuery.body());
        assertThat(withoutDate(kept)).isEqualTo(withoutDate(fromApi)).isEqualTo(withoutDate(withQuery));
        assertThat(kept.headers().firstValue("content-type")).hasValue("application/json; charset=utf-8");

        // Every way a key fails gives the API's own error, kept answer or not.
        HttpResponse<String> unknown = a.http("GET", "/domains/" + id, "dk_unknownkey00000000000000000000", null);
        assertThat(unknown.statusCode()).isEqualTo(401);
        assertThat(unknown.body()).contains("API key is unknown or revoked").doesNotContain("headers.example.com");
        HttpResponse<String> basic = a.http("GET", "/domains/" + id, null, null, Map.of("authorization", "Basic eDp5"));
        assertThat(basic.statusCode()).isEqualTo(401);
        assertThat(basic.body()).contains("Bearer <api key>");
        assertThat(a.http("GET", "/domains/" + id, null, null).statusCode()).isEqualTo(401);
    }

    private static Map<String, List<String>> withoutDate(HttpResponse<String> r) {
        Map<String, List<String>> h = new java.util.TreeMap<>(r.headers().map());
        h.remove("date");
        return h;
    }

    private static JsonNode add(TestServer node, String name, String key) {
        HttpResponse<String> r = node.http("POST", "/domains", key, "{\"domain\":\"" + name + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.parse(r.body()).get("domain");
    }

    private static JsonNode get(TestServer node, String id, String key) {
        HttpResponse<String> r = node.http("GET", "/domains/" + id, key, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.parse(r.body()).get("domain");
    }

    private static dev.domainkeeper.proto.domains.v1.Domain grpcGet(TestServer node, String id, String key) {
        return node.grpc(DomainsServiceGrpc.DomainsServiceBlockingStub.class, key)
                .getDomain(GetDomainRequest.newBuilder().setId(id).build())
                .getDomain();
    }

    private static String dkimName(JsonNode domain) {
        for (JsonNode r : domain.get("dns_records")) {
            if (r.get("purpose").asText().equals("DKIM")) {
                return r.get("name").asText();
            }
        }
        throw new AssertionError("no DKIM record");
    }
}
