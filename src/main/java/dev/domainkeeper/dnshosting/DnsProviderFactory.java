package dev.domainkeeper.dnshosting;

/**
 * Builds the {@link DnsProvider} of an account's DNS connection from its settings and its opened
 * secret. Wired once with the adapters; the secrets pass through and are never kept beyond the
 * provider built.
 */
public interface DnsProviderFactory {

    /** Returns a Cloudflare provider that authenticates with {@code apiToken}. */
    DnsProvider cloudflare(String apiToken);

    /**
     * Returns a provider that reads zones by queries to {@code server} and writes them with RFC 2136
     * updates signed with the TSIG key.
     *
     * @param server {@code host:port} of the primary server
     * @param keyName the TSIG key's name
     * @param algorithm the TSIG algorithm, e.g. {@code hmac-sha256}
     * @param secret the TSIG secret in base64
     */
    DnsProvider rfc2136(String server, String keyName, String algorithm, String secret);

    /**
     * Returns a Route 53 provider acting through {@code roleArn} in the customer's AWS account,
     * assumed with {@code externalId}.
     */
    DnsProvider route53AssumeRole(String roleArn, String externalId);

    /**
     * Returns the AWS principal (an ARN) that customers' roles must trust for
     * {@link #route53AssumeRole}: the one Domainkeeper calls STS as.
     *
     * @throws dev.domainkeeper.errors.PreconditionFailedException when it cannot be told
     */
    String awsPrincipal();

    /** Returns the Route 53 provider of the operator's credentials, when Route 53 automation is configured. */
    java.util.Optional<DnsProvider> operatorRoute53();
}
