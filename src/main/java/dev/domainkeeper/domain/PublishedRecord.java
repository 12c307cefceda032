package dev.domainkeeper.domain;

import static java.util.Objects.requireNonNull;

/**
 * Records one record Domainkeeper published for a domain through a DNS provider, so that RemoveDomain
 * can take back exactly what it wrote (and nothing someone changed since).
 *
 * @param zoneId the provider's zone the record was written to
 * @param record the record as written: for an SPF record the value published (a merged SPF with the
 *     SES include, say), for an MX record the host with its priority
 * @param created true when the zone held nothing of the record's kind at its name before Domainkeeper
 *     wrote it (no CNAME or MX record set, no SPF or DMARC value), so taking it back may delete it
 */
public record PublishedRecord(String zoneId, DnsRecord record, boolean created) {
    public PublishedRecord {
        requireNonNull(zoneId, "zoneId");
        requireNonNull(record, "record");
    }
}
