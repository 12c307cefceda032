package dev.domainkeeper.store;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;

/**
 * Opens the database (SQLite by default, PostgreSQL when the URL says so), migrates it with Flyway
 * and hands out the {@link Jdbi} the repositories share.
 *
 * <p>{@link #openMigrating} returns while Flyway still migrates on a thread of its own, so the server
 * builds everything else meanwhile (migrating a new database is about a fifth of the start-up). No
 * statement can run on a schema that is not migrated yet: every connection the {@link Jdbi} opens
 * waits for the migration first, and fails with the migration's error if it failed.
 */
public final class Database implements AutoCloseable {
    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final boolean postgres;
    private final CompletableFuture<Void> migrated;

    private Database(HikariDataSource dataSource, boolean postgres, CompletableFuture<Void> migrated) {
        this.dataSource = dataSource;
        this.postgres = postgres;
        this.migrated = migrated;
        this.jdbi = Jdbi.create(this::connection);
    }

    /**
     * Opens and migrates the database at {@code url}. {@code schema} (PostgreSQL only, may be null)
     * selects a schema, which tests use to get a fresh one per run.
     */
    public static Database open(String url, String user, String password, String schema) {
        Database database = openMigrating(url, user, password, schema);
        try {
            database.awaitMigrated();
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
        return database;
    }

    /**
     * Opens the database at {@code url} and starts migrating it on a thread of its own; returns at
     * once. Call {@link #awaitMigrated} to learn the outcome (statements wait for it on their own).
     */
    public static Database openMigrating(String url, String user, String password, String schema) {
        requireNonNull(url, "url");
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(url);
        hc.setPoolName("domainkeeper-db");
        boolean postgres = url.startsWith("jdbc:postgresql:");
        if (postgres) {
            if (user != null) {
                hc.setUsername(user);
            }
            if (password != null) {
                hc.setPassword(password);
            }
            if (schema != null) {
                hc.setSchema(schema);
            }
            hc.setMaximumPoolSize(16);
            // A connection that stays open but stops answering fails a statement after 30 s instead
            // of hanging the request forever.
            hc.addDataSourceProperty("socketTimeout", "30");
        } else {
            createParentDirectory(url);
            hc.addDataSourceProperty("foreign_keys", "true");
            hc.addDataSourceProperty("journal_mode", "WAL");
            hc.addDataSourceProperty("busy_timeout", "10000");
            hc.addDataSourceProperty("transaction_mode", "IMMEDIATE");
            hc.setMaximumPoolSize(8);
        }
        hc.setConnectionTimeout(5000);
        hc.setInitializationFailTimeout(-1);
        HikariDataSource ds = new HikariDataSource(hc);
        CompletableFuture<Void> migrated = new CompletableFuture<>();
        Thread migration = new Thread(
                () -> {
                    try {
                        Flyway.configure()
                                .dataSource(ds)
                                .locations("classpath:db/migration")
                                .schemas(schema == null ? new String[0] : new String[] {schema})
                                .load()
                                .migrate();
                        migrated.complete(null);
                    } catch (Throwable e) {
                        migrated.completeExceptionally(e);
                    }
                },
                "domainkeeper-migrate");
        migration.setDaemon(true);
        migration.start();
        return new Database(ds, postgres, migrated);
    }

    /**
     * Waits until the schema is migrated.
     *
     * @throws RuntimeException the migration's own error (a {@code FlywayException}, say) when it failed
     */
    public void awaitMigrated() {
        try {
            migrated.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    private static void createParentDirectory(String url) {
        String file = url.substring("jdbc:sqlite:".length());
        int q = file.indexOf('?');
        if (q >= 0) {
            file = file.substring(0, q);
        }
        if (file.isEmpty() || file.startsWith(":memory:") || file.startsWith("file:")) {
            return;
        }
        Path parent = Path.of(file).toAbsolutePath().getParent();
        try {
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the database directory " + parent, e);
        }
    }

    /**
     * Returns a pooled connection, once the schema is migrated; the caller closes it. For the few hot
     * reads that skip JDBI's set-up of a handle and a statement (about four fifths of the cost of a
     * one-row lookup by key); everything else goes through {@link #jdbi}.
     */
    public Connection connection() throws SQLException {
        awaitMigrated();
        return dataSource.getConnection();
    }

    /** Returns the JDBI handle factory. */
    public Jdbi jdbi() {
        return jdbi;
    }

    /** Returns true on PostgreSQL (which supports {@code FOR UPDATE SKIP LOCKED}). */
    public boolean isPostgres() {
        return postgres;
    }

    /** Returns true when the database answers a trivial query. */
    public boolean isHealthy() {
        try {
            return jdbi.withHandle(
                            h -> h.createQuery("SELECT 1").mapTo(Integer.class).one())
                    == 1;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
