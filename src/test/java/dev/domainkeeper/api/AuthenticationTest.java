package dev.domainkeeper.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.domainkeeper.accounts.AccountService;
import dev.domainkeeper.proto.domains.v1.DomainsServiceGrpc;
import dev.domainkeeper.proto.domains.v1.ListDomainsRequest;
import dev.domainkeeper.store.AccountStore;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.Processes;
import dev.domainkeeper.testing.TestServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AuthenticationTest {
    @TempDir
    static Path dir;

    static TestServer server;
    static AccountService accounts;

    @BeforeAll
    static void start() {
        server = TestServer.start(dir);
        accounts =
                new AccountService(new AccountStore(server.server().database().jdbi()), Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Status.Code grpcCode(String key, boolean web) {
        try {
            server.grpc(DomainsServiceGrpc.DomainsServiceBlockingStub.class, key, web)
                    .listDomains(ListDomainsRequest.getDefaultInstance());
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void grpc_missingUnknownOrRevokedKey_isUnauthenticated(boolean web) {
        AccountService.NewKey revoked = accounts.createAccount("revoked-" + web);
        accounts.revoke(revoked.prefix());

        assertThat(grpcCode(null, web)).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(grpcCode("dk_unknownunknownunknownunknownunkn", web)).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(grpcCode(revoked.key(), web)).isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void grpc_validKey_reachesTheRpc(boolean web) {
        AccountService.NewKey key = accounts.createAccount("valid-" + web);

        assertThat(grpcCode(key.key(), web))
                .isNotEqualTo(Status.Code.UNAUTHENTICATED)
                .isNotEqualTo(Status.Code.INTERNAL);
    }

    @Test
    void http_missingKey_is401WithMessage() {
        HttpResponse<String> r = server.http("GET", "/domains", null, null);

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("UNAUTHENTICATED").contains("missing API key");
    }

    @Test
    void http_nonBearerAuthorizationHeader_is401NamingTheScheme() throws Exception {
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.baseUrl() + "/domains"))
                .header("authorization", "Basic " + TestServer.BOOTSTRAP_KEY)
                .GET()
                .build();

        HttpResponse<String> r = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .build()
                .send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("Bearer <api key>").doesNotContain(TestServer.BOOTSTRAP_KEY);
    }

    @Test
    void http_unknownAndRevokedKeys_are401() {
        AccountService.NewKey key = accounts.createAccount("http-revoked");
        assertThat(server.http("GET", "/domains", key.key(), null).statusCode()).isNotEqualTo(401);

        // Revoked by another AccountService, as the CLI or another node does: the server may trust the key
        // it checked a moment ago for KEY_CACHE_STALENESS, and must refuse it after that.
        accounts.revoke(key.prefix());

        await().atMost(AccountService.KEY_CACHE_STALENESS.plusSeconds(8))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> server.http("GET", "/domains", key.key(), null).statusCode() == 401);
        assertThat(server.http("GET", "/domains", key.key(), null).statusCode())
                .as("and stays refused")
                .isEqualTo(401);
        assertThat(server.http("GET", "/domains", "dk_nope", null).statusCode()).isEqualTo(401);
    }

    @Test
    void http_keyRevokedThroughTheCli_isRefusedByTheRunningServiceWithinTheStalenessBound() {
        AccountService.NewKey key = accounts.createAccount("cli-revoked");
        assertThat(server.http("GET", "/domains", key.key(), null).statusCode()).isEqualTo(200);
        assertThat(server.http("GET", "/domains", key.key(), null).statusCode())
                .as("served from the cache")
                .isEqualTo(200);
        // A domain read often enough that its answer is kept and given in front of the API.
        String domain = Json.parse(server.http("POST", "/domains", key.key(), "{\"domain\":\"revoked.example.com\"}")
                        .body())
                .get("domain")
                .get("id")
                .asText();
        for (int i = 0; i < 3; i++) {
            assertThat(server.http("GET", "/domains/" + domain, key.key(), null).statusCode())
                    .isEqualTo(200);
        }

        Processes.Result revoke = Processes.runMain(
                Map.of(
                        "DOMAINKEEPER_DATABASE_URL",
                        server.server().config().database().url()),
                dir,
                "api-keys",
                "revoke",
                key.prefix());
        assertThat(revoke.exitCode()).as(revoke.stderr()).isZero();

        await().atMost(AccountService.KEY_CACHE_STALENESS.plusSeconds(8))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> server.http("GET", "/domains", key.key(), null).statusCode() == 401);
        HttpResponse<String> kept = server.http("GET", "/domains/" + domain, key.key(), null);
        assertThat(kept.statusCode()).as("the kept answer too").isEqualTo(401);
        assertThat(kept.body()).contains("API key is unknown or revoked").doesNotContain("revoked.example.com");
    }

    @Test
    void healthDocsAndMetrics_needNoKey_andMetricsCountRpcs() {
        server.http("GET", "/domains", TestServer.BOOTSTRAP_KEY, null);

        assertThat(server.http("GET", "/health", null, null).statusCode()).isEqualTo(200);
        HttpResponse<String> spec = server.http("GET", "/docs/specification.json", null, null);
        assertThat(spec.statusCode()).isEqualTo(200);
        assertThat(spec.body()).contains("domains.v1.DomainsService").contains("submissions.v1.SubmissionsService");
        HttpResponse<String> metrics = server.http("GET", "/metrics", null, null);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("rpc_requests_total").contains("method=\"ListDomains\"");
    }
}
