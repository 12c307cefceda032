package dev.domainkeeper.store;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Stores accounts, their API keys (only the hash of a key is ever stored) and the Route 53 hosted
 * zones granted to them.
 */
public final class AccountStore {
    /** The zone id of a grant of every hosted zone. */
    public static final String ALL_ZONES = "*";

    private final Jdbi jdbi;

    public AccountStore(Jdbi jdbi) {
        this.jdbi = requireNonNull(jdbi, "jdbi");
    }

    /** An account row. */
    public record AccountRow(String id, String name, long createdAt, int activeKeys) {}

    /** An API key row (without its hash). */
    public record ApiKeyRow(String id, String accountId, String prefix, long createdAt, Long revokedAt) {}

    /** Inserts an account and its first key in one transaction. */
    public void insertAccountWithKey(
            String accountId, String name, String keyId, String prefix, String keyHash, long now) {
        jdbi.useTransaction(h -> {
            h.createUpdate("INSERT INTO accounts (id, name, created_at) VALUES (:id, :name, :now)")
                    .bind("id", accountId)
                    .bind("name", name)
                    .bind("now", now)
                    .execute();
            insertKey(h, keyId, accountId, prefix, keyHash, now);
        });
    }

    private static void insertKey(
            org.jdbi.v3.core.Handle h, String keyId, String accountId, String prefix, String keyHash, long now) {
        h.createUpdate("INSERT INTO api_keys (id, account_id, prefix, key_hash, created_at) "
                        + "VALUES (:id, :account, :prefix, :hash, :now)")
                .bind("id", keyId)
                .bind("account", accountId)
                .bind("prefix", prefix)
                .bind("hash", keyHash)
                .bind("now", now)
                .execute();
    }

    /**
     * Makes sure the account {@code name} exists and holds the key {@code keyHash}; with
     * {@code retiredPrefix}, the key is made active again if it was revoked, and the account's other
     * keys whose prefix starts with it (the keys an earlier bootstrap key left) are revoked. Every statement tolerates another node doing the same at the same moment:
     * the inserts do nothing when the row is there already, and no statement fails on a race.
     *
     * @return the account's id
     */
    public String ensureAccountWithKey(
            String accountId,
            String name,
            String keyId,
            String prefix,
            String keyHash,
            Optional<String> retiredPrefix,
            long now) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO accounts (id, name, created_at) VALUES (:id, :name, :now) "
                        + "ON CONFLICT (name) DO NOTHING")
                .bind("id", accountId)
                .bind("name", name)
                .bind("now", now)
                .execute());
        String account = jdbi.withHandle(h -> h.createQuery("SELECT id FROM accounts WHERE name = :name")
                .bind("name", name)
                .mapTo(String.class)
                .one());
        jdbi.useHandle(h -> {
            h.createUpdate("INSERT INTO api_keys (id, account_id, prefix, key_hash, created_at) "
                            + "VALUES (:id, :account, :prefix, :hash, :now) ON CONFLICT DO NOTHING")
                    .bind("id", keyId)
                    .bind("account", account)
                    .bind("prefix", prefix)
                    .bind("hash", keyHash)
                    .bind("now", now)
                    .execute();
            if (retiredPrefix.isEmpty()) {
                return;
            }
            String retired = retiredPrefix.get();
            // Configured again after it was retired: the operator wants it back.
            h.createUpdate("UPDATE api_keys SET revoked_at = NULL WHERE key_hash = :hash AND account_id = :account "
                            + "AND revoked_at IS NOT NULL AND SUBSTR(prefix, 1, :length) = :retired")
                    .bind("hash", keyHash)
                    .bind("account", account)
                    .bind("length", retired.length())
                    .bind("retired", retired)
                    .execute();
            h.createUpdate("UPDATE api_keys SET revoked_at = :now WHERE account_id = :account AND key_hash <> :hash "
                            + "AND revoked_at IS NULL AND SUBSTR(prefix, 1, :length) = :retired")
                    .bind("now", now)
                    .bind("account", account)
                    .bind("hash", keyHash)
                    .bind("length", retired.length())
                    .bind("retired", retired)
                    .execute();
        });
        return account;
    }

    /** Returns the account named {@code name}. */
    public Optional<AccountRow> findAccountByName(String name) {
        return jdbi.withHandle(h -> h.createQuery("SELECT a.id, a.name, a.created_at, "
                        + "(SELECT COUNT(*) FROM api_keys k WHERE k.account_id = a.id AND k.revoked_at IS NULL) "
                        + "AS active_keys FROM accounts a WHERE a.name = :name")
                .bind("name", name)
                .map((rs, ctx) -> new AccountRow(
                        rs.getString("id"), rs.getString("name"), rs.getLong("created_at"), rs.getInt("active_keys")))
                .findOne());
    }

    /** Returns the account with this id. */
    public Optional<AccountRow> findAccountById(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT a.id, a.name, a.created_at, "
                        + "(SELECT COUNT(*) FROM api_keys k WHERE k.account_id = a.id AND k.revoked_at IS NULL) "
                        + "AS active_keys FROM accounts a WHERE a.id = :id")
                .bind("id", id)
                .map((rs, ctx) -> new AccountRow(
                        rs.getString("id"), rs.getString("name"), rs.getLong("created_at"), rs.getInt("active_keys")))
                .findOne());
    }

    /** Returns every account in creation order. */
    public List<AccountRow> listAccounts() {
        return jdbi.withHandle(h -> h.createQuery("SELECT a.id, a.name, a.created_at, "
                        + "(SELECT COUNT(*) FROM api_keys k WHERE k.account_id = a.id AND k.revoked_at IS NULL) "
                        + "AS active_keys FROM accounts a ORDER BY a.created_at, a.id")
                .map((rs, ctx) -> new AccountRow(
                        rs.getString("id"), rs.getString("name"), rs.getLong("created_at"), rs.getInt("active_keys")))
                .list());
    }

    /** Returns the keys of an account (hashes left out). */
    public List<ApiKeyRow> listKeys(String accountId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT id, account_id, prefix, created_at, revoked_at FROM api_keys "
                        + "WHERE account_id = :account ORDER BY created_at, id")
                .bind("account", accountId)
                .map((rs, ctx) -> new ApiKeyRow(
                        rs.getString("id"),
                        rs.getString("account_id"),
                        rs.getString("prefix"),
                        rs.getLong("created_at"),
                        rs.getObject("revoked_at") == null ? null : rs.getLong("revoked_at")))
                .list());
    }

    /** Returns the account id owning the unrevoked key with this hash. */
    public Optional<String> findAccountIdByKeyHash(String keyHash) {
        return jdbi.withHandle(
                h -> h.createQuery("SELECT account_id FROM api_keys WHERE key_hash = :hash AND revoked_at IS NULL")
                        .bind("hash", keyHash)
                        .mapTo(String.class)
                        .findOne());
    }

    /** Revokes the key with this prefix; returns false when there is no unrevoked key with it. */
    public boolean revokeByPrefix(String prefix, long now) {
        return jdbi.withHandle(h -> h.createUpdate(
                                "UPDATE api_keys SET revoked_at = :now WHERE prefix = :prefix AND revoked_at IS NULL")
                        .bind("now", now)
                        .bind("prefix", prefix)
                        .execute())
                > 0;
    }

    /**
     * Grants the account the hosted zones {@code zoneIds} ({@link #ALL_ZONES} for every zone);
     * zones already granted stay as they are.
     */
    public void grantZones(String accountId, Collection<String> zoneIds, long now) {
        jdbi.useTransaction(h -> {
            for (String zone : zoneIds) {
                boolean held = h.createQuery("SELECT COUNT(*) FROM zone_grants WHERE account_id = :account "
                                        + "AND zone_id = :zone")
                                .bind("account", accountId)
                                .bind("zone", zone)
                                .mapTo(Integer.class)
                                .one()
                        > 0;
                if (!held) {
                    h.createUpdate("INSERT INTO zone_grants (account_id, zone_id, created_at) "
                                    + "VALUES (:account, :zone, :now)")
                            .bind("account", accountId)
                            .bind("zone", zone)
                            .bind("now", now)
                            .execute();
                }
            }
        });
    }

    /** Takes the grants of {@code zoneIds} back; returns how many there were. */
    public int revokeZones(String accountId, Collection<String> zoneIds) {
        if (zoneIds.isEmpty()) {
            return 0;
        }
        return jdbi.withHandle(
                h -> h.createUpdate("DELETE FROM zone_grants WHERE account_id = :account " + "AND zone_id IN (<zones>)")
                        .bind("account", accountId)
                        .bindList("zones", List.copyOf(zoneIds))
                        .execute());
    }

    /** Takes every grant of the account back, {@link #ALL_ZONES} included; returns how many there were. */
    public int revokeAllZones(String accountId) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM zone_grants WHERE account_id = :account")
                .bind("account", accountId)
                .execute());
    }

    /** Returns the zone ids granted to the account, sorted ({@link #ALL_ZONES} first when present). */
    public List<String> zoneGrants(String accountId) {
        return jdbi.withHandle(
                h -> h.createQuery("SELECT zone_id FROM zone_grants WHERE account_id = :account " + "ORDER BY zone_id")
                        .bind("account", accountId)
                        .mapTo(String.class)
                        .list());
    }

    /** Returns true when the account may publish to the zone: it is granted, or every zone is. */
    public boolean zoneGranted(String accountId, String zoneId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM zone_grants WHERE account_id = :account "
                                + "AND zone_id IN (:zone, :all)")
                        .bind("account", accountId)
                        .bind("zone", zoneId)
                        .bind("all", ALL_ZONES)
                        .mapTo(Integer.class)
                        .one())
                > 0;
    }

    /** Sets how many domains the account may hold; returns false when there is no such account. */
    public boolean setDomainQuota(String accountId, int quota) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE accounts SET domain_quota = :quota WHERE id = :id")
                        .bind("quota", quota)
                        .bind("id", accountId)
                        .execute())
                == 1;
    }

    /** Returns how many domains the account may hold. */
    public int domainQuota(String accountId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT domain_quota FROM accounts WHERE id = :id")
                .bind("id", accountId)
                .mapTo(Integer.class)
                .one());
    }

    /** Sets how many NORMAL test emails the account may send a day (null: the configured default); false when no such account. */
    public boolean setTestSendsPerDay(String accountId, Integer perDay) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE accounts SET test_sends_per_day = :perDay WHERE id = :id")
                        .bind("perDay", perDay)
                        .bind("id", accountId)
                        .execute())
                == 1;
    }

    /** Returns the account's own daily limit of NORMAL test emails, or empty when it has the configured default. */
    public Optional<Integer> testSendsPerDay(String accountId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT test_sends_per_day FROM accounts WHERE id = :id")
                .bind("id", accountId)
                .map((rs, ctx) -> {
                    int v = rs.getInt(1);
                    return rs.wasNull() ? Optional.<Integer>empty() : Optional.of(v);
                })
                .findOne()
                .flatMap(v -> v));
    }

    /** Returns how many domains the account holds, in any provisioning state (what the quota counts). */
    public long domainCount(String accountId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM domains WHERE account_id = :id")
                .bind("id", accountId)
                .mapTo(Long.class)
                .one());
    }
}
