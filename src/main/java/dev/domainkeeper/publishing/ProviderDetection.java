package dev.domainkeeper.publishing;

import dev.domainkeeper.dns.DnsAnswer;
import dev.domainkeeper.dns.DnsLookup;
import dev.domainkeeper.domain.HostNames;
import dev.domainkeeper.domain.RecordType;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Tells which DNS provider a domain's NS records point at, from the name servers' host names, and
 * the step that would let Domainkeeper publish there.
 */
public final class ProviderDetection {
    private static final long LOOKUP_LIMIT_MS = 10_000;

    /**
     * A provider recognised from the name servers.
     *
     * @param provider the provider's name, e.g. "Cloudflare"; "your own name servers" when unknown
     * @param nameServers the name servers found
     * @param enableAutomation the step that would enable publishing, in one sentence
     */
    public record Detected(String provider, List<String> nameServers, String enableAutomation) {
        public Detected {
            nameServers = List.copyOf(nameServers);
        }
    }

    private record Known(String provider, String step, String... suffixes) {}

    private static final String MANUAL = "Domainkeeper cannot publish there yet: publish the records GetDomain"
            + " shows, or export them with GET /domains/{id}/records?format=bind|octodns|dnscontrol|terraform";

    private static final List<Known> KNOWN = List.of(
            new Known(
                    "Amazon Route 53",
                    "Create a ROUTE53 DNS connection (mode ASSUME_ROLE for a zone in your own AWS account), or ask"
                            + " the operator to grant the zone to this account",
                    "awsdns"),
            new Known(
                    "Cloudflare",
                    "Create a CLOUDFLARE DNS connection with an API token allowed Zone:Read and DNS:Edit on the zone",
                    "ns.cloudflare.com"),
            new Known("Google Cloud DNS", MANUAL, "googledomains.com", "ns-cloud"),
            new Known("Azure DNS", MANUAL, "azure-dns.com", "azure-dns.net", "azure-dns.org", "azure-dns.info"),
            new Known("GoDaddy", MANUAL, "domaincontrol.com"),
            new Known("Namecheap", MANUAL, "registrar-servers.com"),
            new Known("DigitalOcean", MANUAL, "digitalocean.com"),
            new Known("Hetzner", MANUAL, "hetzner.com", "hetzner.de"));

    private ProviderDetection() {}

    /** Looks up the NS records of {@code domain} or its closest parent that has some, and names the provider. */
    static Optional<Detected> detect(DnsLookup dns, String domain) {
        String name = HostNames.normalize(domain);
        while (name.indexOf('.') > 0) {
            List<String> ns = nameServers(dns, name);
            if (!ns.isEmpty()) {
                return Optional.of(recognise(ns));
            }
            name = name.substring(name.indexOf('.') + 1);
        }
        return Optional.empty();
    }

    /** Names the provider of these name servers. */
    static Detected recognise(List<String> ns) {
        for (Known k : KNOWN) {
            for (String server : ns) {
                for (String suffix : k.suffixes()) {
                    if (server.contains(suffix)) {
                        return new Detected(k.provider(), ns, k.step());
                    }
                }
            }
        }
        return new Detected(
                "your own name servers",
                ns,
                "If the primary server accepts RFC 2136 dynamic updates signed with TSIG (BIND, Knot, PowerDNS),"
                        + " create an RFC2136 DNS connection for the zone; otherwise " + MANUAL);
    }

    private static List<String> nameServers(DnsLookup dns, String name) {
        DnsAnswer answer;
        try {
            answer = dns.query(name, RecordType.NS).get(LOOKUP_LIMIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        } catch (ExecutionException | TimeoutException e) {
            return List.of();
        }
        if (answer.outcome() != DnsAnswer.Outcome.FOUND) {
            return List.of();
        }
        return answer.records().stream()
                .map(v -> HostNames.normalize(v.value()))
                .sorted()
                .distinct()
                .toList();
    }
}
