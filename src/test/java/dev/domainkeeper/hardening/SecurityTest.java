package dev.domainkeeper.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.domainkeeper.accounts.AccountService;
import dev.domainkeeper.proto.domains.v1.AddDomainRequest;
import dev.domainkeeper.proto.domains.v1.ApplyDomainRecordsRequest;
import dev.domainkeeper.proto.domains.v1.CheckDNSProviderRequest;
import dev.domainkeeper.proto.domains.v1.DomainsServiceGrpc;
import dev.domainkeeper.proto.domains.v1.GetDomainRequest;
import dev.domainkeeper.proto.domains.v1.ListDomainsRequest;
import dev.domainkeeper.proto.domains.v1.RemoveDomainRequest;
import dev.domainkeeper.proto.domains.v1.SendTestEmailRequest;
import dev.domainkeeper.proto.domains.v1.UpdateDomainRequest;
import dev.domainkeeper.proto.submissions.v1.GetSubmissionRequest;
import dev.domainkeeper.proto.submissions.v1.SubmissionsServiceGrpc;
import dev.domainkeeper.store.AccountStore;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.TestServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Checks authentication and tenancy on every RPC and protocol, and that keys never reach logs or errors. */
class SecurityTest {
    @TempDir
    static Path dir;

    static TestServer server;
    static AccountService accounts;
    static AccountService.NewKey alice;
    static AccountService.NewKey bob;
    static AccountService.NewKey revoked;
    static String aliceDomain;
    static final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeAll
    static void start() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        logs.start();
        root.addAppender(logs);
        server = TestServer.start(dir, Map.of("DOMAINKEEPER_BACKGROUND_WORKERS", "false"), UnaryOperator.identity());
        accounts =
                new AccountService(new AccountStore(server.server().database().jdbi()), Clock.systemUTC());
        alice = accounts.createAccount("alice");
        bob = accounts.createAccount("bob");
        revoked = accounts.createAccount("mallory");
        accounts.revoke(revoked.prefix());
        aliceDomain = Json.parse(server.http("POST", "/domains", alice.key(), "{\"domain\":\"alice.example.com\"}")
                        .body())
                .get("domain")
                .get("id")
                .asText();
    }

    @AfterAll
    static void stop() {
        server.close();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    }

    /** Every RPC as an HTTP request: method, path, body. */
    private static List<String[]> httpRoutes(String id) {
        return List.of(
                new String[] {"POST", "/domains", "{\"domain\":\"new.example.com\"}"},
                new String[] {"GET", "/domains", null},
                new String[] {"GET", "/domains/" + id + "?include_dns_validation=true", null},
                new String[] {"PATCH", "/domains/" + id, "{\"send_enabled\":false}"},
                new String[] {"DELETE", "/domains/" + id, null},
                new String[] {"GET", "/domains/" + id + "/dns-provider", null},
                new String[] {"POST", "/domains/" + id + "/apply-records", "{\"dry_run\":true}"},
                new String[] {"POST", "/domains/test-email", "{\"id\":\"" + id + "\"}"},
                new String[] {"GET", "/submissions/sub_whatever", null});
    }

    /** Every RPC as a gRPC call. */
    private static List<Consumer<String>> grpcCalls(String id, boolean web) {
        return List.of(
                key -> domains(key, web)
                        .addDomain(AddDomainRequest.newBuilder()
                                .setDomain("new.example.com")
                                .build()),
                key -> domains(key, web).listDomains(ListDomainsRequest.getDefaultInstance()),
                key -> domains(key, web)
                        .getDomain(GetDomainRequest.newBuilder().setId(id).build()),
                key -> domains(key, web)
                        .updateDomain(UpdateDomainRequest.newBuilder()
                                .setId(id)
                                .setSendEnabled(false)
                                .build()),
                key -> domains(key, web)
                        .removeDomain(RemoveDomainRequest.newBuilder().setId(id).build()),
                key -> domains(key, web)
                        .checkDNSProvider(
                                CheckDNSProviderRequest.newBuilder().setId(id).build()),
                key -> domains(key, web)
                        .applyDomainRecords(ApplyDomainRecordsRequest.newBuilder()
                                .setId(id)
                                .setDryRun(true)
                                .build()),
                key -> domains(key, web)
                        .sendTestEmail(
                                SendTestEmailRequest.newBuilder().setId(id).build()),
                key -> server.grpc(SubmissionsServiceGrpc.SubmissionsServiceBlockingStub.class, key, web)
                        .getSubmission(GetSubmissionRequest.newBuilder()
                                .setId("sub_whatever")
                                .build()));
    }

    private static DomainsServiceGrpc.DomainsServiceBlockingStub domains(String key, boolean web) {
        return server.grpc(DomainsServiceGrpc.DomainsServiceBlockingStub.class, key, web);
    }

    private static Status.Code code(Runnable call) {
        try {
            call.run();
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }

    @Test
    void everyRpc_onEveryProtocol_refusesMissingUnknownAndRevokedKeys() {
        for (String key : new String[] {null, "dk_notakeyatallnotakeyatallnotakey", revoked.key()}) {
            for (String[] r : httpRoutes(aliceDomain)) {
                HttpResponse<String> res = server.http(r[0], r[1], key, r[2]);
                assertThat(res.statusCode()).as(r[0] + " " + r[1]).isEqualTo(401);
                assertThat(Json.parse(res.body()).get("grpc-code").asText()).isEqualTo("UNAUTHENTICATED");
            }
            for (boolean web : new boolean[] {false, true}) {
                for (Consumer<String> call : grpcCalls(aliceDomain, web)) {
                    assertThat(code(() -> call.accept(key))).isEqualTo(Status.Code.UNAUTHENTICATED);
                }
            }
        }
        assertThat(server.http("GET", "/domains/" + aliceDomain, alice.key(), null)
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void anotherAccountsDomainId_isNotFound_onEveryRpcThatTakesOne_andChangesNothing() {
        String before =
                server.http("GET", "/domains/" + aliceDomain, alice.key(), null).body();
        for (String[] r : httpRoutes(aliceDomain)) {
            if (!r[1].contains(aliceDomain)) {
                continue;
            }
            HttpResponse<String> res = server.http(r[0], r[1], bob.key(), r[2]);
            assertThat(res.statusCode())
                    .as(r[0] + " " + r[1] + " " + res.body())
                    .isEqualTo(404);
            assertThat(res.body()).doesNotContain("alice.example.com");
        }
        for (Consumer<String> call : grpcCalls(aliceDomain, false).subList(2, 8)) {
            assertThat(code(() -> call.accept(bob.key()))).isEqualTo(Status.Code.NOT_FOUND);
        }
        String after =
                server.http("GET", "/domains/" + aliceDomain, alice.key(), null).body();
        assertThat(Json.parse(after).get("domain").get("send_enabled").asBoolean())
                .isTrue();
        assertThat(Json.parse(after).get("domain").get("id"))
                .isEqualTo(Json.parse(before).get("domain").get("id"));
        assertThat(Json.parse(server.http("GET", "/domains", bob.key(), null).body())
                        .get("domains"))
                .isEmpty();
    }

    @Test
    void anotherAccountsPageToken_isInvalidArgument() {
        for (int i = 0; i < 2; i++) {
            server.http("POST", "/domains", alice.key(), "{\"domain\":\"page" + i + ".alice.example.com\"}");
        }
        String token = Json.parse(server.http("GET", "/domains?page_size=1", alice.key(), null)
                        .body())
                .get("next_page_token")
                .asText();
        assertThat(token).isNotEmpty();

        HttpResponse<String> r = server.http("GET", "/domains?page_token=" + token, bob.key(), null);

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("page_token").doesNotContain("alice");
    }

    @Test
    void apiKeys_neverAppearInLogsOrErrorMessages() {
        List<String> bodies = new ArrayList<>();
        for (String key : new String[] {alice.key(), bob.key(), revoked.key(), "dk_secretlookingkey00000000000000"}) {
            bodies.add(server.http("GET", "/domains/dom_nope", key, null).body());
            bodies.add(server.http("POST", "/domains", key, "{\"domain\":\"" + key + "\"}")
                    .body());
            bodies.add(server.http("POST", "/domains", key, "{broken").body());
            code(() -> domains(key, false)
                    .getDomain(GetDomainRequest.newBuilder().setId("x").build()));
        }
        List<String> secrets = List.of(
                alice.key(), bob.key(), revoked.key(), "dk_secretlookingkey00000000000000", TestServer.BOOTSTRAP_KEY);

        for (String secret : secrets) {
            String tail = secret.substring(11); // Everything after the 11-character public prefix.
            for (ILoggingEvent e : List.copyOf(logs.list)) {
                assertThat(e.getFormattedMessage()).doesNotContain(tail);
                if (e.getThrowableProxy() != null) {
                    assertThat(e.getThrowableProxy().getMessage()).doesNotContain(tail);
                }
            }
            for (String body : bodies) {
                if (!body.contains("not a valid domain name")) {
                    assertThat(body).doesNotContain(tail);
                }
            }
        }
    }
}
