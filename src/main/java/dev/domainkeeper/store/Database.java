package dev.domainkeeper.store;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;

/**
 * Opens the database (SQLite by default, PostgreSQL when the URL says so), migrates it with Flyway
 * and hands out the {@link Jdbi} the repositories share.
 */
public final class Database implements AutoCloseable {
    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final boolean postgres;

    private Database(HikariDataSource dataSource, boolean postgres) {
        this.dataSource = dataSource;
        this.postgres = postgres;
        this.jdbi = Jdbi.create(dataSource);
    }

    /**
     * Opens and migrates the database at {@code url}. {@code schema} (PostgreSQL only, may be null)
     * selects a schema, which tests use to get a fresh one per run.
     */
    public static Database open(String url, String user, String password, String schema) {
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
        try {
            Flyway.configure()
                    .dataSource(ds)
                    .locations("classpath:db/migration")
                    .schemas(schema == null ? new String[0] : new String[] {schema})
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
        return new Database(ds, postgres);
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
