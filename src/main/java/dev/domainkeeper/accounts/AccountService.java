package dev.domainkeeper.accounts;

import dev.domainkeeper.errors.NotFoundException;
import dev.domainkeeper.errors.UnauthenticatedException;

import dev.domainkeeper.errors.AlreadyExistsException;
import static java.util.Objects.requireNonNull;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import java.time.Duration;

import com.google.common.hash.Hashing;
import dev.domainkeeper.domain.Ids;
import dev.domainkeeper.domain.InvalidInputException;
import dev.domainkeeper.store.AccountStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Optional;

/**
 * Creates accounts and API keys, checks keys and revokes them. Keys carry 160 random bits, start
 * with {@code dk_} and are stored only as their SHA-256 hash; the first 11 characters (the
 * prefix) identify a key in listings and for revocation.
 */
public final class AccountService {
    static final String KEY_PREFIX = "dk_";
    private static final int PREFIX_LENGTH = 11;
    /**
     * How long a node trusts a key it has checked without asking the database again: the bound on how
     * long a key revoked by another process (the CLI, another node) keeps working on this node.
     * Revocations through this instance take effect at once.
     */
    public static final Duration KEY_CACHE_STALENESS = Duration.ofSeconds(2);
    private static final int KEY_CACHE_SIZE = 10_000;

    private final AccountStore store;
    private final Clock clock;
    /** Key hash → account id, for keys found active; unknown keys are never cached. */
    private final Cache<String, String> checkedKeys = CacheBuilder.newBuilder()
            .expireAfterWrite(KEY_CACHE_STALENESS)
            .maximumSize(KEY_CACHE_SIZE)
            .build();

    public AccountService(AccountStore store, Clock clock) {
        this.store = requireNonNull(store, "store");
        this.clock = requireNonNull(clock, "clock");
    }

    /** A newly created key, shown once. */
    public record NewKey(String accountId, String prefix, String key) {}

    /** Creates an account named {@code name} with a first API key. */
    public NewKey createAccount(String name) {
        String n = name == null ? "" : name.trim();
        if (!n.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
            throw new InvalidInputException("name: \"" + name
                    + "\" is not a valid account name (expected: 1-100 letters, digits, '.', '_' or '-')");
        }
        if (store.findAccountByName(n).isPresent()) {
            throw new AlreadyExistsException("name: an account named \"" + n + "\" already exists");
        }
        String key = KEY_PREFIX + Ids.random("", 32).substring(1);
        String accountId = Ids.newId("acc");
        store.insertAccountWithKey(accountId, n, Ids.newId("key"), prefixOf(key), hash(key), clock.millis());
        return new NewKey(accountId, prefixOf(key), key);
    }

    /** Makes sure an account {@code default} exists and holds {@code key}. */
    public void ensureBootstrapKey(String key) {
        String hash = hash(key);
        if (store.keyHashExists(hash)) {
            return;
        }
        // Named by its hash, not its first characters: a developer's keys often share a beginning.
        String prefix = "boot_" + hash.substring(0, 8);
        Optional<AccountStore.AccountRow> account = store.findAccountByName("default");
        if (account.isPresent()) {
            store.insertKey(Ids.newId("key"), account.get().id(), prefix, hash, clock.millis());
        } else {
            store.insertAccountWithKey(Ids.newId("acc"), "default", Ids.newId("key"), prefix, hash, clock.millis());
        }
    }

    /**
     * Returns the account id for a bearer key. A key found active is trusted for
     * {@link #KEY_CACHE_STALENESS} without another database lookup.
     *
     * @throws UnauthenticatedException when the key is missing, unknown or revoked
     */
    public String authenticate(String key) {
        if (key == null || key.isBlank()) {
            throw new UnauthenticatedException("missing API key (expected: header Authorization: Bearer <api key>)");
        }
        String hash = hash(key.trim());
        String cached = checkedKeys.getIfPresent(hash);
        if (cached != null) {
            return cached;
        }
        String accountId = store.findAccountIdByKeyHash(hash)
                .orElseThrow(() -> new UnauthenticatedException("API key is unknown or revoked"));
        checkedKeys.put(hash, accountId);
        return accountId;
    }

    /** Revokes the key whose prefix is {@code prefix}; this instance stops accepting it at once. */
    public void revoke(String prefix) {
        if (!store.revokeByPrefix(prefix == null ? "" : prefix.trim(), clock.millis())) {
            throw new NotFoundException("prefix: no active API key starts with \"" + prefix + "\"");
        }
        checkedKeys.invalidateAll();
    }

    private static String prefixOf(String key) {
        return key.substring(0, PREFIX_LENGTH);
    }

    private static String hash(String key) {
        return Hashing.sha256().hashString(key, StandardCharsets.UTF_8).toString();
    }
}
