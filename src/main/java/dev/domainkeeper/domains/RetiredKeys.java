package dev.domainkeeper.domains;

import dev.domainkeeper.domain.DnsRecord;
import dev.domainkeeper.domain.Domain;
import java.util.List;

/**
 * Takes back the DNS record of a DKIM key whose grace period is over, where Domainkeeper published it
 * (the publishing side implements it; domains cannot depend on it). Returns notes on what was done.
 */
@FunctionalInterface
public interface RetiredKeys {
    /** Does nothing: the record stays where it is, for the customer to remove. */
    RetiredKeys LEAVE = (d, r) -> List.of();

    /**
     * Takes {@code record} back from the domain's zone if Domainkeeper published it there.
     *
     * @throws dev.domainkeeper.errors.RetryLaterException when the provider cannot be asked now
     */
    List<String> takeBack(Domain domain, DnsRecord record);
}
