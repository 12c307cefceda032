package dev.domainkeeper.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import dev.domainkeeper.domain.RecordType;
import dev.domainkeeper.proto.domains.v1.DNSCheckStatus;
import dev.domainkeeper.proto.domains.v1.DNSNameServerCheck;
import dev.domainkeeper.proto.domains.v1.DNSPropagation;
import dev.domainkeeper.proto.domains.v1.DNSRecordCheck;
import dev.domainkeeper.proto.domains.v1.DomainsServiceGrpc;
import dev.domainkeeper.proto.domains.v1.GetDomainRequest;
import dev.domainkeeper.proto.domains.v1.GetDomainResponse;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.LoopbackDnsServer;
import dev.domainkeeper.testing.LoopbackNameServers;
import dev.domainkeeper.testing.TestServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * GetDomain with {@code include_dns_propagation} over HTTP/JSON and gRPC, on real DNS servers on
 * loopback: one stands for the recursive resolvers (the zone's NS records, the name servers' A
 * records), three on 127.0.0.2-4 for the zone's name servers, all asked on one port.
 */
class DnsPropagationApiTest {
    private static final String KEY = TestServer.BOOTSTRAP_KEY;
    private static final String DOMAIN = "prop.example.com";

    @RegisterExtension
    static final LoopbackNameServers zone = LoopbackNameServers.start();

    static final LoopbackDnsServer resolver = zone.resolver();
    static final List<LoopbackDnsServer> nameServers = zone.nameServers();

    @TempDir
    Path dir;

    TestServer server;

    @BeforeEach
    void delegate() {
        server = null;
        zone.delegate(DOMAIN).delegate("other.example.com");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void start(String perAccount, String deadlineMs) {
        start(perAccount, deadlineMs, true);
    }

    private void start(String perAccount, String deadlineMs, boolean allowPrivate) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("DOMAINKEEPER_DNS_RESOLVERS", resolver.hostAndPort());
        env.put("DOMAINKEEPER_DNS_AUTHORITATIVE_PORT", String.valueOf(zone.port()));
        env.put("DOMAINKEEPER_DNS_AUTHORITATIVE_ALLOW_PRIVATE", String.valueOf(allowPrivate));
        env.put("DOMAINKEEPER_DNS_TIMEOUT_MS", "60000");
        env.put("DOMAINKEEPER_DNS_CHECK_INTERVAL_MS", "0");
        env.put("DOMAINKEEPER_DNS_SNAPSHOT_DEADLINE_MS", deadlineMs);
        env.put("DOMAINKEEPER_DNS_SNAPSHOTS_PER_ACCOUNT", perAccount);
        env.put("DOMAINKEEPER_BACKGROUND_WORKERS", "false");
        server = TestServer.start(dir, env, a -> a);
    }

    private void start() {
        start("8", "5000");
    }

    private JsonNode add(String key, String name) {
        HttpResponse<String> r = server.http("POST", "/domains", key, "{\"domain\":\"" + name + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.parse(r.body()).get("domain");
    }

    /** Publishes {@code domain}'s planned records on {@code dns}, except those of the purposes given. */
    private static void publish(LoopbackDnsServer dns, JsonNode domain, String... exceptPurposes) {
        for (JsonNode r : domain.get("dns_records")) {
            if (List.of(exceptPurposes).contains(r.get("purpose").asText())) {
                continue;
            }
            String name = r.get("name").asText();
            String value = r.get("value").asText();
            switch (r.get("type").asText()) {
                case "CNAME" -> dns.addCname(name, value);
                case "MX" -> dns.addMx(name, r.get("priority").asInt(), value);
                default -> dns.add(name, RecordType.TXT, value);
            }
        }
    }

    /** Starts the server with the defaults and adds {@link #DOMAIN}, published everywhere; returns its id. */
    private String publishedDomain() {
        start();
        JsonNode domain = add(KEY, DOMAIN);
        publishEverywhere(domain);
        return domain.get("id").asText();
    }

    private static void publishEverywhere(JsonNode domain) {
        publish(resolver, domain);
        nameServers.forEach(ns -> publish(ns, domain));
    }

    private HttpResponse<String> get(String key, String id, String query) {
        return server.http("GET", "/domains/" + id + query, key, null);
    }

    private GetDomainResponse grpcGet(String key, String id, boolean validation, boolean propagation) {
        return server.grpc(DomainsServiceGrpc.DomainsServiceBlockingStub.class, key)
                .getDomain(GetDomainRequest.newBuilder()
                        .setId(id)
                        .setIncludeDnsValidation(validation)
                        .setIncludeDnsPropagation(propagation)
                        .build());
    }

    private static JsonNode checks(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.parse(r.body()).get("domain").get("dns_validation").get("records");
    }

    private static JsonNode checkOf(HttpResponse<String> r, String purpose) {
        for (JsonNode c : checks(r)) {
            if (c.get("record").get("purpose").asText().equals(purpose)) {
                return c;
            }
        }
        throw new AssertionError("no " + purpose + " check in " + r.body());
    }

    private static int authoritativeQueries() {
        return zone.nameServerQueryCount();
    }

    @Test
    void overHttpJson_aLaggingNameServer_showsTwoOfThree_thenThreeOfThree() {
        start();
        JsonNode domain = add(KEY, DOMAIN);
        String id = domain.get("id").asText();
        publish(resolver, domain);
        publish(nameServers.get(0), domain);
        publish(nameServers.get(1), domain);
        publish(nameServers.get(2), domain, "DMARC");

        HttpResponse<String> lagging = get(KEY, id, "?include_dns_validation=true&include_dns_propagation=true");

        JsonNode dmarc = checkOf(lagging, "DMARC");
        assertThat(dmarc.get("status").asText()).isEqualTo("VALID");
        JsonNode p = dmarc.get("propagation");
        assertThat(p.get("zone").asText()).isEqualTo(DOMAIN);
        assertThat(p.get("name_servers_total").asInt()).isEqualTo(3);
        assertThat(p.get("name_servers_serving").asInt()).isEqualTo(2);
        assertThat(p.get("summary").asText())
                .isEqualTo("2 of 3 name servers of prop.example.com serve the expected value");
        assertThat(p.path("error").asText())
                .as("no error: the name servers were asked")
                .isEmpty();
        JsonNode third = p.get("name_servers").get(2);
        assertThat(third.get("host").asText()).isEqualTo("ns3.example.net");
        assertThat(third.get("address").asText()).isEqualTo("127.0.0.4");
        assertThat(third.get("status").asText()).isEqualTo("MISSING");
        assertThat(third.get("message").asText()).contains("No DMARC record at _dmarc.prop.example.com");
        assertThat(p.get("name_servers").get(0).get("found_values").get(0).asText())
                .isEqualTo("v=DMARC1; p=none");
        assertThat(checkOf(lagging, "DKIM")
                        .get("propagation")
                        .get("name_servers_serving")
                        .asInt())
                .isEqualTo(3);

        publish(nameServers.get(2), domain);
        HttpResponse<String> spread = get(KEY, id, "?include_dns_validation=true&include_dns_propagation=true");

        assertThat(checkOf(spread, "DMARC").get("propagation").get("summary").asText())
                .isEqualTo("3 of 3 name servers of prop.example.com serve the expected value");
        assertThat(nameServers)
                .allSatisfy(ns -> assertThat(ns.recursionDesiredQueryCount()).isZero());
    }

    @Test
    void overHttpJson_propagationAlone_turnsTheSnapshotOn_lowerCamelCaseToo() {
        String id = publishedDomain();

        HttpResponse<String> r = get(KEY, id, "?includeDnsPropagation=true");

        assertThat(checks(r))
                .isNotEmpty()
                .allSatisfy(c -> assertThat(
                                c.get("propagation").get("name_servers_serving").asInt())
                        .isEqualTo(3));
    }

    @Test
    void withoutTheFlag_noPropagationField_andNoNameServerIsAsked() {
        String id = publishedDomain();

        HttpResponse<String> r = get(KEY, id, "?include_dns_validation=true");
        var grpc = grpcGet(KEY, id, true, false);

        assertThat(checks(r))
                .isNotEmpty()
                .allSatisfy(c -> assertThat(c.has("propagation")).isFalse());
        assertThat(grpc.getDomain().getDnsValidation().getRecordsList())
                .isNotEmpty()
                .allSatisfy(c -> assertThat(c.hasPropagation()).isFalse());
        assertThat(authoritativeQueries()).isZero();
        assertThat(resolver.queryCount(DOMAIN, RecordType.NS)).isZero();
    }

    @Test
    void overGrpc_aNameServerWithoutTheAaFlag_isAnErrorForThatServer() {
        String id = publishedDomain();
        nameServers.get(0).authoritative(false);

        var response = grpcGet(KEY, id, true, true);

        List<DNSRecordCheck> records = response.getDomain().getDnsValidation().getRecordsList();
        assertThat(records).isNotEmpty();
        for (DNSRecordCheck c : records) {
            DNSPropagation p = c.getPropagation();
            assertThat(p.getZone()).isEqualTo(DOMAIN);
            assertThat(p.getNameServersTotal()).isEqualTo(3);
            assertThat(p.getNameServersServing()).isEqualTo(2);
            DNSNameServerCheck lame = p.getNameServers(0);
            assertThat(lame.getHost()).isEqualTo("ns1.example.net");
            assertThat(lame.getStatus()).isEqualTo(DNSCheckStatus.ERROR);
            assertThat(lame.getMessage()).contains("not authoritative");
        }
    }

    @Test
    void aZoneWhoseNameServersPointIntoThePrivateNetwork_isNotAskedByDefault() {
        start("8", "5000", false);
        JsonNode domain = add(KEY, DOMAIN);
        publishEverywhere(domain);

        HttpResponse<String> r = get(KEY, domain.get("id").asText(), "?include_dns_propagation=true");

        assertThat(checks(r)).isNotEmpty().allSatisfy(c -> {
            JsonNode p = c.get("propagation");
            assertThat(p.get("name_servers_serving").asInt()).isZero();
            assertThat(p.get("name_servers").get(0).get("message").asText())
                    .contains("ns1.example.net resolves to 127.0.0.2, a loopback address");
        });
        assertThat(authoritativeQueries()).isZero();
    }

    @Test
    void anotherAccountsDomain_isNotFound_andNoNameServerIsAsked() {
        String id = publishedDomain();
        String otherKey = server.newAccountKey("other");
        resolver.resetCounters();

        HttpResponse<String> r = get(otherKey, id, "?include_dns_propagation=true");
        StatusRuntimeException e =
                catchThrowableOfType(() -> grpcGet(otherKey, id, false, true), StatusRuntimeException.class);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(404);
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(authoritativeQueries()).isZero();
        assertThat(resolver.totalQueryCount()).isZero();
    }

    @Test
    void propagation_isWithinTheAccountsBound_andTheSnapshotDeadline() {
        start("1", "3000");
        JsonNode held = add(KEY, DOMAIN);
        JsonNode second = add(KEY, "other.example.com");
        String otherKey = server.newAccountKey("other");
        JsonNode others = add(otherKey, "others.example.com");
        publishEverywhere(held);
        // Only one name server is slow: the resolvers answer at once, so only propagation holds the check.
        nameServers.get(2).delay(Duration.ofSeconds(20));

        CompletableFuture<HttpResponse<String>> first =
                CompletableFuture.supplyAsync(() -> get(KEY, held.get("id").asText(), "?include_dns_propagation=true"));
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> nameServers.get(2).totalQueryCount() > 0);
        HttpResponse<String> refused =
                first.isDone() ? null : get(KEY, second.get("id").asText(), "?include_dns_validation=true");
        HttpResponse<String> ofOther = get(otherKey, others.get("id").asText(), "?include_dns_propagation=true");

        assertThat(refused).as("the first check was still running").isNotNull();
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
        assertThat(Json.parse(refused.body()).get("grpc-code").asText()).isEqualTo("RESOURCE_EXHAUSTED");
        assertThat(refused.headers().firstValue("retry-after")).hasValue("1");
        assertThat(ofOther.statusCode()).as("another account is not held").isEqualTo(200);

        HttpResponse<String> done = first.join();
        List<String> errors = new ArrayList<>();
        for (JsonNode c : checks(done)) {
            assertThat(c.get("status").asText())
                    .as("the resolvers' check is kept")
                    .isEqualTo("VALID");
            errors.add(c.get("propagation").path("error").asText());
        }
        assertThat(errors).allSatisfy(e -> assertThat(e).contains("ran out of time (limit: 3000 ms"));
        assertThat(get(KEY, second.get("id").asText(), "?include_dns_validation=true")
                        .statusCode())
                .as("the bound is free again")
                .isEqualTo(200);
    }
}
