package dev.domainkeeper.store;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.jdbi.v3.core.Jdbi;

/** Stores the keys that encrypt page tokens ({@code page_token_keys}), shared by every node. */
public final class PageTokenKeyStore {
    private final Jdbi jdbi;

    public PageTokenKeyStore(Jdbi jdbi) {
        this.jdbi = requireNonNull(jdbi, "jdbi");
    }

    /** One key: its id, its secret (base64) and when it was made (epoch milliseconds). */
    public record StoredKey(long id, String secret, long createdAt) {
        public StoredKey {
            requireNonNull(secret, "secret");
        }

        /** Keeps the secret out of logs. */
        @Override
        public String toString() {
            return "StoredKey[id=" + id + ", createdAt=" + createdAt + "]";
        }
    }

    /** Returns every key, newest first. */
    public List<StoredKey> all() {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT id, secret, created_at FROM page_token_keys ORDER BY created_at DESC, id DESC")
                .map((rs, ctx) -> new StoredKey(rs.getLong("id"), rs.getString("secret"), rs.getLong("created_at")))
                .list());
    }

    /** Adds {@code key} unless a key with its id exists (another node made it first); says whether it was added. */
    public boolean addIfAbsent(StoredKey key) {
        return jdbi.withHandle(h -> h.createUpdate("INSERT INTO page_token_keys (id, secret, created_at) "
                                + "VALUES (:id, :secret, :created) ON CONFLICT (id) DO NOTHING")
                        .bind("id", key.id())
                        .bind("secret", key.secret())
                        .bind("created", key.createdAt())
                        .execute())
                > 0;
    }

    /** Deletes the keys made before {@code before} (epoch milliseconds); returns how many. */
    public int deleteMadeBefore(long before) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM page_token_keys WHERE created_at < :before")
                .bind("before", before)
                .execute());
    }
}
