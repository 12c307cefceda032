package dev.domainkeeper.dnshosting;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Describes a hosted zone at a DNS provider.
 *
 * @param id the provider's id (for Route 53 without the {@code /hostedzone/} prefix)
 * @param name the zone's apex, lower case, without a trailing dot
 * @param privateZone whether the zone answers only inside private networks
 * @param recordCount how many record sets the zone holds
 * @param nameServers the name servers the provider serves the zone from, without trailing dots;
 *     empty when the provider reports none (private zones)
 */
public record HostedZone(String id, String name, boolean privateZone, long recordCount, List<String> nameServers) {
    public HostedZone {
        requireNonNull(id, "id");
        requireNonNull(name, "name");
        nameServers = List.copyOf(requireNonNull(nameServers, "nameServers"));
        if (id.isBlank()) {
            throw new IllegalArgumentException("id: '" + id + "' (expected: not blank)");
        }
        if (recordCount < 0) {
            throw new IllegalArgumentException("recordCount: " + recordCount + " (expected: >= 0)");
        }
        name = RecordSet.normalizeName(name, "name");
    }
}
