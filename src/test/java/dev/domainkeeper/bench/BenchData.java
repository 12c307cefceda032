package dev.domainkeeper.bench;

import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/** Loads many domains straight into the database, shaped exactly like the ones AddDomain stores. */
final class BenchData {
    private BenchData() {}

    /**
     * Inserts {@code count} READY domains of the {@code default} account with all three statuses set to
     * {@code status}; with {@code sandboxIdentities} also their sandbox SES identities. Returns nothing
     * but leaves the creation-order counter after the last one.
     */
    static void insertDomains(Jdbi jdbi, int count, String status, boolean sandboxIdentities, long nextCheckAt) {
        String account = jdbi.withHandle(h -> h.createQuery("SELECT id FROM accounts WHERE name = 'default'")
                .mapTo(String.class)
                .one());
        long now = System.currentTimeMillis();
        jdbi.useTransaction(h -> {
            PreparedBatch domains = h.prepareBatch("INSERT INTO domains (id, seq, account_id, name, region, "
                    + "send_enabled, receive_enabled, dmarc_enabled, dmarc_policy, dmarc_report_email, spf_mode, "
                    + "spf_value, mail_from_domain, provisioning, verification_status, dkim_status, mail_from_status, "
                    + "dkim_tokens, dkim_signing_zone, ses_sync_needed, next_check_at, check_attempts, apply_status, "
                    + "apply_provider, apply_change_id, apply_error, apply_failed, created_at, updated_at, version) "
                    + "VALUES (:id, :seq, :account, :name, 'us-east-1', TRUE, FALSE, TRUE, 'NONE', '', "
                    + "'CREATE_IF_MISSING', '', :mailFrom, 'READY', :status, :status, :status, :tokens, "
                    + "'dkim.amazonses.com', FALSE, :next, 0, 'NOT_APPLIED', '', '', '', '[]', :now, :now, 0)");
            PreparedBatch identities = h.prepareBatch("INSERT INTO sandbox_identities (region, domain, dkim_tokens, "
                    + "verification_status, dkim_status, mail_from_domain, mail_from_status, receiving, created_at) "
                    + "VALUES ('us-east-1', :name, :tokens, :status, :status, :mailFrom, :status, FALSE, :now)");
            for (int i = 1; i <= count; i++) {
                String name = "bench" + i + ".example.com";
                String tokens = "a" + i + ",b" + i + ",c" + i;
                domains.bind("id", String.format("dom_bench%015d", i))
                        .bind("seq", (long) i)
                        .bind("account", account)
                        .bind("name", name)
                        .bind("mailFrom", "mail." + name)
                        .bind("status", status)
                        .bind("tokens", tokens)
                        .bind("next", nextCheckAt)
                        .bind("now", now + i)
                        .add();
                if (sandboxIdentities) {
                    identities
                            .bind("name", name)
                            .bind("tokens", tokens)
                            .bind("mailFrom", "mail." + name)
                            .bind("status", status)
                            .bind("now", now)
                            .add();
                }
                if (i % 5000 == 0 || i == count) {
                    domains.execute();
                    if (sandboxIdentities) {
                        identities.execute();
                    }
                }
            }
            h.createUpdate("UPDATE counters SET value = :n WHERE name = 'domain_seq'")
                    .bind("n", (long) count)
                    .execute();
        });
    }
}
