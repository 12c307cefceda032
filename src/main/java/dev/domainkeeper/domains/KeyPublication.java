package dev.domainkeeper.domains;

import dev.domainkeeper.domain.DnsRecord;
import dev.domainkeeper.domain.Domain;

/**
 * Tells whether DNS serves a record of a domain where it counts before SES is switched to a new DKIM
 * key: on the authoritative name servers of the record's zone.
 */
@FunctionalInterface
public interface KeyPublication {
    /** Returns true when {@code record} of {@code domain} is served as planned. */
    boolean served(Domain domain, DnsRecord record);
}
