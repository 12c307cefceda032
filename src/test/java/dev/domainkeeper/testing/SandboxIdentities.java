package dev.domainkeeper.testing;

import org.jdbi.v3.core.Jdbi;

/**
 * Puts identities into the sandbox SES's table the way someone using the same SES account outside
 * Domainkeeper (the console, the CLI, another tool) would: verified, and without Domainkeeper's tag
 * unless one is given.
 */
public final class SandboxIdentities {
    private SandboxIdentities() {}

    /** Creates a verified identity for {@code domain} in {@code region} tagged {@code ownerTag} (null: untagged). */
    public static void createOutsideDomainkeeper(Jdbi jdbi, String region, String domain, String ownerTag) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO sandbox_identities (region, domain, dkim_tokens, "
                        + "verification_status, dkim_status, mail_from_domain, mail_from_status, receiving, "
                        + "created_at, "
                        + "owner_tag) VALUES (:region, :domain, 'x1,x2,x3', 'SUCCESS', 'SUCCESS', NULL, 'NOT_STARTED', "
                        + "FALSE, :now, :owner)")
                .bind("region", region)
                .bind("domain", domain)
                .bind("now", System.currentTimeMillis())
                .bind("owner", ownerTag)
                .execute());
    }

    /** Returns the owner tag of the sandbox identity, or null; fails when there is no such identity. */
    public static String ownerTag(Jdbi jdbi, String domain) {
        return jdbi.withHandle(h -> h.createQuery("SELECT owner_tag FROM sandbox_identities WHERE domain = :domain")
                .bind("domain", domain)
                .mapTo(String.class)
                .one());
    }

    /** Returns true when the sandbox holds an identity for {@code domain} (in any region). */
    public static boolean exists(Jdbi jdbi, String domain) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM sandbox_identities WHERE domain = :domain")
                        .bind("domain", domain)
                        .mapTo(Integer.class)
                        .one())
                > 0;
    }
}
