package dev.domainkeeper.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.domainkeeper.domain.InvalidInputException;
import dev.domainkeeper.domains.PageTokens;
import dev.domainkeeper.store.PageTokenKeyStore.StoredKey;
import dev.domainkeeper.testing.Databases;
import dev.domainkeeper.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Checks the page-token keys on SQLite and PostgreSQL: one key per period whoever makes it, and retirement. */
class PageTokenKeyStoreTest {
    @TempDir
    Path dir;

    static List<Databases.Kind> kinds() {
        return Databases.kinds();
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void aKeyPerPeriod_isMadeOnce_andOldKeysAreDeleted(Databases.Kind kind) {
        try (Database db = Databases.open(kind, dir)) {
            PageTokenKeyStore store = new PageTokenKeyStore(db.jdbi());

            assertThat(store.addIfAbsent(new StoredKey(7, "c2VjcmV0MQ==", 1000)))
                    .isTrue();
            assertThat(store.addIfAbsent(new StoredKey(7, "b3RoZXI=", 1001)))
                    .as("another node was first")
                    .isFalse();
            assertThat(store.addIfAbsent(new StoredKey(8, "c2VjcmV0Mg==", 2000)))
                    .isTrue();

            assertThat(store.all()).extracting(StoredKey::id).containsExactly(8L, 7L);
            assertThat(store.all().get(1).secret()).isEqualTo("c2VjcmV0MQ==");
            assertThat(store.all().get(0).toString()).doesNotContain("c2VjcmV0Mg");
            assertThat(store.deleteMadeBefore(2000)).isEqualTo(1);
            assertThat(store.all()).extracting(StoredKey::id).containsExactly(8L);
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void twoNodesTokens_areReadByEachOther_andBoundToTheAccount(Databases.Kind kind) {
        try (Database db = Databases.open(kind, dir)) {
            MutableClock clock = new MutableClock(Instant.parse("2026-06-01T00:00:00Z"));
            PageTokens one = new PageTokens(
                    new PageTokenKeyStore(db.jdbi()), clock, Duration.ofHours(168), Duration.ofHours(24));
            PageTokens two = new PageTokens(
                    new PageTokenKeyStore(db.jdbi()), clock, Duration.ofHours(168), Duration.ofHours(24));

            String token = one.create("domains", "acc_1", 42);

            assertThat(two.read("domains", "acc_1", token)).isEqualTo(42);
            assertThatThrownBy(() -> two.read("domains", "acc_2", token))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageStartingWith("page_token:");
            assertThatThrownBy(() -> two.read("submissions", "acc_1", token)).isInstanceOf(InvalidInputException.class);
            clock.advance(Duration.ofHours(25));
            assertThatThrownBy(() -> two.read("domains", "acc_1", token))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageStartingWith("page_token: expired");
        }
    }
}
