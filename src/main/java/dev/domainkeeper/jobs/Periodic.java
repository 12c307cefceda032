package dev.domainkeeper.jobs;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one background pass repeatedly on its own daemon thread, with a fixed delay between passes;
 * a pass that throws is logged and the next one runs as planned.
 */
public final class Periodic implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Periodic.class);

    private final String name;
    private final Runnable pass;
    private final ScheduledExecutorService executor;

    public Periodic(String name, Runnable pass) {
        this.name = requireNonNull(name, "name");
        this.pass = requireNonNull(pass, "pass");
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts running the pass every {@code interval}. */
    public void start(Duration interval) {
        executor.scheduleWithFixedDelay(
                () -> {
                    try {
                        pass.run();
                    } catch (RuntimeException e) {
                        log.warn("{} pass failed: {}", name, e.toString());
                    }
                },
                interval.toMillis(),
                interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
