package dev.domainkeeper.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.domainkeeper.accounts.AccountService;
import dev.domainkeeper.store.AccountStore;
import dev.domainkeeper.testing.FlakySes;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.SandboxIdentities;
import dev.domainkeeper.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks the shared SES account through the HTTP/JSON API (sandbox backend): identities made
 * outside Domainkeeper, or for another domain row, are never taken over by AddDomain nor deleted by
 * RemoveDomain; the identities Domainkeeper makes carry the id of their domain row.
 */
class IdentityOwnershipTest {
    private static final String REGION = "us-east-1";

    @TempDir
    Path dir;

    TestServer server;
    Jdbi db;
    final AtomicReference<FlakySes> ses = new AtomicReference<>();
    AccountService.NewKey mallory;

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
        db = server.server().database().jdbi();
        mallory = new AccountService(new AccountStore(db), Clock.systemUTC()).createAccount("mallory");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void addedDomain_identityIsTaggedWithTheDomainsId() {
        String id = Json.parse(server.http("POST", "/domains", mallory.key(), "{\"domain\":\"mine.example.com\"}")
                        .body())
                .get("domain")
                .get("id")
                .asText();

        assertThat(SandboxIdentities.ownerTag(db, "mine.example.com")).isEqualTo(id);
    }

    @Test
    void identityMadeOutsideDomainkeeper_isNotTakenOver_andNothingIsLeftHalfMade() {
        SandboxIdentities.createOutsideDomainkeeper(db, REGION, "operator.example.com", null);
        SandboxIdentities.createOutsideDomainkeeper(db, REGION, "other-tool.example.com", "dom_not_a_row_of_ours");

        for (String name : new String[] {"operator.example.com", "other-tool.example.com"}) {
            HttpResponse<String> r = server.http("POST", "/domains", mallory.key(), "{\"domain\":\"" + name + "\"}");

            assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
            JsonNode error = Json.parse(r.body());
            assertThat(error.get("grpc-code").asText()).isEqualTo("ALREADY_EXISTS");
            assertThat(error.get("message").asText()).contains(name).contains("outside Domainkeeper");
            assertThat(SandboxIdentities.exists(db, name))
                    .as("the identity is left alone")
                    .isTrue();
        }
        assertThat(count("SELECT COUNT(*) FROM domains"))
                .as("no row left half-made")
                .isZero();
        assertThat(Json.parse(server.http("GET", "/domains", mallory.key(), null)
                                .body())
                        .get("domains"))
                .isEmpty();
        // The verifier has nothing to finish either: no row of the refused adds remains.
        assertThat(server.server().verifier().runOnce()).isZero();
        // The same refusal on a retry; never a domain that can send from the operator's identity.
        HttpResponse<String> again =
                server.http("POST", "/domains", mallory.key(), "{\"domain\":\"operator.example.com\"}");
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(again.body()).doesNotContain("can_send");
        HttpResponse<String> send = server.http(
                "POST",
                "/domains/test-email",
                mallory.key(),
                "{\"from_email\":\"ceo@operator.example.com\",\"test_type\":\"SIMULATOR_SUCCESS\"}");
        assertThat(send.statusCode()).as(send.body()).isEqualTo(404);
        assertThat(count("SELECT COUNT(*) FROM sandbox_outbox")).isZero();
    }

    @Test
    void removeDomain_whoseIdentityIsNotOurs_removesTheRowAndLeavesTheIdentity() {
        String id = Json.parse(server.http("POST", "/domains", mallory.key(), "{\"domain\":\"swapped.example.com\"}")
                        .body())
                .get("domain")
                .get("id")
                .asText();
        // The identity was deleted and made again outside Domainkeeper (or predates the tags).
        db.useHandle(
                h -> h.execute("UPDATE sandbox_identities SET owner_tag = NULL WHERE domain = 'swapped.example.com'"));

        HttpResponse<String> removed = server.http("DELETE", "/domains/" + id, mallory.key(), null);

        assertThat(removed.statusCode()).as(removed.body()).isEqualTo(200);
        JsonNode body = Json.parse(removed.body());
        assertThat(body.get("id").asText()).isEqualTo(id);
        assertThat(body.get("notes"))
                .singleElement()
                .satisfies(n -> assertThat(n.asText())
                        .contains("swapped.example.com")
                        .contains("not created by Domainkeeper")
                        .contains("left in SES"));
        assertThat(SandboxIdentities.exists(db, "swapped.example.com")).isTrue();
        assertThat(count("SELECT COUNT(*) FROM domains")).isZero();
    }

    @Test
    void removeDomain_ofOurOwnIdentity_deletesItAndSaysNothingWasLeft() {
        String id = Json.parse(server.http("POST", "/domains", mallory.key(), "{\"domain\":\"own.example.com\"}")
                        .body())
                .get("domain")
                .get("id")
                .asText();

        HttpResponse<String> removed = server.http("DELETE", "/domains/" + id, mallory.key(), null);

        assertThat(removed.statusCode()).as(removed.body()).isEqualTo(200);
        assertThat(Json.parse(removed.body()).get("notes")).isEmpty();
        assertThat(SandboxIdentities.exists(db, "own.example.com")).isFalse();
    }

    @Test
    void halfMadeAdd_isRemovable_andItsOwnIdentityGoesWithIt() {
        ses.get().failAfterCreate.set(1);
        HttpResponse<String> failed =
                server.http("POST", "/domains", mallory.key(), "{\"domain\":\"half.example.com\"}");
        assertThat(failed.statusCode()).isEqualTo(503);
        String id = db.withHandle(h -> h.createQuery("SELECT id FROM domains WHERE provisioning = 'CREATING'")
                .mapTo(String.class)
                .one());
        assertThat(server.http("GET", "/domains/" + id, mallory.key(), null).statusCode())
                .isEqualTo(404);

        HttpResponse<String> removed = server.http("DELETE", "/domains/" + id, mallory.key(), null);

        assertThat(removed.statusCode()).as(removed.body()).isEqualTo(200);
        assertThat(count("SELECT COUNT(*) FROM domains")).isZero();
        assertThat(SandboxIdentities.exists(db, "half.example.com")).isFalse();
        // The name is free again.
        assertThat(server.http("POST", "/domains", mallory.key(), "{\"domain\":\"half.example.com\"}")
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void halfMadeAdd_stillInFlight_isNotRemovedUnderIt() {
        ses.get().down.set(true);
        server.http("POST", "/domains", mallory.key(), "{\"domain\":\"busy.example.com\"}");
        ses.get().down.set(false);
        String id = db.withHandle(
                h -> h.createQuery("SELECT id FROM domains").mapTo(String.class).one());
        // As if an add (or the verifier) were working on it right now.
        db.useHandle(h -> h.execute("UPDATE domains SET lease_owner = 'add_elsewhere', lease_until = "
                + (System.currentTimeMillis() + 600_000)));

        HttpResponse<String> removed = server.http("DELETE", "/domains/" + id, mallory.key(), null);

        assertThat(removed.statusCode()).as(removed.body()).isEqualTo(503);
        assertThat(removed.headers().firstValue("retry-after")).isPresent();
        assertThat(Json.parse(removed.body()).get("message").asText()).contains("still being added");
        assertThat(count("SELECT COUNT(*) FROM domains")).isEqualTo(1);
    }

    @Test
    void otherAccountsHalfMadeAdd_isNotFound() {
        ses.get().failAfterCreate.set(1);
        server.http("POST", "/domains", mallory.key(), "{\"domain\":\"hers.example.com\"}");
        String id = db.withHandle(
                h -> h.createQuery("SELECT id FROM domains").mapTo(String.class).one());

        HttpResponse<String> removed = server.http("DELETE", "/domains/" + id, TestServer.BOOTSTRAP_KEY, null);

        assertThat(removed.statusCode()).isEqualTo(404);
        assertThat(count("SELECT COUNT(*) FROM domains")).isEqualTo(1);
        assertThat(SandboxIdentities.exists(db, "hers.example.com")).isTrue();
    }

    private long count(String sql) {
        return db.withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }
}
