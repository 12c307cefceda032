package dev.domainkeeper.server;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.dnshosting.DnsProvider;
import dev.domainkeeper.dnshosting.DnsProviderFactory;
import dev.domainkeeper.dnshosting.cloudflare.CloudflareProvider;
import dev.domainkeeper.dnshosting.rfc2136.Rfc2136Provider;
import dev.domainkeeper.errors.PreconditionFailedException;
import java.net.http.HttpClient;
import java.util.Optional;

/** Builds the providers of the accounts' DNS connections with the configured endpoints and timeouts. */
final class ConnectionProviders implements DnsProviderFactory {
    private final Config config;
    private final Optional<DnsProvider> operatorRoute53;
    private final HttpClient http;

    ConnectionProviders(Config config, Optional<DnsProvider> operatorRoute53) {
        this.config = requireNonNull(config, "config");
        this.operatorRoute53 = requireNonNull(operatorRoute53, "operatorRoute53");
        this.http = HttpClient.newBuilder()
                .connectTimeout(config.aws().apiCallTimeout())
                .build();
    }

    @Override
    public DnsProvider cloudflare(String apiToken) {
        return CloudflareProvider.create(
                config.dns().cloudflareEndpoint().orElse(CloudflareProvider.API),
                apiToken,
                config.aws().apiCallTimeout(),
                http);
    }

    @Override
    public DnsProvider rfc2136(String server, String keyName, String algorithm, String secret) {
        return Rfc2136Provider.create(
                server, keyName, algorithm, secret, config.dns().timeout());
    }

    @Override
    public DnsProvider route53AssumeRole(String roleArn, String externalId) {
        throw new PreconditionFailedException("route53.mode: ASSUME_ROLE is not available in this version yet"
                + " (expected: OPERATOR, or a CLOUDFLARE or RFC2136 connection)");
    }

    @Override
    public Optional<DnsProvider> operatorRoute53() {
        return operatorRoute53;
    }
}
