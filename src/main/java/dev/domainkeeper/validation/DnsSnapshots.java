package dev.domainkeeper.validation;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import dev.domainkeeper.domain.DnsRecord;
import dev.domainkeeper.domain.Domain;
import dev.domainkeeper.domain.DomainName;
import dev.domainkeeper.domain.DomainSettings;
import dev.domainkeeper.errors.RetryLaterException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
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
 * <p>A snapshot is identified by the account, the domain id, the records and settings it checks, and
 * whether it checks propagation on the authoritative name servers: another account never shares it,
 * a domain whose settings changed is checked at once, and a request asking for propagation never
 * gets a snapshot without it (nor the reverse).
 *
 * <p>One account has at most {@code perAccount} sets of lookups in flight (waiting to start or
 * running), whatever domains they are for; a request that needs one more is refused at once with a
 * retry hint (RESOURCE_EXHAUSTED), so one account cannot occupy the resolvers and the threads that
 * wait for them. A request that shares a set waiting to start adds no lookups and is not counted.
 * A set that checks propagation is one set too: its queries to the name servers are part of it.
 * Each set ends by the validator's overall deadline, so it is held at most one interval plus that
 * deadline.
 */
public final class DnsSnapshots {
    /** The most snapshot identities whose last start is remembered; the least recently used go first. */
    static final int MAX_TRACKED = 10_000;
    /** The most sets of lookups one account may have in flight unless another bound is configured. */
    public static final int DEFAULT_PER_ACCOUNT = 8;
    /** The retry hint given to a request refused because its account is at its bound. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(1);

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
    private final int perAccount;
    /** Sets of lookups in flight per account id; an account leaves the map when its count is 0. */
    private final ConcurrentHashMap<String, Integer> inFlight = new ConcurrentHashMap<>();

    /** What a snapshot answers for. */
    private record Key(
            String accountId,
            String domainId,
            DomainName name,
            List<DnsRecord> records,
            DomainSettings settings,
            boolean propagation) {}

    /** The schedule of one snapshot identity: when its lookups last started, and the one waiting to start. */
    private static final class Slot {
        long lastStart;
        boolean started;
        CompletableFuture<DnsValidation> waiting;
    }

    /** Creates snapshots whose lookups start at most once per {@code interval} ({@link Duration#ZERO}: no limit). */
    public DnsSnapshots(DnsValidator validator, Duration interval) {
        this(validator, interval, DEFAULT_PER_ACCOUNT);
    }

    /** Creates snapshots as above, with at most {@code perAccount} sets of lookups in flight per account. */
    public DnsSnapshots(DnsValidator validator, Duration interval, int perAccount) {
        this(validator, interval, perAccount, System::nanoTime, Scheduler.DEFAULT);
    }

    /** Creates snapshots measured on {@code nanoTime} and started through {@code scheduler} (tests pass their own). */
    DnsSnapshots(DnsValidator validator, Duration interval, LongSupplier nanoTime, Scheduler scheduler) {
        this(validator, interval, DEFAULT_PER_ACCOUNT, nanoTime, scheduler);
    }

    DnsSnapshots(
            DnsValidator validator, Duration interval, int perAccount, LongSupplier nanoTime, Scheduler scheduler) {
        checkArgument(perAccount > 0, "perAccount: %s (expected: > 0)", perAccount);
        this.perAccount = perAccount;
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
     * finish (by the validator's overall deadline at the latest); call it off the event loop.
     */
    public DnsValidation snapshot(Domain domain) {
        return snapshot(domain, false);
    }

    /**
     * Returns a snapshot as {@link #snapshot(Domain)} does that, when {@code propagation} is true,
     * also says for every record how many authoritative name servers of its zone serve it.
     */
    public DnsValidation snapshot(Domain domain, boolean propagation) {
        return snapshotAsync(domain, propagation).join();
    }

    /**
     * Returns the snapshot {@link #snapshot} waits for.
     *
     * @throws RetryLaterException (RESOURCE_EXHAUSTED) when the account has its bound of snapshots in flight
     */
    CompletableFuture<DnsValidation> snapshotAsync(Domain domain) {
        return snapshotAsync(domain, false);
    }

    /** Returns the snapshot {@link #snapshot(Domain, boolean)} waits for; throws as {@link #snapshotAsync(Domain)}. */
    CompletableFuture<DnsValidation> snapshotAsync(Domain domain, boolean propagation) {
        requireNonNull(domain, "domain");
        Key key = new Key(
                domain.accountId(), domain.id(), domain.name(), domain.records(), domain.settings(), propagation);
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
            if (!acquire(key.accountId())) {
                throw new RetryLaterException(
                        RetryLaterException.Reason.RATE_LIMITED,
                        "dns_validation: the account already has " + perAccount + " DNS checks running (limit: "
                                + perAccount + " at a time); try again in " + RETRY_AFTER.toSeconds() + " s",
                        RETRY_AFTER);
            }
            long now = nanoTime.getAsLong();
            long startAt = slot.started ? Math.max(now, slot.lastStart + intervalNanos) : now;
            result = new CompletableFuture<>();
            slot.waiting = result;
            slot.lastStart = startAt;
            slot.started = true;
            delay = startAt - now;
        }
        result.whenComplete((v, e) -> release(key.accountId()));
        scheduler.runAfter(delay, () -> start(slot, key, result));
        return result;
    }

    private boolean acquire(String account) {
        boolean[] acquired = {false};
        inFlight.compute(account, (k, n) -> {
            int held = n == null ? 0 : n;
            if (held >= perAccount) {
                return n;
            }
            acquired[0] = true;
            return held + 1;
        });
        return acquired[0];
    }

    private void release(String account) {
        inFlight.computeIfPresent(account, (k, n) -> n <= 1 ? null : n - 1);
    }

    private void start(Slot slot, Key key, CompletableFuture<DnsValidation> result) {
        synchronized (slot) {
            if (slot.waiting == result) {
                slot.waiting = null; // Requests from now on need lookups that start later.
            }
        }
        try {
            validator
                    .validate(key.records(), key.settings(), key.propagation() ? key.name() : null)
                    .whenComplete((v, e) -> {
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
