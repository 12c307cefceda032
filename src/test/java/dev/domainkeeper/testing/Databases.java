package dev.domainkeeper.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.domainkeeper.store.Database;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Opens the two stores the tests run against: SQLite in a temporary file and PostgreSQL at
 * 127.0.0.1:5432 (database {@code test}) in a fresh schema per call. Without PostgreSQL the
 * PostgreSQL cases are skipped with a message, unless the environment variable {@code CI} is set,
 * in which case they fail.
 */
public final class Databases {
    public static final String POSTGRES_URL =
            System.getProperty("domainkeeper.test.postgres.url", "jdbc:postgresql://127.0.0.1:5432/test");
    public static final String POSTGRES_USER = System.getProperty("domainkeeper.test.postgres.user", "postgres");

    private Databases() {}

    /** The store kinds a test can run on. */
    public enum Kind {
        SQLITE,
        POSTGRES
    }

    /** Returns both kinds, for parameterized tests. */
    public static List<Kind> kinds() {
        return List.of(Kind.SQLITE, Kind.POSTGRES);
    }

    /** Opens a fresh, migrated database of {@code kind}. */
    public static Database open(Kind kind, Path tempDir) {
        return switch (kind) {
            case SQLITE -> Database.open(sqliteUrl(tempDir), null, null, null);
            case POSTGRES -> {
                requirePostgres();
                yield Database.open(POSTGRES_URL, POSTGRES_USER, null, freshSchema());
            }
        };
    }

    /** Returns a JDBC URL for a new SQLite file in {@code tempDir}. */
    public static String sqliteUrl(Path tempDir) {
        return "jdbc:sqlite:" + tempDir.resolve("dk-" + UUID.randomUUID() + ".db");
    }

    /** Returns a new schema name (Flyway creates it). */
    public static String freshSchema() {
        return "t_"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
    }

    /**
     * Creates a new, empty PostgreSQL schema and returns the JDBC URL that makes it the default one
     * ({@code ?currentSchema=}), for a service process started with {@code DOMAINKEEPER_DATABASE_URL}.
     */
    public static String newPostgresSchemaUrl() {
        requirePostgres();
        String schema = freshSchema();
        try (Connection c = DriverManager.getConnection(POSTGRES_URL, POSTGRES_USER, null);
                Statement statement = c.createStatement()) {
            statement.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create schema " + schema + ": " + e.getMessage(), e);
        }
        return POSTGRES_URL + "?currentSchema=" + schema;
    }

    /** Skips (or, under CI, fails) the calling test when PostgreSQL does not answer. */
    public static void requirePostgres() {
        boolean up = postgresAnswers();
        if (!up && System.getenv("CI") != null) {
            throw new AssertionError("PostgreSQL is required under CI but does not answer at " + POSTGRES_URL);
        }
        assumeTrue(
                up,
                "PostgreSQL does not answer at " + POSTGRES_URL
                        + "; start it (pg_ctlcluster <version> main start) to run the PostgreSQL cases");
    }

    /**
     * Opens a fresh, migrated PostgreSQL schema whose planner avoids hash joins, merge joins, hashed
     * aggregates and materialized inner sides: then a subquery under a join runs again for every outer
     * row, the plan that exposes a statement relying on its subquery running once.
     */
    public static Database openPostgresWithNestedLoops() {
        requirePostgres();
        String url = POSTGRES_URL + "?options="
                + String.join(
                        "%20",
                        "-c",
                        "enable_hashjoin=off",
                        "-c",
                        "enable_mergejoin=off",
                        "-c",
                        "enable_material=off",
                        "-c",
                        "enable_hashagg=off");
        return Database.open(url, POSTGRES_USER, null, freshSchema());
    }

    private static boolean postgresAnswers() {
        try (Connection c = DriverManager.getConnection(POSTGRES_URL, POSTGRES_USER, null)) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }
}
