package dev.domainkeeper.app;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.base.Ticker;
import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import dev.domainkeeper.dns.DnsValidation;
import dev.domainkeeper.dns.DnsValidator;
import dev.domainkeeper.domain.DnsRecord;
import dev.domainkeeper.domain.Domain;
import dev.domainkeeper.domain.DomainSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Serves DNS validation snapshots of domains, each kept for a few seconds so that a client polling
 * GetDomain in a loop does not flood the resolvers. A snapshot is cached under the account, the
 * domain id and the records and settings it checked: another account never gets it, and a domain
 * whose settings changed is checked again at once. Callers asking for the same domain at the same
 * time share one set of lookups.
 */
public final class DnsSnapshots {
    /** The most snapshots kept at once; the oldest go first. */
    static final int MAX_CACHED = 10_000;

    private final DnsValidator validator;
    private final Cache<Key, CompletableFuture<DnsValidation>> cache;

    /** What a snapshot answers for. */
    private record Key(String accountId, String domainId, List<DnsRecord> records, DomainSettings settings) {}

    /**
     * Creates snapshots that live for {@code ttl} ({@link Duration#ZERO} turns caching off), measured
     * on {@code clock}.
     */
    public DnsSnapshots(DnsValidator validator, Duration ttl, Clock clock) {
        this.validator = requireNonNull(validator, "validator");
        requireNonNull(ttl, "ttl");
        requireNonNull(clock, "clock");
        checkArgument(!ttl.isNegative(), "ttl: %s (expected: >= 0)", ttl);
        this.cache = CacheBuilder.newBuilder()
                .expireAfterWrite(ttl)
                .maximumSize(ttl.isZero() ? 0 : MAX_CACHED)
                .ticker(new Ticker() {
                    @Override
                    public long read() {
                        return TimeUnit.MILLISECONDS.toNanos(clock.millis());
                    }
                })
                .build();
    }

    /**
     * Returns the snapshot of {@code domain}: a cached one younger than the configured time, or a new
     * one. Blocks until the lookups finish (each has its own timeout); call it off the event loop.
     */
    public DnsValidation snapshot(Domain domain) {
        requireNonNull(domain, "domain");
        Key key = key(domain);
        try {
            CompletableFuture<DnsValidation> future = cache.get(key, () -> validate(key));
            return future.join();
        } catch (ExecutionException e) {
            throw new IllegalStateException("DNS validation of " + domain.name() + " failed", e.getCause());
        }
    }

    /** Returns a new snapshot of {@code domain}, made now, and keeps it for the next callers. */
    public DnsValidation fresh(Domain domain) {
        requireNonNull(domain, "domain");
        Key key = key(domain);
        CompletableFuture<DnsValidation> future = validate(key);
        cache.put(key, future);
        return future.join();
    }

    private CompletableFuture<DnsValidation> validate(Key key) {
        CompletableFuture<DnsValidation> future = validator.validate(key.records(), key.settings());
        // The validator does not fail, but if it ever does, the failure must not be served for seconds.
        future.whenComplete((v, e) -> {
            if (e != null) {
                cache.asMap().remove(key, future);
            }
        });
        return future;
    }

    private static Key key(Domain domain) {
        return new Key(domain.accountId(), domain.id(), domain.records(), domain.settings());
    }
}
