package dev.domainkeeper.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.domainkeeper.proto.domains.v1.AddDomainRequest;
import dev.domainkeeper.proto.domains.v1.Domain;
import dev.domainkeeper.proto.domains.v1.DomainsServiceGrpc;
import dev.domainkeeper.proto.domains.v1.GetDomainRequest;
import dev.domainkeeper.proto.domains.v1.ListDomainsRequest;
import dev.domainkeeper.proto.domains.v1.RecordPurpose;
import dev.domainkeeper.testing.FlakySes;
import dev.domainkeeper.testing.Rpc;
import dev.domainkeeper.testing.TestServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves the add is crash-safe: row first, then the SES identity, then the result. Calls the typed
 * gRPC stubs; how these statuses and the retry hint look over HTTP/JSON is tested in
 * AwsBackendLifecycleTest and DatabaseOutageTest.
 */
class CrashSafeAddTest {
    @TempDir
    Path dir;

    TestServer server;
    final AtomicReference<FlakySes> ses = new AtomicReference<>();

    @BeforeEach
    void start() {
        server = TestServer.start(
                dir,
                Map.of("DOMAINKEEPER_BACKGROUND_WORKERS", "false"),
                a -> a.withSesDecorator(real -> {
                    FlakySes f = new FlakySes(real);
                    ses.set(f);
                    return f;
                }));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private DomainsServiceGrpc.DomainsServiceBlockingStub domains() {
        return Rpc.domains(server, TestServer.BOOTSTRAP_KEY);
    }

    private static AddDomainRequest add(String name) {
        return AddDomainRequest.newBuilder().setDomain(name).build();
    }

    private List<Domain> listed() {
        return domains().listDomains(ListDomainsRequest.getDefaultInstance()).getDomainsList();
    }

    private long count(String sql) {
        return server.server()
                .database()
                .jdbi()
                .withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }

    @Test
    void failureAfterSesCreatedIdentity_thenRetry_givesOneDomainAndOneIdentity() {
        ses.get().failAfterCreate.set(1);

        StatusRuntimeException first = Rpc.failure(() -> domains().addDomain(add("half.example.com")));

        assertThat(first.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(Rpc.retryAfter(first)).isPresent();
        assertThat(listed()).isEmpty();

        Domain d = domains().addDomain(add("half.example.com")).getDomain();

        assertThat(d.getDnsRecords(0).getPurpose()).isEqualTo(RecordPurpose.DKIM);
        assertThat(count("SELECT COUNT(*) FROM domains")).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM sandbox_identities")).isEqualTo(1);
        assertThat(listed()).hasSize(1);
    }

    @Test
    void failureAfterSesCreatedIdentity_isCompletedByTheVerifier() {
        ses.get().failAfterCreate.set(1);
        Rpc.failure(() -> domains().addDomain(add("later.example.com")));
        server.server().database().jdbi().useHandle(h -> h.execute("UPDATE domains SET next_check_at = 0"));

        assertThat(server.server().verifier().runOnce()).isEqualTo(1);

        List<Domain> list = listed();
        assertThat(list).hasSize(1);
        assertThat(list.get(0).getDomain()).isEqualTo("later.example.com");
        assertThat(list.get(0).getDnsRecords(0).getValue()).endsWith(".dkim.amazonses.com");
        assertThat(count("SELECT COUNT(*) FROM sandbox_identities")).isEqualTo(1);
    }

    @Test
    void sesDown_isUnavailableWithRetryHint_andNoHalfMadeDomainIsVisible() {
        ses.get().down.set(true);

        StatusRuntimeException r = Rpc.failure(() -> domains().addDomain(add("down.example.com")));

        assertThat(r.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(r.getStatus().getDescription()).contains("retry after");
        assertThat(Rpc.retryAfter(r)).hasValue("2");
        assertThat(listed()).isEmpty();
        assertThat(count("SELECT COUNT(*) FROM sandbox_identities")).isZero();
    }

    @Test
    void identityDeletedBehindOurBack_getKeepsTheDomain_andTheVerifierCreatesItAgain() {
        String id = domains().addDomain(add("gone.example.com")).getDomain().getId();
        GetDomainRequest get = GetDomainRequest.newBuilder().setId(id).build();
        server.server().database().jdbi().useHandle(h -> {
            h.execute("DELETE FROM sandbox_identities");
            h.execute("UPDATE domains SET ses_checked_at = 0");
        });

        Domain got = domains().getDomain(get).getDomain();

        assertThat(got.getId()).isEqualTo(id);
        assertThat(count("SELECT COUNT(*) FROM sandbox_identities"))
                .as("a read re-creates nothing")
                .isZero();
        assertThat(server.server().verifier().runOnce()).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM sandbox_identities")).isEqualTo(1);
        assertThat(domains().getDomain(get).getDomain().getId()).isEqualTo(id);
    }

    @Test
    void tenConcurrentAddsOfOneName_exactlyOneSucceeds() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Status.Code> codes = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Thread t = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                try {
                    domains().addDomain(add("race.example.com"));
                    codes.add(Status.Code.OK);
                } catch (StatusRuntimeException e) {
                    codes.add(e.getStatus().getCode());
                }
            });
            threads.add(t);
            t.start();
        }
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }

        assertThat(codes).filteredOn(c -> c == Status.Code.OK).hasSize(1);
        assertThat(codes).filteredOn(c -> c != Status.Code.OK).containsOnly(Status.Code.ALREADY_EXISTS);
        assertThat(count("SELECT COUNT(*) FROM domains")).isEqualTo(1);
        assertThat(ses.get().creates.get()).isEqualTo(1);
    }
}
