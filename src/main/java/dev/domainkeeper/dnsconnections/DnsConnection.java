package dev.domainkeeper.dnsconnections;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Describes an account's connection to a DNS host, as shown to the account: never with its secret.
 *
 * @param id the connection id ({@code dnc_...})
 * @param accountId the owning account
 * @param kind the kind of DNS host
 * @param displayName a name for people
 * @param zones the zones the connection serves, lower case, without trailing dot
 * @param createdAt when it was created
 * @param hasSecret whether an (encrypted) secret is stored for it
 * @param rfc2136 the RFC 2136 settings, for kind RFC2136
 * @param route53 the Route 53 settings, for kind ROUTE53
 */
public record DnsConnection(
        String id,
        String accountId,
        Kind kind,
        String displayName,
        List<String> zones,
        Instant createdAt,
        boolean hasSecret,
        Optional<Rfc2136> rfc2136,
        Optional<Route53> route53) {
    public DnsConnection {
        requireNonNull(id, "id");
        requireNonNull(accountId, "accountId");
        requireNonNull(kind, "kind");
        requireNonNull(displayName, "displayName");
        zones = List.copyOf(zones);
        requireNonNull(createdAt, "createdAt");
        requireNonNull(rfc2136, "rfc2136");
        requireNonNull(route53, "route53");
    }

    /** The kinds of DNS host. */
    public enum Kind {
        CLOUDFLARE,
        RFC2136,
        ROUTE53
    }

    /** Whose credentials reach a Route 53 connection's zones. */
    public enum Route53Mode {
        /** The operator's, for zones granted to the account. */
        OPERATOR,
        /** A role in the customer's AWS account, assumed with the connection's external id. */
        ASSUME_ROLE
    }

    /** An RFC 2136 connection's settings, without the TSIG secret. */
    public record Rfc2136(String server, String keyName, String algorithm) {}

    /**
     * A Route 53 connection's settings; for ASSUME_ROLE the role, the generated external id and the
     * policies to paste.
     */
    public record Route53(
            Route53Mode mode,
            String roleArn,
            String externalId,
            String trustPolicyJson,
            String permissionsPolicyJson) {}
}
