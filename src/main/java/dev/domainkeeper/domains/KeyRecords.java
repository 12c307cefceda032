package dev.domainkeeper.domains;

import dev.domainkeeper.domain.DnsRecord;
import dev.domainkeeper.domain.Domain;
import java.util.List;

/**
 * Publishes and takes back the DNS records of a rotation's DKIM keys where Domainkeeper can write the
 * domain's zone (the publishing side implements it; domains cannot depend on it).
 */
public interface KeyRecords {
    /** Does nothing: the customer publishes and removes the records. */
    KeyRecords BY_HAND = new KeyRecords() {
        @Override
        public void publish(Domain domain) {}

        @Override
        public List<String> takeBack(Domain domain, DnsRecord record) {
            return List.of();
        }
    };

    /**
     * Publishes the domain's planned records (ApplyDomainRecords) when a DNS connection or a granted
     * zone serves it; does nothing when none does.
     *
     * @throws dev.domainkeeper.errors.RetryLaterException when the provider cannot be asked now
     */
    void publish(Domain domain);

    /**
     * Takes {@code record} back from the domain's zone if Domainkeeper published it there; returns notes.
     *
     * @throws dev.domainkeeper.errors.RetryLaterException when the provider cannot be asked now
     */
    List<String> takeBack(Domain domain, DnsRecord record);
}
