package dev.domainkeeper.store;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Stores accounts and their API keys (only the hash of a key is ever stored). */
public final class AccountStore {
    private final Jdbi jdbi;

    public AccountStore(Jdbi jdbi) {
        this.jdbi = requireNonNull(jdbi, "jdbi");
    }

    /** An account row. */
    public record AccountRow(String id, String name, long createdAt, int activeKeys) {}

    /** An API key row (without its hash). */
    public record ApiKeyRow(String id, String accountId, String prefix, long createdAt, Long revokedAt) {}

    /** Inserts an account and its first key in one transaction. */
    public void insertAccountWithKey(String accountId, String name, String keyId, String prefix, String keyHash,
                                     long now) {
        jdbi.useTransaction(h -> {
            h.createUpdate("INSERT INTO accounts (id, name, created_at) VALUES (:id, :name, :now)")
                    .bind("id", accountId).bind("name", name).bind("now", now).execute();
            insertKey(h, keyId, accountId, prefix, keyHash, now);
        });
    }

    /** Inserts a key for an existing account. */
    public void insertKey(String keyId, String accountId, String prefix, String keyHash, long now) {
        jdbi.useHandle(h -> insertKey(h, keyId, accountId, prefix, keyHash, now));
    }

    private static void insertKey(org.jdbi.v3.core.Handle h, String keyId, String accountId, String prefix,
                                  String keyHash, long now) {
        h.createUpdate("INSERT INTO api_keys (id, account_id, prefix, key_hash, created_at) "
                        + "VALUES (:id, :account, :prefix, :hash, :now)")
                .bind("id", keyId).bind("account", accountId).bind("prefix", prefix).bind("hash", keyHash)
                .bind("now", now).execute();
    }

    /** Returns the account named {@code name}. */
    public Optional<AccountRow> findAccountByName(String name) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT a.id, a.name, a.created_at, "
                                + "(SELECT COUNT(*) FROM api_keys k WHERE k.account_id = a.id AND k.revoked_at IS NULL) "
                                + "AS active_keys FROM accounts a WHERE a.name = :name")
                .bind("name", name)
                .map((rs, ctx) -> new AccountRow(rs.getString("id"), rs.getString("name"), rs.getLong("created_at"),
                        rs.getInt("active_keys")))
                .findOne());
    }

    /** Returns every account in creation order. */
    public List<AccountRow> listAccounts() {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT a.id, a.name, a.created_at, "
                                + "(SELECT COUNT(*) FROM api_keys k WHERE k.account_id = a.id AND k.revoked_at IS NULL) "
                                + "AS active_keys FROM accounts a ORDER BY a.created_at, a.id")
                .map((rs, ctx) -> new AccountRow(rs.getString("id"), rs.getString("name"), rs.getLong("created_at"),
                        rs.getInt("active_keys")))
                .list());
    }

    /** Returns the keys of an account (hashes left out). */
    public List<ApiKeyRow> listKeys(String accountId) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT id, account_id, prefix, created_at, revoked_at FROM api_keys "
                                + "WHERE account_id = :account ORDER BY created_at, id")
                .bind("account", accountId)
                .map((rs, ctx) -> new ApiKeyRow(rs.getString("id"), rs.getString("account_id"),
                        rs.getString("prefix"), rs.getLong("created_at"),
                        rs.getObject("revoked_at") == null ? null : rs.getLong("revoked_at")))
                .list());
    }

    /** Returns the account id owning the unrevoked key with this hash. */
    public Optional<String> findAccountIdByKeyHash(String keyHash) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT account_id FROM api_keys WHERE key_hash = :hash AND revoked_at IS NULL")
                .bind("hash", keyHash).mapTo(String.class).findOne());
    }

    /** Returns true when a key with this hash exists (revoked or not). */
    public boolean keyHashExists(String keyHash) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM api_keys WHERE key_hash = :hash")
                .bind("hash", keyHash).mapTo(Integer.class).one()) > 0;
    }

    /** Revokes the key with this prefix; returns false when there is no unrevoked key with it. */
    public boolean revokeByPrefix(String prefix, long now) {
        return jdbi.withHandle(h -> h.createUpdate(
                        "UPDATE api_keys SET revoked_at = :now WHERE prefix = :prefix AND revoked_at IS NULL")
                .bind("now", now).bind("prefix", prefix).execute()) > 0;
    }

    /** Reads a shared secret, creating it with {@code candidate} when absent (first writer wins). */
    public String sharedSecret(String name, String candidate) {
        return jdbi.inTransaction(h -> {
            Optional<String> existing = h.createQuery("SELECT value FROM server_secrets WHERE name = :name")
                    .bind("name", name).mapTo(String.class).findOne();
            if (existing.isPresent()) {
                return existing.get();
            }
            h.createUpdate("INSERT INTO server_secrets (name, value) VALUES (:name, :value)")
                    .bind("name", name).bind("value", candidate).execute();
            return candidate;
        });
    }
}
