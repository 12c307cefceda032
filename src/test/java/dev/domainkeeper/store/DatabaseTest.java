package dev.domainkeeper.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.common.base.Throwables;
import dev.domainkeeper.testing.Databases;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.flywaydb.core.api.FlywayException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Checks that a database opened while Flyway migrates it on its own thread never runs a statement too early. */
class DatabaseTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Databases.Kind.class)
    void statementsWaitForTheMigration(Databases.Kind kind) {
        try (Database db = openMigrating(kind)) {
            // Asked at once, before the migration can have finished: the table is there all the same.
            int accounts = db.jdbi()
                    .withHandle(h -> h.createQuery("SELECT COUNT(*) FROM accounts")
                            .mapTo(Integer.class)
                            .one());
            assertThat(accounts).isZero();
            db.awaitMigrated();
            assertThat(db.isHealthy()).isTrue();
        }
    }

    private Database openMigrating(Databases.Kind kind) {
        return switch (kind) {
            case SQLITE -> Database.openMigrating(Databases.sqliteUrl(dir), null, null, null);
            case POSTGRES -> {
                Databases.requirePostgres();
                yield Database.openMigrating(
                        Databases.POSTGRES_URL, Databases.POSTGRES_USER, null, Databases.freshSchema());
            }
        };
    }

    @Test
    void aFailedMigration_failsOpen_andEveryStatementWithTheMigrationsOwnError() throws Exception {
        Path notADatabase = dir.resolve("garbage.db");
        Files.write(
                notADatabase,
                "this is not an SQLite file, it is text".repeat(100).getBytes(StandardCharsets.UTF_8));
        String url = "jdbc:sqlite:" + notADatabase;

        assertThatThrownBy(() -> Database.open(url, null, null, null)).isInstanceOf(FlywayException.class);

        try (Database db = Database.openMigrating(url, null, null, null)) {
            assertThatThrownBy(db::awaitMigrated).isInstanceOf(FlywayException.class);
            Throwable failure = catchThrowable(() -> db.jdbi()
                    .withHandle(
                            h -> h.createQuery("SELECT 1").mapTo(Integer.class).one()));
            assertThat(Throwables.getCausalChain(failure))
                    .as("the statement fails with the migration's error, not with a missing table")
                    .anyMatch(FlywayException.class::isInstance);
            assertThat(db.isHealthy())
                    .as("a database that could not be migrated is not healthy")
                    .isFalse();
        }
    }
}
