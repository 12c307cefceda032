package dev.domainkeeper.server;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.server.healthcheck.HealthChecker;
import com.linecorp.armeria.server.healthcheck.ListenableHealthChecker;
import dev.domainkeeper.store.Database;
import java.util.function.Consumer;

/**
 * Tells the standard gRPC health service whether the database answers, asked at each check. The
 * gRPC service runs its calls on the blocking executor, so the query never holds an event loop.
 * Changes are not pushed: a {@code Watch} sees the state at its start and at the server's stop.
 */
final class DatabaseHealth implements ListenableHealthChecker {
    private final Database database;

    DatabaseHealth(Database database) {
        this.database = requireNonNull(database, "database");
    }

    @Override
    public boolean isHealthy() {
        return database.isHealthy();
    }

    @Override
    public void addListener(Consumer<? super HealthChecker> listener) {
        // Nothing is pushed; see the class comment.
    }

    @Override
    public void removeListener(Consumer<?> listener) {
        // Nothing is pushed; see the class comment.
    }
}
