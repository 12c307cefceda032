package dev.domainkeeper.store;

import static java.util.Objects.requireNonNull;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Stores the accounts' DNS connections. Every query is scoped by account: a connection id of
 * another account is not found. The secret column holds only a sealed value.
 */
public final class DnsConnectionStore {
    private static final String COLUMNS = "id, account_id, kind, display_name, zones, server, tsig_key_name,"
            + " tsig_algorithm, route53_mode, role_arn, external_id, sealed_secret, created_at";

    private final Jdbi jdbi;

    public DnsConnectionStore(Jdbi jdbi) {
        this.jdbi = requireNonNull(jdbi, "jdbi");
    }

    /**
     * A connection row; the optional settings are null when the kind has none, {@code sealedSecret}
     * is a {@code SecretBox} value or null.
     */
    public record Row(
            String id,
            String accountId,
            String kind,
            String displayName,
            List<String> zones,
            String server,
            String tsigKeyName,
            String tsigAlgorithm,
            String route53Mode,
            String roleArn,
            String externalId,
            String sealedSecret,
            long createdAt) {
        public Row {
            requireNonNull(id, "id");
            requireNonNull(accountId, "accountId");
            requireNonNull(kind, "kind");
            requireNonNull(displayName, "displayName");
            zones = List.copyOf(zones);
        }
    }

    /** Inserts a connection unless the account already holds {@code limit}; returns whether it did. */
    public boolean insert(Row r, int limit) {
        return jdbi.inTransaction(h -> {
            int held = h.createQuery("SELECT COUNT(*) FROM dns_connections WHERE account_id = :account")
                    .bind("account", r.accountId())
                    .mapTo(Integer.class)
                    .one();
            if (held >= limit) {
                return false;
            }
            h.createUpdate("INSERT INTO dns_connections (" + COLUMNS + ") VALUES (:id, :account, :kind, :name,"
                            + " :zones, :server, :keyName, :algorithm, :mode, :roleArn, :externalId, :secret, :now)")
                    .bind("id", r.id())
                    .bind("account", r.accountId())
                    .bind("kind", r.kind())
                    .bind("name", r.displayName())
                    .bind("zones", String.join(" ", r.zones()))
                    .bind("server", r.server())
                    .bind("keyName", r.tsigKeyName())
                    .bind("algorithm", r.tsigAlgorithm())
                    .bind("mode", r.route53Mode())
                    .bind("roleArn", r.roleArn())
                    .bind("externalId", r.externalId())
                    .bind("secret", r.sealedSecret())
                    .bind("now", r.createdAt())
                    .execute();
            return true;
        });
    }

    /** Returns the account's connections, oldest first. */
    public List<Row> list(String accountId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS
                        + " FROM dns_connections WHERE account_id = :account ORDER BY created_at, id")
                .bind("account", accountId)
                .map(DnsConnectionStore::row)
                .list());
    }

    /** Returns the account's connection with this id. */
    public Optional<Row> find(String accountId, String id) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT " + COLUMNS + " FROM dns_connections WHERE account_id = :account AND id = :id")
                .bind("account", accountId)
                .bind("id", id)
                .map(DnsConnectionStore::row)
                .findOne());
    }

    /** Deletes the account's connection with this id; returns whether there was one. */
    public boolean delete(String accountId, String id) {
        return jdbi.withHandle(
                        h -> h.createUpdate("DELETE FROM dns_connections WHERE account_id = :account AND id = :id")
                                .bind("account", accountId)
                                .bind("id", id)
                                .execute())
                > 0;
    }

    private static Row row(ResultSet rs, StatementContext ctx) throws SQLException {
        String zones = rs.getString("zones");
        return new Row(
                rs.getString("id"),
                rs.getString("account_id"),
                rs.getString("kind"),
                rs.getString("display_name"),
                zones.isBlank() ? List.of() : Arrays.asList(zones.split(" ")),
                rs.getString("server"),
                rs.getString("tsig_key_name"),
                rs.getString("tsig_algorithm"),
                rs.getString("route53_mode"),
                rs.getString("role_arn"),
                rs.getString("external_id"),
                rs.getString("sealed_secret"),
                rs.getLong("created_at"));
    }
}
