package dev.domainkeeper.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.domainkeeper.accounts.AccountService;
import dev.domainkeeper.domain.RecordType;
import dev.domainkeeper.store.AccountStore;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.LoopbackDnsServer;
import dev.domainkeeper.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plays a slow SPF include chain through GetDomain: the snapshot ends at its overall deadline with
 * the unchecked record in ERROR, and one account cannot run more snapshots at once than its bound.
 */
class DnsSnapshotBoundsTest {
    @TempDir
    Path dir;

    LoopbackDnsServer dns;
    TestServer server;

    void start(String deadlineMs, String perAccount) {
        dns = LoopbackDnsServer.start();
        server = TestServer.start(
                dir,
                Map.of(
                        "DOMAINKEEPER_DNS_RESOLVERS",
                        dns.hostAndPort(),
                        "DOMAINKEEPER_BACKGROUND_WORKERS",
                        "false",
                        // One lookup may take a minute; only the snapshot's deadline ends the check sooner.
                        "DOMAINKEEPER_DNS_TIMEOUT_MS",
                        "60000",
                        "DOMAINKEEPER_DNS_SNAPSHOT_DEADLINE_MS",
                        deadlineMs,
                        "DOMAINKEEPER_DNS_SNAPSHOTS_PER_ACCOUNT",
                        perAccount),
                a -> a);
    }

    @BeforeEach
    void noServerYet() {
        dns = null;
        server = null;
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (dns != null) {
            dns.close();
        }
    }

    private String add(String key, String name) {
        HttpResponse<String> r = server.http("POST", "/domains", key, "{\"domain\":\"" + name + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.parse(r.body()).get("domain").get("id").asText();
    }

    private HttpResponse<String> check(String key, String id) {
        return server.http("GET", "/domains/" + id + "?include_dns_validation=true", key, null);
    }

    private static JsonNode spfCheck(HttpResponse<String> r) {
        for (JsonNode c :
                Json.parse(r.body()).get("domain").get("dns_validation").get("records")) {
            if (c.get("record").get("purpose").asText().equals("SPF")) {
                return c;
            }
        }
        throw new AssertionError("no SPF check in " + r.body());
    }

    /** Publishes at {@code name} an SPF record whose chain of 40 includes answers 20 s late per hop. */
    private void slowSpfChain(String name) {
        dns.addTxt(name, "v=spf1 include:hop1." + name + " ~all");
        for (int i = 1; i <= 40; i++) {
            String hop = "hop" + i + "." + name;
            dns.addTxt(hop, "v=spf1 include:hop" + (i + 1) + "." + name + " ~all");
            dns.delay(hop, Duration.ofSeconds(20));
        }
    }

    @Test
    void snapshot_ofASlowSpfChain_endsAtTheDeadline_withTheSpfRecordInError() {
        start("1000", "8");
        String id = add(TestServer.BOOTSTRAP_KEY, "slow.example.com");
        slowSpfChain("slow.example.com");
        JsonNode before = Json.parse(server.http("GET", "/domains/" + id, TestServer.BOOTSTRAP_KEY, null)
                        .body())
                .get("domain");

        HttpResponse<String> r = check(TestServer.BOOTSTRAP_KEY, id);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode spf = spfCheck(r);
        assertThat(spf.get("status").asText()).isEqualTo("ERROR");
        assertThat(spf.get("message").asText()).contains("ran out of time").contains("TXT at slow.example.com");
        assertThat(dns.queryCount("hop2.slow.example.com"))
                .as("no hop after the deadline is asked")
                .isZero();
        JsonNode after = Json.parse(r.body()).get("domain");
        assertThat(after.get("spf_mode")).isEqualTo(before.get("spf_mode"));
        assertThat(after.get("dns_records")).isEqualTo(before.get("dns_records"));
    }

    @Test
    void snapshotsBeyondTheAccountsBound_areRefusedWithARetryHint_andAnotherAccountIsNotHeld() {
        // The deadline leaves the first check running well past the second request.
        start("15000", "1");
        String held = add(TestServer.BOOTSTRAP_KEY, "held.example.com");
        String second = add(TestServer.BOOTSTRAP_KEY, "second.example.com");
        AccountService.NewKey other = new AccountService(
                        new AccountStore(server.server().database().jdbi()), Clock.systemUTC())
                .createAccount("other");
        String others = add(other.key(), "others.example.com");
        // The first check waits for its apex SPF record until the deadline.
        dns.addTxt("held.example.com", "v=spf1 include:amazonses.com ~all");
        dns.delay("held.example.com", Duration.ofSeconds(20));

        CompletableFuture<HttpResponse<String>> first =
                CompletableFuture.supplyAsync(() -> check(TestServer.BOOTSTRAP_KEY, held));
        Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .until(() -> dns.queryCount("held.example.com", RecordType.TXT) > 0);
        int queries = dns.totalQueryCount();
        HttpResponse<String> refused = first.isDone() ? null : check(TestServer.BOOTSTRAP_KEY, second);
        HttpResponse<String> ofOther = check(other.key(), others);

        assertThat(refused).as("the first check was still running").isNotNull();
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
        JsonNode error = Json.parse(refused.body());
        assertThat(error.get("grpc-code").asText()).isEqualTo("RESOURCE_EXHAUSTED");
        assertThat(error.get("message").asText())
                .startsWith("dns_validation: the account already has 1 DNS checks running (limit: 1 at a time)");
        assertThat(refused.headers().firstValue("retry-after")).hasValue("1");
        assertThat(dns.queryCount("second.example.com"))
                .as("the refused check looked nothing up")
                .isZero();
        assertThat(ofOther.statusCode()).as(ofOther.body()).isEqualTo(200);
        assertThat(dns.totalQueryCount()).isGreaterThan(queries);

        HttpResponse<String> firstDone = first.join();
        assertThat(firstDone.statusCode()).as(firstDone.body()).isEqualTo(200);
        assertThat(spfCheck(firstDone).get("message").asText()).contains("ran out of time");
        HttpResponse<String> afterwards = check(TestServer.BOOTSTRAP_KEY, second);
        assertThat(afterwards.statusCode()).as("the bound is free again").isEqualTo(200);
    }
}
