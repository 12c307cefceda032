package dev.domainkeeper.accounts;

import static java.util.Objects.requireNonNull;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import com.google.common.hash.Hashing;
import dev.domainkeeper.domain.Ids;
import dev.domainkeeper.domain.InvalidInputException;
import dev.domainkeeper.errors.AlreadyExistsException;
import dev.domainkeeper.errors.NotFoundException;
import dev.domainkeeper.errors.UnauthenticatedException;
import dev.domainkeeper.store.AccountStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Creates accounts and API keys, checks keys and revokes them. Keys carry 160 random bits, start
 * with {@code dk_} and are stored only as their SHA-256 hash; the first 11 characters (the
 * prefix) identify a key in listings and for revocation.
 *
 * <p>Also holds what the operator lets an account use of the operator's AWS account: the Route 53
 * hosted zones granted to it (none until the operator grants some), and how many domains it may hold
 * ({@link #DEFAULT_DOMAIN_QUOTA} unless the operator sets another quota); see docs/SECURITY.md.
 */
public final class AccountService {
    static final String KEY_PREFIX = "dk_";
    /** How the prefixes of bootstrap keys start; a changed bootstrap key revokes the account's others. */
    static final String BOOTSTRAP_PREFIX = "boot_";

    private static final int PREFIX_LENGTH = 11;
    /**
     * How long a node trusts a key it has checked without asking the database again: the bound on how
     * long a key revoked by another process (the CLI, another node) keeps working on this node.
     * Revocations through this instance take effect at once.
     */
    public static final Duration KEY_CACHE_STALENESS = Duration.ofSeconds(2);

    private static final int KEY_CACHE_SIZE = 10_000;
    /** A Route 53 hosted zone id, as Route 53 prints it (upper-case letters and digits). */
    private static final Pattern ZONE_ID = Pattern.compile("[A-Z0-9]{1,32}");

    private static final String ZONE_PATH_PREFIX = "/HOSTEDZONE/";
    /** The domain quota of an account the operator has not set one for (the schema's default). */
    public static final int DEFAULT_DOMAIN_QUOTA = 1000;
    /** The largest domain quota that can be set: SES allows 10,000 identities per region, 1,000,000 is far beyond. */
    static final int MAX_DOMAIN_QUOTA = 1_000_000;

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

    /**
     * Makes sure an account {@code default} exists and holds {@code key}; bootstrap keys it held
     * before stay valid. Nodes that start at the same moment on one database all succeed: nothing
     * here fails on a race.
     */
    public void ensureBootstrapKey(String key) {
        bootstrap(key, false);
    }

    /**
     * Makes {@code key} the bootstrap key, as the server does at start with
     * {@code DOMAINKEEPER_BOOTSTRAP_API_KEY}: like {@link #ensureBootstrapKey}, and the bootstrap keys
     * the account {@code default} held before are revoked, so a changed setting retires the old key.
     */
    public void useBootstrapKey(String key) {
        bootstrap(key, true);
    }

    private void bootstrap(String key, boolean retireOthers) {
        String hash = hash(key);
        // Named by its hash, not its first characters: a developer's keys often share a beginning.
        String prefix = BOOTSTRAP_PREFIX + hash.substring(0, 8);
        store.ensureAccountWithKey(
                Ids.newId("acc"),
                "default",
                Ids.newId("key"),
                prefix,
                hash,
                retireOthers ? Optional.of(BOOTSTRAP_PREFIX) : Optional.empty(),
                clock.millis());
        checkedKeys.invalidateAll(); // A retired bootstrap key is refused at once on this node.
    }

    /**
     * Returns the account id for a bearer key that {@link #authenticate} found active within
     * {@link #KEY_CACHE_STALENESS}, without asking the database (so callable on an event loop); empty
     * when it did not, whether or not the key is valid.
     */
    public Optional<String> authenticatedRecently(String key) {
        if (key == null || key.isBlank()) {
            return Optional.empty();
        }
        return Optional.ofNullable(checkedKeys.getIfPresent(hash(key.trim())));
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

    /** The Route 53 hosted zones granted to an account: every zone, or the ones listed (sorted). */
    public record ZoneGrants(boolean all, List<String> zoneIds) {
        public ZoneGrants {
            zoneIds = List.copyOf(zoneIds);
        }

        /** Returns true when no zone at all is granted. */
        public boolean none() {
            return !all && zoneIds.isEmpty();
        }

        /** Describes the grants in one line, e.g. {@code all zones} or {@code Z1, Z2}. */
        public String describe() {
            if (all) {
                return zoneIds.isEmpty() ? "all zones" : "all zones (and " + String.join(", ", zoneIds) + ")";
            }
            return zoneIds.isEmpty() ? "none" : String.join(", ", zoneIds);
        }
    }

    /**
     * Grants the account named {@code accountName} every hosted zone of the operator's Route 53
     * ({@code all}) or the zones {@code zoneIds}; returns its grants afterwards.
     *
     * @throws InvalidInputException unless exactly one of {@code all} and {@code zoneIds} is given, or
     *     for a zone id that is not one
     * @throws NotFoundException when there is no such account
     */
    public ZoneGrants grantZones(String accountName, boolean all, List<String> zoneIds) {
        String accountId = accountIdNamed(accountName);
        List<String> zones = zoneSelection("grant-zones", all, zoneIds);
        store.grantZones(accountId, zones, clock.millis());
        return zoneGrants(accountId);
    }

    /**
     * Takes zones back from the account named {@code accountName}: every grant ({@code all}) or the
     * zones {@code zoneIds}; returns its grants afterwards.
     *
     * @throws InvalidInputException as {@link #grantZones}
     * @throws NotFoundException when there is no such account
     */
    public ZoneGrants revokeZones(String accountName, boolean all, List<String> zoneIds) {
        String accountId = accountIdNamed(accountName);
        List<String> zones = zoneSelection("revoke-zones", all, zoneIds);
        if (all) {
            store.revokeAllZones(accountId);
        } else {
            store.revokeZones(accountId, zones);
        }
        return zoneGrants(accountId);
    }

    /** Returns the zones granted to the account with this id. */
    public ZoneGrants zoneGrants(String accountId) {
        List<String> rows = store.zoneGrants(accountId);
        return new ZoneGrants(
                rows.contains(AccountStore.ALL_ZONES),
                rows.stream().filter(z -> !z.equals(AccountStore.ALL_ZONES)).toList());
    }

    /** Returns true when the account with this id may publish records to the Route 53 hosted zone {@code zoneId}. */
    public boolean mayPublishTo(String accountId, String zoneId) {
        return store.zoneGranted(accountId, normalizedZoneId(zoneId));
    }

    /** An account's domain quota and how many domains it holds now. */
    public record DomainQuota(int quota, long held) {}

    /**
     * Sets how many domains the account named {@code accountName} may hold (0 stops new adds); domains
     * it already holds beyond it stay. Returns the quota and the count.
     *
     * @throws InvalidInputException for a negative quota or one above 1,000,000
     * @throws NotFoundException when there is no such account
     */
    public DomainQuota setDomainQuota(String accountName, int quota) {
        if (quota < 0 || quota > MAX_DOMAIN_QUOTA) {
            throw new InvalidInputException(
                    "domains: " + quota + " (expected: a quota from 0 to " + MAX_DOMAIN_QUOTA + ")");
        }
        String accountId = accountIdNamed(accountName);
        store.setDomainQuota(accountId, quota);
        return domainQuota(accountId);
    }

    /** The largest daily limit of NORMAL test emails that can be set. */
    static final int MAX_TEST_SENDS_PER_DAY = 10_000_000;

    /**
     * Sets how many NORMAL test emails the account named {@code accountName} may send a UTC day (0 stops
     * them), in place of the configured default.
     *
     * @throws InvalidInputException for a negative limit or one above 10,000,000
     * @throws NotFoundException when there is no such account
     */
    public void setTestSendsPerDay(String accountName, int perDay) {
        if (perDay < 0 || perDay > MAX_TEST_SENDS_PER_DAY) {
            throw new InvalidInputException(
                    "test-sends-per-day: " + perDay + " (expected: a limit from 0 to " + MAX_TEST_SENDS_PER_DAY + ")");
        }
        store.setTestSendsPerDay(accountIdNamed(accountName), perDay);
    }

    /** Returns the account's own daily limit of NORMAL test emails, or empty when it has the configured default. */
    public Optional<Integer> testSendsPerDay(String accountId) {
        return store.testSendsPerDay(accountId);
    }

    /** Returns the domain quota of the account with this id and how many domains it holds. */
    public DomainQuota domainQuota(String accountId) {
        return new DomainQuota(store.domainQuota(accountId), store.domainCount(accountId));
    }

    /** Returns the name of the account with this id (for messages that name a command to run). */
    public String accountName(String accountId) {
        return store.findAccountById(accountId)
                .map(AccountStore.AccountRow::name)
                .orElseThrow(() -> new NotFoundException("account: no account with id " + accountId));
    }

    private String accountIdNamed(String accountName) {
        String n = accountName == null ? "" : accountName.trim();
        return store.findAccountByName(n)
                .map(AccountStore.AccountRow::id)
                .orElseThrow(() -> new NotFoundException("account: no account named \"" + n
                        + "\" (expected: a name shown by ./domainkeeper accounts list)"));
    }

    /** Returns the zone ids to store for {@code all} or {@code zoneIds}, refusing neither or both. */
    private static List<String> zoneSelection(String command, boolean all, List<String> zoneIds) {
        List<String> given = zoneIds == null ? List.of() : zoneIds;
        if (all == !given.isEmpty()) {
            throw new InvalidInputException("zones: " + (all ? "--all and zone ids both given" : "none given")
                    + " (expected: ./domainkeeper accounts " + command + " ACCOUNT_NAME --all, or one or more "
                    + "Route 53 hosted zone ids)");
        }
        if (all) {
            return List.of(AccountStore.ALL_ZONES);
        }
        List<String> zones = new ArrayList<>();
        for (String z : given) {
            String id = normalizedZoneId(z);
            if (!ZONE_ID.matcher(id).matches()) {
                throw new InvalidInputException("zone id: \"" + z + "\" is not a Route 53 hosted zone id "
                        + "(expected: letters and digits such as Z1D633PJN98FT9, as `aws route53 list-hosted-zones` "
                        + "shows it)");
            }
            if (!zones.contains(id)) {
                zones.add(id);
            }
        }
        return zones;
    }

    /** Upper-cases a zone id and drops a {@code /hostedzone/} prefix, as Route 53 ids are written both ways. */
    private static String normalizedZoneId(String zoneId) {
        String id = zoneId == null ? "" : zoneId.trim().toUpperCase(Locale.ROOT);
        return id.startsWith(ZONE_PATH_PREFIX) ? id.substring(ZONE_PATH_PREFIX.length()) : id;
    }

    private static String prefixOf(String key) {
        return key.substring(0, PREFIX_LENGTH);
    }

    private static String hash(String key) {
        return Hashing.sha256().hashString(key, StandardCharsets.UTF_8).toString();
    }
}
