package dev.domainkeeper.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.domainkeeper.accounts.AccountService;
import dev.domainkeeper.store.AccountStore;
import dev.domainkeeper.testing.FlakySes;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checks the per-account domain quota through the HTTP/JSON API. */
class DomainQuotaTest {
    @TempDir
    Path dir;

    TestServer server;
    Jdbi db;
    AccountService accounts;
    AccountService.NewKey acme;
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
        db = server.server().database().jdbi();
        accounts = new AccountService(new AccountStore(db), Clock.systemUTC());
        acme = accounts.createAccount("acme");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void newAccounts_mayHold1000Domains() {
        assertThat(accounts.domainQuota(acme.accountId())).isEqualTo(new AccountService.DomainQuota(1000, 0));
        assertThat(AccountService.DEFAULT_DOMAIN_QUOTA).isEqualTo(1000);
    }

    @Test
    void addOverQuota_isResourceExhaustedNamingTheQuota_andChangesNothing() {
        accounts.setDomainQuota("acme", 2);
        assertThat(add(acme, "one.example.com").statusCode()).isEqualTo(200);
        assertThat(add(acme, "two.example.com").statusCode()).isEqualTo(200);
        int identities = count("SELECT COUNT(*) FROM sandbox_identities");
        int creates = ses.get().creates.get();

        HttpResponse<String> over = add(acme, "three.example.com");

        assertThat(over.statusCode()).as(over.body()).isEqualTo(429);
        JsonNode error = Json.parse(over.body());
        assertThat(error.get("grpc-code").asText()).isEqualTo("RESOURCE_EXHAUSTED");
        assertThat(error.get("message").asText())
                .isEqualTo("domains: the account holds 2 domains, its quota "
                        + "(expected: remove a domain, or ask the operator to raise the quota with "
                        + "./domainkeeper accounts set-quota acme --domains N)");
        assertThat(over.headers().firstValue("retry-after"))
                .as("waiting does not help")
                .isEmpty();
        assertThat(count("SELECT COUNT(*) FROM domains")).isEqualTo(2);
        assertThat(count("SELECT COUNT(*) FROM sandbox_identities")).isEqualTo(identities);
        assertThat(ses.get().creates.get()).as("SES is not asked").isEqualTo(creates);
        // Another account's quota is its own.
        assertThat(add(TestServer.BOOTSTRAP_KEY, "three.example.com").statusCode())
                .isEqualTo(200);
    }

    @Test
    void removingADomainOrRaisingTheQuota_makesRoomAgain() {
        accounts.setDomainQuota("acme", 1);
        String id = Json.parse(add(acme, "one.example.com").body())
                .get("domain")
                .get("id")
                .asText();
        assertThat(add(acme, "two.example.com").statusCode()).isEqualTo(429);

        assertThat(server.http("DELETE", "/domains/" + id, acme.key(), null).statusCode())
                .isEqualTo(200);
        assertThat(add(acme, "two.example.com").statusCode()).isEqualTo(200);
        assertThat(add(acme, "three.example.com").statusCode()).isEqualTo(429);

        assertThat(accounts.setDomainQuota("acme", 2)).isEqualTo(new AccountService.DomainQuota(2, 1));
        assertThat(add(acme, "three.example.com").statusCode()).isEqualTo(200);
    }

    @Test
    void retryOfAnUnfinishedAdd_atTheQuota_stillFinishesIt() {
        accounts.setDomainQuota("acme", 1);
        ses.get().failAfterCreate.set(1);
        assertThat(add(acme, "half.example.com").statusCode()).isEqualTo(503);

        assertThat(add(acme, "other.example.com").statusCode())
                .as("the half-made add counts")
                .isEqualTo(429);
        HttpResponse<String> retry = add(acme, "half.example.com");

        assertThat(retry.statusCode()).as(retry.body()).isEqualTo(200);
        assertThat(count("SELECT COUNT(*) FROM domains")).isEqualTo(1);
    }

    @Test
    void concurrentAdds_neverPassTheQuota() throws Exception {
        accounts.setDomainQuota("acme", 5);
        CountDownLatch go = new CountDownLatch(1);
        List<Integer> codes = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String name = "c" + i + ".example.com";
            Thread t = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                codes.add(add(acme, name).statusCode());
            });
            threads.add(t);
            t.start();
        }
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }

        assertThat(codes).filteredOn(c -> c == 200).hasSize(5);
        assertThat(codes).filteredOn(c -> c != 200).hasSize(7).containsOnly(429);
        assertThat(count("SELECT COUNT(*) FROM domains")).isEqualTo(5);
        assertThat(Json.parse(server.http("GET", "/domains", acme.key(), null).body())
                        .get("domains"))
                .hasSize(5);
    }

    private HttpResponse<String> add(AccountService.NewKey account, String name) {
        return add(account.key(), name);
    }

    private HttpResponse<String> add(String key, String name) {
        return server.http("POST", "/domains", key, "{\"domain\":\"" + name + "\"}");
    }

    private int count(String sql) {
        return db.withHandle(h -> h.createQuery(sql).mapTo(Integer.class).one());
    }
}
