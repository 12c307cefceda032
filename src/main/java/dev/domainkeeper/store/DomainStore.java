package dev.domainkeeper.store;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.domainkeeper.domain.ApplyState;
import dev.domainkeeper.domain.DkimKeyLength;
import dev.domainkeeper.domain.DkimKeys;
import dev.domainkeeper.domain.DkimRotation;
import dev.domainkeeper.domain.DkimSetup;
import dev.domainkeeper.domain.DmarcPolicy;
import dev.domainkeeper.domain.DnsRecord;
import dev.domainkeeper.domain.Domain;
import dev.domainkeeper.domain.DomainName;
import dev.domainkeeper.domain.DomainSettings;
import dev.domainkeeper.domain.ExternalDkimKey;
import dev.domainkeeper.domain.IdentityStatus;
import dev.domainkeeper.domain.PublishedRecord;
import dev.domainkeeper.domain.RecordPurpose;
import dev.domainkeeper.domain.RecordType;
import dev.domainkeeper.domain.SpfMode;
import dev.domainkeeper.jobs.JobQueue;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.SqlStatement;

/**
 * Stores domains, always scoped by account for what the API reads, plus the job queues of the
 * background verifier ({@link #checksDue}) and the DNS change tracker ({@link #changesApplying}), and
 * the events outbox.
 */
public final class DomainStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COLUMNS = "id, account_id, name, region, send_enabled, receive_enabled, "
            + "dmarc_enabled, dmarc_policy, dmarc_report_email, spf_mode, spf_value, mail_from_domain, provisioning, "
            + "verification_status, dkim_status, mail_from_status, dkim_tokens, dkim_signing_zone, ses_sync_needed, "
            + "ses_checked_at, next_check_at, check_attempts, apply_status, apply_provider, apply_change_id, "
            + "apply_applied_at, apply_error, apply_failed, created_at, updated_at, version, dkim_key_length, "
            + "dkim_next_key_length, dkim_key_generated_at, dkim_selector, dkim_public_key, dkim_private_key_sealed, "
            + "dkim_incoming_selector, dkim_incoming_public_key, dkim_incoming_private_key_sealed, dkim_incoming_stage, "
            + "dkim_outgoing_selector, dkim_outgoing_public_key, dkim_outgoing_stage, dkim_switched_at, "
            + "dkim_rotation_days";
    private static final List<String> COLUMN_NAMES = List.of(COLUMNS.split(", "));
    /** The insert, its values named after the columns; built once. */
    private static final String INSERT = "INSERT INTO domains (" + COLUMNS + ", seq, lease_owner, lease_until) VALUES ("
            + COLUMN_NAMES.stream().map(c -> ":" + c).collect(Collectors.joining(", "))
            + ", :seq, :lease_owner, :lease_until)";
    /** The optimistic update of every column a writer may change; built once. */
    private static final String UPDATE = "UPDATE domains SET "
            + COLUMN_NAMES.stream()
                    .filter(c -> !c.equals("id")
                            && !c.equals("account_id")
                            && !c.equals("created_at")
                            && !c.equals("version")
                            && !c.equals("updated_at"))
                    .map(c -> c + " = :" + c)
                    .collect(Collectors.joining(", "))
            + ", updated_at = :now, version = version + 1 WHERE id = :id AND version = :version";
    /** The reads of one domain, by the columns that select it. */
    private static final String FIND = "SELECT " + COLUMNS + " FROM domains WHERE id = :id AND account_id = :account";

    private static final String FIND_BY_ID = "SELECT " + COLUMNS + " FROM domains WHERE id = :id";
    private static final String FIND_BY_NAME = "SELECT " + COLUMNS + " FROM domains WHERE name = :name";
    private static final String LIST = "SELECT " + COLUMNS + ", seq FROM domains WHERE account_id = :account"
            + " AND provisioning = 'READY' AND seq > :after ORDER BY seq LIMIT :limit";
    /** The JDBC index of {@code seq} in {@link #LIST}: right after {@link #COLUMNS}. */
    private static final int LIST_SEQ = COLUMN_NAMES.size() + 1;

    private static final ObjectReader FAILED_READER = JSON.readerFor(new TypeReference<List<FailedJson>>() {});
    /** The rows as {@link #map} reads them, by column position (a lookup by name per column costs more). */
    private static final RowMapper<Domain> DOMAIN = (rs, ctx) -> map(rs);

    private static final RowMapper<Listed> LISTED = (rs, ctx) -> new Listed(rs.getLong(LIST_SEQ), map(rs));
    /** Domains whose next SES check is due (the verifier's jobs). */
    private static final String CHECK_DUE = "next_check_at <= :now";
    /** Domains whose records were submitted to a DNS provider and are not yet in sync (the tracker's jobs). */
    private static final String APPLYING = "apply_status = 'APPLYING'";

    /**
     * What {@link #readStamp} reads: everything of a domain that changes what a read of it shows. Every
     * write of a column a read shows goes through {@link #UPDATE}, which moves {@code version} on;
     * {@code ses_checked_at} is moved without it ({@link #claimRefresh}); the DNS health row changes
     * its check times at every check, and is there or not.
     */
    private static final String READ_STAMP = "SELECT d.version, d.ses_checked_at, h.checked_at, h.next_check_at,"
            + " h.id FROM domains d LEFT JOIN dns_health h ON h.id = d.id"
            + " WHERE d.id = ? AND d.account_id = ?";

    private final Database database;
    private final Jdbi jdbi;
    private final boolean postgres;

    public DomainStore(Database database) {
        this.database = requireNonNull(database, "database");
        this.jdbi = database.jdbi();
        this.postgres = database.isPostgres();
    }

    /**
     * Inserts a new domain, leased to {@code leaseOwner} until {@code leaseUntil} so that nobody else
     * works on it while its add is in flight, unless the account already holds as many domains as its
     * quota ({@code accounts.domain_quota}) allows.
     *
     * @throws DuplicateKeyException when the name is already held (even with the account at its quota,
     *     so that the retry of an unfinished add can finish it)
     * @throws QuotaReachedException when the account is at its quota
     */
    public void insert(Domain d, String leaseOwner, Instant leaseUntil) {
        try {
            jdbi.useTransaction(h -> {
                // The counter row's lock orders concurrent inserts, so positions commit in increasing order,
                // and the account's domains are counted after every earlier insert committed: concurrent
                // adds cannot pass the quota together.
                h.createUpdate("UPDATE counters SET value = value + 1 WHERE name = 'domain_seq'")
                        .execute();
                long seq = h.createQuery("SELECT value FROM counters WHERE name = 'domain_seq'")
                        .mapTo(Long.class)
                        .one();
                checkQuota(h, d);
                bindAll(h.createUpdate(INSERT), d)
                        .bind("seq", seq)
                        .bind("lease_owner", leaseOwner)
                        .bind("lease_until", leaseUntil.toEpochMilli())
                        .execute();
            });
        } catch (RuntimeException e) {
            if (DuplicateKeyException.isUniqueViolation(e)) {
                throw new DuplicateKeyException("domain name " + d.name() + " is already held", e);
            }
            throw e;
        }
    }

    /** Throws {@link QuotaReachedException} when the account of {@code d} holds its quota of domains. */
    private static void checkQuota(Handle h, Domain d) {
        record Quota(String name, int quota, long held) {}
        Quota q = h.createQuery("SELECT a.name, a.domain_quota, "
                        + "(SELECT COUNT(*) FROM domains x WHERE x.account_id = a.id) AS held "
                        + "FROM accounts a WHERE a.id = :account")
                .bind("account", d.accountId())
                .map((rs, ctx) -> new Quota(rs.getString("name"), rs.getInt("domain_quota"), rs.getLong("held")))
                .one();
        if (q.held() < q.quota()) {
            return;
        }
        boolean nameHeld = h.createQuery("SELECT COUNT(*) FROM domains WHERE name = :name")
                        .bind("name", d.name().value())
                        .mapTo(Integer.class)
                        .one()
                > 0;
        if (!nameHeld) { // A held name fails the insert as a duplicate instead.
            throw new QuotaReachedException(q.name(), q.held(), q.quota());
        }
    }

    /**
     * Writes {@code d} if the stored version is still {@code d.version()}, bumping the version.
     * Returns the stored domain, or empty when another writer got there first.
     */
    public Optional<Domain> update(Domain d, Instant now) {
        return update(d, now, saved -> List.of());
    }

    /**
     * Writes {@code d} as {@link #update(Domain, Instant)} does and, in the same transaction, appends
     * the events {@code events} makes of the stored domain to the outbox (with their webhook
     * deliveries): the change and its events are stored together or not at all.
     */
    public Optional<Domain> update(Domain d, Instant now, Function<Domain, List<OutboxEvent>> events) {
        return jdbi.inTransaction(h -> {
            int n = bindAll(h.createUpdate(UPDATE), d)
                    .bind("now", now.toEpochMilli())
                    .execute();
            if (n != 1) {
                return Optional.<Domain>empty();
            }
            Domain saved = h.createQuery("SELECT " + COLUMNS + " FROM domains WHERE id = :id")
                    .bind("id", d.id())
                    .map((rs, ctx) -> map(rs))
                    .one();
            events.apply(saved).forEach(e -> Outbox.append(h, e));
            return Optional.of(saved);
        });
    }

    /** Appends one event to the outbox, with its webhook deliveries, in a transaction of its own. */
    public void record(OutboxEvent event) {
        jdbi.useTransaction(h -> Outbox.append(h, event));
    }

    /** Returns the domain with this id in this account, in any provisioning state. */
    public Optional<Domain> find(String accountId, String id) {
        return jdbi.withHandle(h -> h.createQuery(FIND)
                .bind("id", id)
                .bind("account", accountId)
                .map(DOMAIN)
                .findOne());
    }

    /**
     * Returns a stamp of the domain with this id in this account (in any provisioning state) that
     * changes whenever anything a read of it shows changes: its row, its SES check time, its DNS health
     * row; empty when the account holds no such domain. Equal stamps mean an equal read. One lookup by
     * primary key, through JDBC without JDBI's set-up, since a cache asks it on every read.
     */
    public Optional<String> readStamp(String accountId, String id) {
        try (Connection c = database.connection();
                PreparedStatement ps = c.prepareStatement(READ_STAMP)) {
            ps.setString(1, id);
            ps.setString(2, accountId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                StringBuilder stamp = new StringBuilder().append(rs.getLong(1));
                for (int column = 2; column <= 4; column++) {
                    long v = rs.getLong(column);
                    stamp.append(':').append(rs.wasNull() ? "-" : Long.toString(v));
                }
                return Optional.of(
                        stamp.append(rs.getString(5) == null ? ":-" : ":h").toString());
            }
        } catch (SQLException e) {
            // The API maps the database's errors by the cause chain, as it does JDBI's.
            throw new IllegalStateException("reading the stamp of domain " + id + " failed", e);
        }
    }

    /** Returns the domain with this id, whatever its account (background work only). */
    public Optional<Domain> findById(String id) {
        return jdbi.withHandle(
                h -> h.createQuery(FIND_BY_ID).bind("id", id).map(DOMAIN).findOne());
    }

    /** Returns the domain holding this name, whatever its account. */
    public Optional<Domain> findByName(String name) {
        return jdbi.withHandle(
                h -> h.createQuery(FIND_BY_NAME).bind("name", name).map(DOMAIN).findOne());
    }

    /** A domain with its position in creation order. */
    public record Listed(long position, Domain domain) {}

    /**
     * Returns up to {@code limit} READY domains of the account in creation order, after
     * {@code afterPosition} (0 for the start).
     */
    public List<Listed> list(String accountId, long afterPosition, int limit) {
        return jdbi.withHandle(h -> h.createQuery(LIST)
                .bind("account", accountId)
                .bind("after", afterPosition)
                .bind("limit", limit)
                .map(LISTED)
                .list());
    }

    /**
     * Leases the unfinished add of {@code name} in {@code accountId} to {@code owner}, when no live
     * lease holds it; returns the domain so claimed.
     */
    public Optional<Domain> claimUnfinishedAdd(
            String name, String accountId, String owner, Instant now, Instant leaseUntil) {
        int n = jdbi.withHandle(h -> h.createUpdate("UPDATE domains SET lease_owner = :owner, lease_until = :until "
                        + "WHERE name = :name AND account_id = :account AND provisioning = 'CREATING' "
                        + "AND (lease_until IS NULL OR lease_until < :now)")
                .bind("owner", owner)
                .bind("until", leaseUntil.toEpochMilli())
                .bind("now", now.toEpochMilli())
                .bind("name", name)
                .bind("account", accountId)
                .execute());
        return n == 1 ? findByName(name) : Optional.empty();
    }

    /**
     * Leases the domain {@code id} of {@code accountId}, in any provisioning state, to {@code owner} for
     * its removal, when no live lease holds it; returns the domain so claimed. Background jobs claim
     * only rows without a live lease, so none starts on the domain while the removal holds it.
     */
    public Optional<Domain> claimForRemoval(
            String accountId, String id, String owner, Instant now, Instant leaseUntil) {
        int n = jdbi.withHandle(h -> h.createUpdate("UPDATE domains SET lease_owner = :owner, lease_until = :until "
                        + "WHERE id = :id AND account_id = :account AND (lease_until IS NULL OR lease_until < :now)")
                .bind("owner", owner)
                .bind("until", leaseUntil.toEpochMilli())
                .bind("now", now.toEpochMilli())
                .bind("id", id)
                .bind("account", accountId)
                .execute());
        return n == 1 ? find(accountId, id) : Optional.empty();
    }

    /** Deletes the domain if it is still an unfinished add (CREATING); returns false otherwise. */
    public boolean deleteUnfinished(String id) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM domains WHERE id = :id AND provisioning = 'CREATING'")
                        .bind("id", id)
                        .execute())
                == 1;
    }

    /**
     * Deletes the domain, with the records it holds as published, and in the same transaction appends
     * {@code event} to the outbox; returns false (recording nothing) when it was not there.
     */
    public boolean delete(String accountId, String id, OutboxEvent event) {
        return jdbi.inTransaction(h -> {
            boolean deleted = delete(h, accountId, id);
            if (deleted) {
                Outbox.append(h, event);
            }
            return deleted;
        });
    }

    /** Deletes the domain, with the records it holds as published; returns false when it was not there. */
    public boolean delete(String accountId, String id) {
        return jdbi.inTransaction(h -> delete(h, accountId, id));
    }

    private static boolean delete(Handle h, String accountId, String id) {
        int n = h.createUpdate("DELETE FROM domains WHERE id = :id AND account_id = :account")
                .bind("id", id)
                .bind("account", accountId)
                .execute();
        h.createUpdate("DELETE FROM published_records WHERE domain_id = :id AND account_id = :account")
                .bind("id", id)
                .bind("account", accountId)
                .execute();
        return n == 1;
    }

    /** Returns the records Domainkeeper published for the domain {@code d}, in the order they were published. */
    public List<PublishedRecord> published(Domain d) {
        return jdbi.withHandle(h -> h.createQuery("SELECT zone_id, name, type, purpose, value, priority, ttl, created "
                        + "FROM published_records WHERE domain_id = :id AND account_id = :account "
                        + "ORDER BY position")
                .bind("id", d.id())
                .bind("account", d.accountId())
                .map((rs, ctx) -> new PublishedRecord(
                        rs.getString("zone_id"),
                        new DnsRecord(
                                RecordType.valueOf(rs.getString("type")),
                                rs.getString("name"),
                                rs.getString("value"),
                                rs.getInt("priority"),
                                rs.getInt("ttl"),
                                RecordPurpose.valueOf(rs.getString("purpose")),
                                true),
                        rs.getBoolean("created")))
                .list());
    }

    /**
     * Replaces what the domain {@code d} holds as published with {@code records}; nothing is stored when
     * the domain was removed meanwhile.
     */
    public void replacePublished(Domain d, List<PublishedRecord> records, Instant now) {
        jdbi.useTransaction(h -> {
            h.createUpdate("DELETE FROM published_records WHERE domain_id = :id AND account_id = :account")
                    .bind("id", d.id())
                    .bind("account", d.accountId())
                    .execute();
            int position = 0;
            for (PublishedRecord p : records) {
                DnsRecord r = p.record();
                h.createUpdate("INSERT INTO published_records (domain_id, account_id, zone_id, name, type, purpose, "
                                + "value, priority, ttl, created, position, published_at) SELECT :id, :account, :zone, "
                                + ":name, :type, :purpose, :value, :priority, :ttl, :created, :position, :at "
                                + "WHERE EXISTS (SELECT 1 FROM domains WHERE id = :id AND account_id = :account)")
                        .bind("id", d.id())
                        .bind("account", d.accountId())
                        .bind("zone", p.zoneId())
                        .bind("name", r.name())
                        .bind("type", r.type().name())
                        .bind("purpose", r.purpose().name())
                        .bind("value", r.value())
                        .bind("priority", r.priority())
                        .bind("ttl", r.ttl())
                        .bind("created", p.created())
                        .bind("position", position++)
                        .bind("at", now.toEpochMilli())
                        .execute();
            }
        });
    }

    /**
     * Claims up to {@code limit} domains whose next check is due and that no live lease holds, for
     * {@code owner} until {@code leaseUntil}. Two nodes never claim the same domain: on PostgreSQL the
     * candidates are locked with SKIP LOCKED, and the update re-checks the lease either way.
     */
    public List<Domain> claimDue(String owner, Instant now, Instant leaseUntil, int limit) {
        return claim(CHECK_DUE, "next_check_at", owner, now, leaseUntil, limit);
    }

    /**
     * Claims up to {@code limit} domains whose records were submitted to a DNS provider and are not yet
     * in sync (apply status APPLYING), least recently changed first, that no live lease holds.
     */
    public List<Domain> claimApplying(String owner, Instant now, Instant leaseUntil, int limit) {
        return claim(APPLYING, "updated_at", owner, now, leaseUntil, limit);
    }

    /** Returns the queue of domains whose next SES check is due, for the background verifier. */
    public JobQueue<Domain> checksDue() {
        return new Queue(CHECK_DUE, "next_check_at");
    }

    /** Returns the queue of domains whose submitted DNS change is not yet in sync, for the change tracker. */
    public JobQueue<Domain> changesApplying() {
        return new Queue(APPLYING, "updated_at");
    }

    /**
     * Hands out the domains matching one condition to a job loop. The lease columns are shared by every
     * job (and by an add in flight), so a domain is worked by one of them at a time.
     */
    private final class Queue implements JobQueue<Domain> {
        private final String condition;
        private final String order;

        Queue(String condition, String order) {
            this.condition = condition;
            this.order = order;
        }

        @Override
        public List<Domain> claimDue(String claimId, Instant now, Instant leaseUntil, int limit) {
            return claim(condition, order, claimId, now, leaseUntil, limit);
        }

        @Override
        public String id(Domain job) {
            return job.id();
        }

        @Override
        public boolean renewLease(String id, String claimId, Instant leaseUntil) {
            return DomainStore.this.renewLease(id, claimId, leaseUntil);
        }

        @Override
        public void release(String id, String claimId) {
            DomainStore.this.release(id, claimId);
        }
    }

    /** Leases the domains matching {@code condition} (SQL, may use {@code :now}) to {@code owner}. */
    private List<Domain> claim(
            String condition, String order, String owner, Instant now, Instant leaseUntil, int limit) {
        String due = condition + " AND (lease_until IS NULL OR lease_until < :now)";
        return jdbi.inTransaction(h -> {
            h.createUpdate(LeaseClaims.update("domains", due, order, postgres))
                    .bind("claim", owner)
                    .bind("until", leaseUntil.toEpochMilli())
                    .bind("now", now.toEpochMilli())
                    .bind("limit", limit)
                    .execute();
            return h.createQuery(
                            "SELECT " + COLUMNS + " FROM domains WHERE lease_owner = :owner AND lease_until = :until")
                    .bind("owner", owner)
                    .bind("until", leaseUntil.toEpochMilli())
                    .map(DOMAIN)
                    .list();
        });
    }

    /**
     * Moves the domain's SES check time to {@code now} when it is older than {@code staleBefore};
     * returns false when another caller already did (so only one of them asks SES).
     */
    public boolean claimRefresh(String id, Instant now, Instant staleBefore) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE domains SET ses_checked_at = :now WHERE id = :id "
                                + "AND (ses_checked_at IS NULL OR ses_checked_at < :stale)")
                        .bind("now", now.toEpochMilli())
                        .bind("id", id)
                        .bind("stale", staleBefore.toEpochMilli())
                        .execute())
                == 1;
    }

    /** Extends {@code owner}'s lease on the domain; returns false when another worker holds it now. */
    public boolean renewLease(String id, String owner, Instant leaseUntil) {
        return jdbi.withHandle(h -> h.createUpdate(
                                "UPDATE domains SET lease_until = :until " + "WHERE id = :id AND lease_owner = :owner")
                        .bind("until", leaseUntil.toEpochMilli())
                        .bind("id", id)
                        .bind("owner", owner)
                        .execute())
                == 1;
    }

    /** Releases the lease of {@code owner} on the domain. */
    public void release(String id, String owner) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE domains SET lease_owner = NULL, lease_until = NULL "
                        + "WHERE id = :id AND lease_owner = :owner")
                .bind("id", id)
                .bind("owner", owner)
                .execute());
    }

    /** Appends an event to the outbox. */
    public void insertEvent(String eventId, Domain d, String type, Map<String, Object> payload, Instant now) {
        String json;
        try {
            json = JSON.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("event payload is not serializable: " + payload, e);
        }
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO domain_events (id, domain_id, account_id, type, payload, "
                        + "created_at) VALUES (:id, :domain, :account, :type, :payload, :now)")
                .bind("id", eventId)
                .bind("domain", d.id())
                .bind("account", d.accountId())
                .bind("type", type)
                .bind("payload", json)
                .bind("now", now.toEpochMilli())
                .execute());
    }

    /** An event of the outbox. */
    public record Event(String id, String domainId, String accountId, String type, String payload, long createdAt) {}

    /** Returns the events of a domain in order (tests and, later, the publisher). */
    public List<Event> events(String domainId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT id, domain_id, account_id, type, payload, created_at "
                        + "FROM domain_events WHERE domain_id = :domain ORDER BY created_at, id")
                .bind("domain", domainId)
                .map((rs, ctx) -> new Event(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getLong(6)))
                .list());
    }

    private static <S extends SqlStatement<S>> S bindAll(S s, Domain d) {
        DomainSettings st = d.settings();
        DkimRotation r = d.dkimKeys().rotation();
        ApplyState a = d.applyState();
        return s.bind("id", d.id())
                .bind("account_id", d.accountId())
                .bind("name", d.name().value())
                .bind("region", d.region())
                .bind("send_enabled", st.sendEnabled())
                .bind("receive_enabled", st.receiveEnabled())
                .bind("dmarc_enabled", st.dmarcEnabled())
                .bind("dmarc_policy", st.dmarcPolicy().name())
                .bind("dmarc_report_email", st.dmarcReportEmail())
                .bind("spf_mode", st.spfMode().name())
                .bind("spf_value", st.spfValue())
                .bind("mail_from_domain", st.mailFromDomain())
                .bind("provisioning", d.provisioning().name())
                .bind("verification_status", d.verificationStatus().name())
                .bind("dkim_status", d.dkimStatus().name())
                .bind("mail_from_status", d.mailFromStatus().name())
                .bind("dkim_tokens", String.join(",", d.dkim().tokens()))
                .bind("dkim_signing_zone", d.dkim().signingHostedZone())
                .bind("ses_sync_needed", d.sesSyncNeeded())
                .bind(
                        "ses_checked_at",
                        d.sesCheckedAt() == null ? null : d.sesCheckedAt().toEpochMilli())
                .bind("next_check_at", d.nextCheckAt().toEpochMilli())
                .bind("check_attempts", d.checkAttempts())
                .bind("apply_status", a.status().name())
                .bind("apply_provider", a.provider())
                .bind("apply_change_id", a.changeId())
                .bind(
                        "apply_applied_at",
                        a.appliedAt() == null ? null : a.appliedAt().toEpochMilli())
                .bind("apply_error", a.error())
                .bind("apply_failed", failedToJson(a.failed()))
                .bind("created_at", d.createdAt().toEpochMilli())
                .bind("updated_at", d.updatedAt().toEpochMilli())
                .bind("version", d.version())
                .bind("dkim_key_length", d.dkimKeys().current().name())
                .bind("dkim_next_key_length", d.dkimKeys().next().name())
                .bind(
                        "dkim_key_generated_at",
                        d.dkimKeys().lastGeneratedAt() == null
                                ? null
                                : d.dkimKeys().lastGeneratedAt().toEpochMilli())
                .bind(
                        "dkim_selector",
                        external(d).map(ExternalDkimKey::selector).orElse(null))
                .bind(
                        "dkim_public_key",
                        external(d).map(ExternalDkimKey::publicKey).orElse(null))
                .bind(
                        "dkim_private_key_sealed",
                        external(d).map(ExternalDkimKey::sealedPrivateKey).orElse(null))
                .bind("dkim_incoming_selector", key(r.incoming(), ExternalDkimKey::selector))
                .bind("dkim_incoming_public_key", key(r.incoming(), ExternalDkimKey::publicKey))
                .bind("dkim_incoming_private_key_sealed", key(r.incoming(), ExternalDkimKey::sealedPrivateKey))
                .bind(
                        "dkim_incoming_stage",
                        r.incomingStage() == null ? null : r.incomingStage().name())
                .bind("dkim_outgoing_selector", key(r.outgoing(), ExternalDkimKey::selector))
                .bind("dkim_outgoing_public_key", key(r.outgoing(), ExternalDkimKey::publicKey))
                .bind(
                        "dkim_outgoing_stage",
                        r.outgoingStage() == null ? null : r.outgoingStage().name())
                .bind(
                        "dkim_switched_at",
                        r.switchedAt() == null ? null : r.switchedAt().toEpochMilli())
                .bind("dkim_rotation_days", d.dkimKeys().rotationDays());
    }

    private static String key(ExternalDkimKey key, java.util.function.Function<ExternalDkimKey, String> part) {
        return key == null ? null : part.apply(key);
    }

    /** Reads the rotation from columns 38-45. */
    private static DkimRotation rotation(ResultSet rs) throws SQLException {
        String incoming = rs.getString(38);
        String outgoing = rs.getString(42);
        return new DkimRotation(
                incoming == null ? null : new ExternalDkimKey(incoming, rs.getString(39), rs.getString(40)),
                incoming == null ? null : DkimRotation.Stage.valueOf(rs.getString(41)),
                outgoing == null ? null : new ExternalDkimKey(outgoing, rs.getString(43), ""),
                outgoing == null ? null : DkimRotation.Stage.valueOf(rs.getString(44)),
                outgoing == null ? null : instant(rs, 45));
    }

    private static Optional<ExternalDkimKey> external(Domain d) {
        return Optional.ofNullable(d.dkimKeys().external());
    }

    /**
     * Reads a row whose first columns are {@link #COLUMNS}, in that order, by position (1 is
     * {@code id}).
     */
    private static Domain map(ResultSet rs) throws SQLException {
        DomainSettings settings = new DomainSettings(
                rs.getBoolean(5), // send_enabled
                rs.getBoolean(6), // receive_enabled
                rs.getBoolean(7), // dmarc_enabled
                DmarcPolicy.valueOf(rs.getString(8)),
                rs.getString(9), // dmarc_report_email
                SpfMode.valueOf(rs.getString(10)),
                rs.getString(11), // spf_value
                rs.getString(12)); // mail_from_domain
        String tokens = rs.getString(17);
        ApplyState apply = new ApplyState(
                ApplyState.Status.valueOf(rs.getString(23)),
                rs.getString(24), // apply_provider
                rs.getString(25), // apply_change_id
                instant(rs, 26), // apply_applied_at
                rs.getString(27), // apply_error
                failedFromJson(rs.getString(28)));
        return new Domain(
                rs.getString(1), // id
                rs.getString(2), // account_id
                new DomainName(rs.getString(3)),
                rs.getString(4), // region
                settings,
                new Domain.SesState(
                        Domain.Provisioning.valueOf(rs.getString(13)),
                        IdentityStatus.valueOf(rs.getString(14)), // verification_status
                        IdentityStatus.valueOf(rs.getString(15)), // dkim_status
                        IdentityStatus.valueOf(rs.getString(16)), // mail_from_status
                        new DkimSetup(tokens.isEmpty() ? List.of() : List.of(tokens.split(",")), rs.getString(18)),
                        instant(rs, 20), // ses_checked_at
                        new DkimKeys(
                                keyLength(rs.getString(32)), // dkim_key_length
                                keyLength(rs.getString(33)), // dkim_next_key_length
                                instant(rs, 34), // dkim_key_generated_at
                                rs.getString(35) == null // dkim_selector
                                        ? null
                                        : new ExternalDkimKey(
                                                rs.getString(35),
                                                rs.getString(36), // dkim_public_key
                                                rs.getString(37)), // dkim_private_key_sealed
                                rotation(rs),
                                rs.getInt(46))), // dkim_rotation_days (NULL reads as 0)
                new Domain.CheckSchedule(
                        rs.getBoolean(19), // ses_sync_needed
                        Instant.ofEpochMilli(rs.getLong(21)), // next_check_at
                        rs.getInt(22)), // check_attempts
                apply,
                Instant.ofEpochMilli(rs.getLong(29)), // created_at
                Instant.ofEpochMilli(rs.getLong(30)), // updated_at
                rs.getLong(31)); // version
    }

    /** Reads a stored key length; NULL (a row made before key lengths were kept) is the default length. */
    private static DkimKeyLength keyLength(String stored) {
        return stored == null ? DkimKeyLength.DEFAULT : DkimKeyLength.valueOf(stored);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
    }

    /** The JSON shape of a failed record in the {@code apply_failed} column. */
    private record FailedJson(
            String type,
            String name,
            String value,
            int priority,
            int ttl,
            String purpose,
            boolean required,
            String reason) {}

    private static String failedToJson(List<ApplyState.FailedRecord> failed) {
        List<FailedJson> out = new ArrayList<>();
        for (ApplyState.FailedRecord f : failed) {
            DnsRecord r = f.record();
            out.add(new FailedJson(
                    r.type().name(),
                    r.name(),
                    r.value(),
                    r.priority(),
                    r.ttl(),
                    r.purpose().name(),
                    r.required(),
                    f.reason()));
        }
        try {
            return JSON.writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<ApplyState.FailedRecord> failedFromJson(String json) {
        try {
            if (json.equals("[]")) {
                return List.of(); // What almost every row holds.
            }
            List<FailedJson> in = FAILED_READER.readValue(json);
            return in.stream()
                    .map(f -> new ApplyState.FailedRecord(
                            new DnsRecord(
                                    RecordType.valueOf(f.type()),
                                    f.name(),
                                    f.value(),
                                    f.priority(),
                                    f.ttl(),
                                    RecordPurpose.valueOf(f.purpose()),
                                    f.required()),
                            f.reason()))
                    .toList();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("apply_failed column does not hold a JSON list: " + json, e);
        }
    }
}
