package dev.domainkeeper.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.domainkeeper.domain.DkimKeyLength;
import dev.domainkeeper.ses.ForwardingSesGateway;
import dev.domainkeeper.ses.IdentityState;
import dev.domainkeeper.ses.SesGateway;
import dev.domainkeeper.ses.SesRejectedException;
import dev.domainkeeper.ses.SesUnavailableException;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.SandboxIdentities;
import dev.domainkeeper.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Leaves no SES identity without its domain: an add SES refuses after the identity was made deletes
 * the identity before the row (the verifier finishes that when SES cannot be asked at once), and a
 * removal racing the background verifier neither leaves the identity nor lets the verifier make it
 * again. Each race is played in a fixed order with latches in an SES decorator (sandbox backend).
 */
class OrphanIdentityTest {
    @TempDir
    Path dir;

    TestServer server;
    Jdbi db;
    final AtomicReference<ScriptedSes> ses = new AtomicReference<>();

    @BeforeEach
    void start() {
        server = TestServer.start(
                dir,
                Map.of("DOMAINKEEPER_BACKGROUND_WORKERS", "false"),
                a -> a.withSesDecorator(real -> {
                    ScriptedSes s = new ScriptedSes(real);
                    ses.set(s);
                    return s;
                }));
        db = server.server().database().jdbi();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void addRefusedAfterTheIdentityWasMade_deletesTheIdentityAndTheRow() {
        ses.get().rejectMailFrom.set(true);

        HttpResponse<String> r =
                server.http("POST", "/domains", TestServer.BOOTSTRAP_KEY, "{\"domain\":\"refused.example.com\"}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(Json.parse(r.body()).get("grpc-code").asText()).isEqualTo("FAILED_PRECONDITION");
        assertThat(ses.get().creates.get()).as("the identity was made").isEqualTo(1);
        assertThat(SandboxIdentities.exists(db, "refused.example.com")).isFalse();
        assertThat(count("SELECT COUNT(*) FROM domains")).isZero();
    }

    @Test
    void addRefusedAfterTheIdentityWasMade_whileSesCannotDeleteIt_keepsTheRowUntilTheVerifierDeletesBoth() {
        ses.get().rejectMailFrom.set(true);
        ses.get().unavailableGetIdentity.set(1);

        HttpResponse<String> r =
                server.http("POST", "/domains", TestServer.BOOTSTRAP_KEY, "{\"domain\":\"stuck.example.com\"}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(Json.parse(r.body()).get("message").asText()).contains("deleted in the background");
        assertThat(SandboxIdentities.exists(db, "stuck.example.com"))
                .as("SES could not be asked to delete it")
                .isTrue();
        assertThat(count("SELECT COUNT(*) FROM domains WHERE provisioning = 'CREATING'"))
                .as("the row stays while its identity does")
                .isEqualTo(1);
        assertThat(Json.parse(server.http("GET", "/domains", TestServer.BOOTSTRAP_KEY, null)
                                .body())
                        .get("domains"))
                .isEmpty();

        db.useHandle(h -> h.execute("UPDATE domains SET next_check_at = 0"));
        assertThat(server.server().verifier().runOnce()).isEqualTo(1);

        assertThat(SandboxIdentities.exists(db, "stuck.example.com")).isFalse();
        assertThat(count("SELECT COUNT(*) FROM domains")).isZero();
        ses.get().rejectMailFrom.set(false);
        assertThat(server.http("POST", "/domains", TestServer.BOOTSTRAP_KEY, "{\"domain\":\"stuck.example.com\"}")
                        .statusCode())
                .as("the name is free again")
                .isEqualTo(200);
    }

    @Test
    void removeWhileTheVerifierChecksTheDomain_waitsForIt_andNoIdentityIsLeft() throws Exception {
        String id = add("checked.example.com");
        db.useHandle(h -> h.execute("UPDATE domains SET next_check_at = 0"));
        ScriptedSes s = ses.get();
        AtomicInteger claimed = new AtomicInteger(-1);
        Thread verifier =
                new Thread(() -> claimed.set(server.server().verifier().runOnce()), "verifier-under-test");
        s.blockFirstCallOf.set(verifier);
        verifier.start();
        assertThat(s.blocked.await(30, TimeUnit.SECONDS))
                .as("the verifier holds the domain and is inside SES")
                .isTrue();

        // The verifier stays inside SES until the identity is deleted under it (as it would be without the
        // lease) or a few seconds have passed; the removal must wait for it either way.
        HttpResponse<String> removed = server.http("DELETE", "/domains/" + id, TestServer.BOOTSTRAP_KEY, null);
        verifier.join(30_000);

        assertThat(removed.statusCode()).as(removed.body()).isEqualTo(200);
        assertThat(claimed.get()).isEqualTo(1);
        assertThat(s.deletedWhileVerifierInside.get())
                .as("the removal did not call SES while the verifier held the domain")
                .isFalse();
        assertThat(SandboxIdentities.exists(db, "checked.example.com")).isFalse();
        assertThat(count("SELECT COUNT(*) FROM domains")).isZero();
        assertThat(server.server().verifier().runOnce()).isZero();
        assertThat(SandboxIdentities.exists(db, "checked.example.com")).isFalse();
    }

    @Test
    void verifierWhileARemovalHoldsTheDomain_leavesItAlone_andNoIdentityIsMadeAgain() throws Exception {
        String id = add("removed.example.com");
        db.useHandle(h -> h.execute("UPDATE domains SET next_check_at = 0"));
        ScriptedSes s = ses.get();
        s.holdAfterDelete.set(true);
        AtomicReference<HttpResponse<String>> removed = new AtomicReference<>();
        Thread remover =
                new Thread(() -> removed.set(server.http("DELETE", "/domains/" + id, TestServer.BOOTSTRAP_KEY, null)));
        remover.start();
        assertThat(s.deleted.await(30, TimeUnit.SECONDS))
                .as("the removal deleted the identity and has not deleted the row yet")
                .isTrue();
        assertThat(SandboxIdentities.exists(db, "removed.example.com")).isFalse();

        // Due, its identity gone: without the removal's lease the verifier would make the identity again.
        int claimed = server.server().verifier().runOnce();
        s.proceed.countDown();
        remover.join(30_000);

        assertThat(claimed)
                .as("the verifier does not take a domain a removal holds")
                .isZero();
        assertThat(removed.get().statusCode()).as(removed.get().body()).isEqualTo(200);
        assertThat(s.creates.get()).as("no identity made again").isEqualTo(1);
        assertThat(SandboxIdentities.exists(db, "removed.example.com")).isFalse();
        assertThat(count("SELECT COUNT(*) FROM domains")).isZero();
    }

    @Test
    void removeWhileABackgroundJobHoldsTheDomainTooLong_isUnavailable_andChangesNothing() {
        String id = add("held.example.com");
        db.useHandle(h -> h.execute("UPDATE domains SET lease_owner = 'domain-verifier_elsewhere.1', lease_until = "
                + (System.currentTimeMillis() + 600_000)));

        HttpResponse<String> removed = server.http("DELETE", "/domains/" + id, TestServer.BOOTSTRAP_KEY, null);

        assertThat(removed.statusCode()).as(removed.body()).isEqualTo(503);
        assertThat(removed.headers().firstValue("retry-after")).isPresent();
        assertThat(Json.parse(removed.body()).get("message").asText()).contains("background job");
        assertThat(SandboxIdentities.exists(db, "held.example.com")).isTrue();
        assertThat(count("SELECT COUNT(*) FROM domains")).isEqualTo(1);
    }

    private String add(String name) {
        HttpResponse<String> r =
                server.http("POST", "/domains", TestServer.BOOTSTRAP_KEY, "{\"domain\":\"" + name + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode d = Json.parse(r.body()).get("domain");
        return d.get("id").asText();
    }

    private long count(String sql) {
        return db.withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }

    /** The sandbox SES with scripted refusals and latches at the points the races turn on. */
    static final class ScriptedSes extends ForwardingSesGateway {
        final AtomicBoolean rejectMailFrom = new AtomicBoolean();
        final AtomicInteger unavailableGetIdentity = new AtomicInteger();
        final AtomicInteger creates = new AtomicInteger();
        /** The thread whose first SES call waits inside SES. */
        final AtomicReference<Thread> blockFirstCallOf = new AtomicReference<>();

        final CountDownLatch blocked = new CountDownLatch(1);
        final CountDownLatch identityDeleted = new CountDownLatch(1);
        final AtomicBoolean verifierInside = new AtomicBoolean();
        final AtomicBoolean deletedWhileVerifierInside = new AtomicBoolean();
        /** When set, a deleteIdentity waits after deleting until {@link #proceed}. */
        final AtomicBoolean holdAfterDelete = new AtomicBoolean();

        final CountDownLatch deleted = new CountDownLatch(1);
        final CountDownLatch proceed = new CountDownLatch(1);

        ScriptedSes(SesGateway delegate) {
            super(delegate);
        }

        @Override
        protected void beforeCall(String operation) {
            if (blockFirstCallOf.compareAndSet(Thread.currentThread(), null)) {
                verifierInside.set(true);
                blocked.countDown();
                await(identityDeleted, Duration.ofSeconds(3));
                verifierInside.set(false);
            }
        }

        @Override
        public IdentityState createIdentity(String region, String domain, String ownerTag, DkimKeyLength keyLength) {
            IdentityState s = super.createIdentity(region, domain, ownerTag, keyLength);
            creates.incrementAndGet();
            return s;
        }

        @Override
        public IdentityState getIdentity(String region, String domain) {
            if (unavailableGetIdentity.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new SesUnavailableException("injected: SES is down (HTTP 503)", Duration.ofSeconds(2), null);
            }
            return super.getIdentity(region, domain);
        }

        @Override
        public void putMailFrom(String region, String domain, String mailFromDomain) {
            if (rejectMailFrom.get()) {
                throw new SesRejectedException("BadRequestException", "injected: SES refused the MAIL FROM", null);
            }
            super.putMailFrom(region, domain, mailFromDomain);
        }

        @Override
        public void deleteIdentity(String region, String domain) {
            super.deleteIdentity(region, domain);
            if (verifierInside.get()) {
                deletedWhileVerifierInside.set(true);
            }
            identityDeleted.countDown();
            if (holdAfterDelete.get()) {
                deleted.countDown();
                await(proceed, Duration.ofSeconds(30));
            }
        }

        private static void await(CountDownLatch latch, Duration limit) {
            try {
                latch.await(limit.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
