package dev.domainkeeper.dnsconnections;

import java.util.List;

/**
 * Holds a create request as received, unvalidated: {@link DnsConnectionService#create} checks
 * every field and names the one that is wrong. Empty strings mean "not given".
 *
 * @param kind CLOUDFLARE, RFC2136 or ROUTE53
 * @param displayName a name for people; empty for the default
 * @param zones the zones the connection serves
 * @param cloudflareToken the Cloudflare API token
 * @param server the RFC 2136 server's host:port
 * @param tsigKeyName the TSIG key's name
 * @param tsigAlgorithm the TSIG algorithm; empty for hmac-sha256
 * @param tsigSecret the TSIG secret in base64
 * @param route53Mode OPERATOR or ASSUME_ROLE
 * @param roleArn the role's ARN for ASSUME_ROLE
 */
public record NewDnsConnection(
        String kind,
        String displayName,
        List<String> zones,
        String cloudflareToken,
        String server,
        String tsigKeyName,
        String tsigAlgorithm,
        String tsigSecret,
        String route53Mode,
        String roleArn) {
    public NewDnsConnection {
        zones = List.copyOf(zones);
    }

    /** Never prints the secrets. */
    @Override
    public String toString() {
        return "NewDnsConnection[kind=" + kind + ", zones=" + zones + ", server=" + server + "]";
    }
}
