package dev.domainkeeper.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.domainkeeper.store.AccountStore;
import dev.domainkeeper.testing.Databases;
import dev.domainkeeper.testing.TestServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Starts servers with {@code DOMAINKEEPER_BOOTSTRAP_API_KEY} on SQLite and PostgreSQL: two nodes
 * starting at once on one empty database both start and share one account {@code default}, and a
 * changed bootstrap key retires the previous one.
 */
class BootstrapKeyTest {
    static final String KEY_A = "dk_bootstrap_key_a_000000000000";
    static final String KEY_B = "dk_bootstrap_key_b_000000000000";

    @TempDir
    Path dir;

    static List<Databases.Kind> kinds() {
        return Databases.kinds();
    }

    private Map<String, String> database(Databases.Kind kind) {
        Map<String, String> env = new HashMap<>();
        env.put("DOMAINKEEPER_BACKGROUND_WORKERS", "false");
        if (kind == Databases.Kind.POSTGRES) {
            env.put("DOMAINKEEPER_DATABASE_URL", Databases.newPostgresSchemaUrl());
            env.put("DOMAINKEEPER_DATABASE_USER", Databases.POSTGRES_USER);
        } else {
            env.put("DOMAINKEEPER_DATABASE_URL", Databases.sqliteUrl(dir));
        }
        return env;
    }

    private TestServer start(Map<String, String> env, String key) {
        Map<String, String> all = new HashMap<>(env);
        all.put("DOMAINKEEPER_BOOTSTRAP_API_KEY", key);
        return TestServer.start(dir, all, UnaryOperator.identity());
    }

    private static int status(TestServer server, String key) {
        return server.http("GET", "/domains", key, null).statusCode();
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void twoNodesStartingAtOnceOnAnEmptyDatabase_bothStart_withOneDefaultAccount(Databases.Kind kind) throws Exception {
        Map<String, String> env = database(kind);
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<TestServer>> nodes = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            nodes.add(CompletableFuture.supplyAsync(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
                return start(env, KEY_A);
            }));
        }
        go.countDown();
        List<TestServer> started = new ArrayList<>();
        try {
            for (CompletableFuture<TestServer> node : nodes) {
                started.add(node.get(120, TimeUnit.SECONDS));
            }

            for (TestServer node : started) {
                assertThat(status(node, KEY_A)).isEqualTo(200);
            }
            assertThat(new AccountStore(started.get(0).server().database().jdbi()).listAccounts())
                    .singleElement()
                    .satisfies(a -> {
                        assertThat(a.name()).isEqualTo("default");
                        assertThat(a.activeKeys()).isEqualTo(1);
                    });
        } finally {
            started.forEach(TestServer::close);
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void aChangedBootstrapKey_retiresThePreviousOne(Databases.Kind kind) {
        Map<String, String> env = database(kind);
        try (TestServer first = start(env, KEY_A)) {
            assertThat(status(first, KEY_A)).isEqualTo(200);
            assertThat(first.http("POST", "/domains", KEY_A, "{\"domain\":\"kept.example.com\"}")
                            .statusCode())
                    .isEqualTo(200);
        }

        try (TestServer restarted = start(env, KEY_B)) {
            assertThat(status(restarted, KEY_A)).as("the old bootstrap key").isEqualTo(401);
            assertThat(status(restarted, KEY_B)).isEqualTo(200);
            assertThat(restarted.http("GET", "/domains", KEY_B, null).body())
                    .as("the same account, with its domains")
                    .contains("kept.example.com");
            assertThat(new AccountStore(restarted.server().database().jdbi()).listAccounts())
                    .singleElement()
                    .satisfies(a -> assertThat(a.activeKeys()).isEqualTo(1));
        }

        try (TestServer again = start(env, KEY_B)) {
            assertThat(status(again, KEY_B))
                    .as("a restart with the same key changes nothing")
                    .isEqualTo(200);
            assertThat(status(again, KEY_A)).isEqualTo(401);
        }
    }
}
