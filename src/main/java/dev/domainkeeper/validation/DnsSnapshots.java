package dev.domainkeeper.validation;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import dev.domainkeeper.domain.DnsRecord;
import dev.domainkeeper.domain.Domain;
import dev.domainkeeper.domain.DomainSettings;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Serves DNS validation snapshots that show DNS as it is when they are asked for, without letting a
 * client that polls in a loop flood the resolvers.
 *
 * <p>The rule: the lookups of the snapshot a request gets start after the request arrived, so a
 * person who has just changed DNS sees the change. Requests for the same snapshot that arrive while
 * one is waiting to start share it, and one snapshot's lookups start at most once per interval
 * (default one second). A loop of requests therefore costs one set of lookups per interval, and a
 * request waits at most one interval longer than its lookups take.
 *
 * <p>A snapshot is identified by the account, the domain id and the records and settings it checks:
 * another account never shares it, and a domain whose settings changed is checked at once.
 */
public final class DnsSnapshots {
    /** The most snapshot identities whose last start is remembered; the least recently used go first. */
    static final int MAX_TRACKED = 10_000;

    /** Runs a task after a delay; {@link #DEFAULT} uses the common pool's delayed executor. */
    @FunctionalInterface
    public interface Scheduler {
        /** Runs {@code task} once {@code delayNanos} have passed; at once when it is not positive. */
        void runAfter(long delayNanos, Runnable task);

        Scheduler DEFAULT = (delayNanos, task) -> {
            if (delayNanos <= 0) {
                task.run();
            } else {
                CompletableFuture.delayedExecutor(delayNanos, TimeUnit.NANOSECONDS)
                        .execute(task);
            }
        };
    }

    private final DnsValidator validator;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final Scheduler scheduler;
    private final Cache<Key, Slot> slots;

    /** What a snapshot answers for. */
    private record Key(String accountId, String domainId, List<DnsRecord> records, DomainSettings settings) {}

    /** The schedule of one snapshot identity: when its lookups last started, and the one waiting to start. */
    private static final class Slot {
        long lastStart;
        boolean started;
        CompletableFuture<DnsValidation> waiting;
    }

    /** Creates snapshots whose lookups start at most once per {@code interval} ({@link Duration#ZERO}: no limit). */
    public DnsSnapshots(DnsValidator validator, Duration interval) {
        this(validator, interval, System::nanoTime, Scheduler.DEFAULT);
    }

    /** Creates snapshots measured on {@code nanoTime} and started through {@code scheduler} (tests pass their own). */
    DnsSnapshots(DnsValidator validator, Duration interval, LongSupplier nanoTime, Scheduler scheduler) {
        this.validator = requireNonNull(validator, "validator");
        requireNonNull(interval, "interval");
        checkArgument(!interval.isNegative(), "interval: %s (expected: >= 0)", interval);
        this.intervalNanos = interval.toNanos();
        this.nanoTime = requireNonNull(nanoTime, "nanoTime");
        this.scheduler = requireNonNull(scheduler, "scheduler");
        // A slot only needs to outlive the interval; kept a little longer so a steady poller keeps its slot.
        this.slots = CacheBuilder.newBuilder()
                .expireAfterAccess(interval.plusSeconds(10))
                .maximumSize(MAX_TRACKED)
                .build();
    }

    /**
     * Returns a snapshot of {@code domain} whose lookups started after this call. Blocks until they
     * finish (each has its own timeout); call it off the event loop.
     */
    public DnsValidation snapshot(Domain domain) {
        return snapshotAsync(domain).join();
    }

    /** Returns the snapshot {@link #snapshot} waits for. */
    CompletableFuture<DnsValidation> snapshotAsync(Domain domain) {
        requireNonNull(domain, "domain");
        Key key = new Key(domain.accountId(), domain.id(), domain.records(), domain.settings());
        Slot slot;
        try {
            slot = slots.get(key, Slot::new);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        CompletableFuture<DnsValidation> result;
        long delay;
        synchronized (slot) {
            if (slot.waiting != null) {
                return slot.waiting; // Not started yet, so it starts after this request arrived.
            }
            long now = nanoTime.getAsLong();
            long startAt = slot.started ? Math.max(now, slot.lastStart + intervalNanos) : now;
            result = new CompletableFuture<>();
            slot.waiting = result;
            slot.lastStart = startAt;
            slot.started = true;
            delay = startAt - now;
        }
        scheduler.runAfter(delay, () -> start(slot, key, result));
        return result;
    }

    private void start(Slot slot, Key key, CompletableFuture<DnsValidation> result) {
        synchronized (slot) {
            if (slot.waiting == result) {
                slot.waiting = null; // Requests from now on need lookups that start later.
            }
        }
        try {
            validator.validate(key.records(), key.settings()).whenComplete((v, e) -> {
                if (e != null) {
                    result.completeExceptionally(e);
                } else {
                    result.complete(v);
                }
            });
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
        }
    }
}
