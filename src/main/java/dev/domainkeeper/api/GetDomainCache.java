package dev.domainkeeper.api;

import static java.util.Objects.requireNonNull;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import dev.domainkeeper.domain.Domain;
import dev.domainkeeper.domains.DomainService;
import dev.domainkeeper.proto.domains.v1.GetDomainResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * The answers of plain GetDomain calls (no live DNS check asked for), kept per account and domain and
 * given again while the domain's read stamp ({@link DomainService#readStamp}) is unchanged. Each call
 * still reads the stamp, one lookup by key, so an answer is never older than the database: a change
 * made by any node (an update, a background SES check, a DNS health check, a removal) is seen by the
 * next read on every node. What the cache saves is reading and mapping the whole row and its health,
 * and writing the same JSON again ({@link ReusedJson}).
 *
 * <p>The stamp is read before the answer is built, so a change that lands in between leaves the
 * stored stamp older than the answer: the next call rebuilds it. A cached answer is given to the
 * account it was built for only, and only after the stamp query, which is scoped by account, found
 * the domain in that account.
 */
final class GetDomainCache {
    /** At most this many answers are kept (a few KiB each, with their JSON). */
    static final int MAX_ENTRIES = 1_000;
    /** An answer not asked for this long is dropped. */
    static final Duration IDLE = Duration.ofMinutes(5);

    private final DomainService domains;
    private final ReusedJson json;
    private final Cache<Key, Entry> entries = CacheBuilder.newBuilder()
            .maximumSize(MAX_ENTRIES)
            .expireAfterAccess(IDLE)
            .build();

    GetDomainCache(DomainService domains, ReusedJson json) {
        this.domains = requireNonNull(domains, "domains");
        this.json = requireNonNull(json, "json");
    }

    /**
     * Returns the answer for this domain of this account: the kept one while the stamp is unchanged
     * and no SES refresh is due, else {@code build} applied to a fresh read ({@link DomainService#get},
     * which throws for a domain the account does not hold).
     */
    GetDomainResponse get(String accountId, String id, Function<Domain, GetDomainResponse> build) {
        Optional<String> stamp = domains.readStamp(accountId, id);
        Key key = new Key(accountId, id);
        if (stamp.isEmpty()) {
            // Not (or no longer) a domain of this account: the read says so.
            entries.invalidate(key);
            return build.apply(domains.get(accountId, id));
        }
        Entry kept = current(key, stamp.get());
        if (kept != null) {
            return kept.response();
        }
        Domain domain = domains.get(accountId, id);
        GetDomainResponse response = build.apply(domain);
        entries.put(key, new Entry(stamp.get(), domain, response));
        json.add(response);
        return response;
    }

    /**
     * Returns the JSON of the kept answer for this domain of this account when it is still the answer
     * (as {@link #get} would give it) and was written as JSON before; else null.
     */
    byte[] keptJson(String accountId, String id) {
        Optional<String> stamp = domains.readStamp(accountId, id);
        Entry kept = stamp.isEmpty() ? null : current(new Key(accountId, id), stamp.get());
        return kept == null ? null : json.written(kept.response());
    }

    /** Returns the kept entry when it was kept at {@code stamp} and no SES refresh is due; else null. */
    private Entry current(Key key, String stamp) {
        Entry kept = entries.getIfPresent(key);
        return kept != null && kept.stamp().equals(stamp) && !domains.refreshDue(kept.domain()) ? kept : null;
    }

    private record Key(String accountId, String id) {}

    private record Entry(String stamp, Domain domain, GetDomainResponse response) {}
}
