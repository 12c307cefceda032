package dev.domainkeeper.server;

import static java.util.Objects.requireNonNull;

import com.google.common.base.Suppliers;
import dev.domainkeeper.dnshosting.DnsProvider;
import dev.domainkeeper.dnshosting.DnsProviderFactory;
import dev.domainkeeper.dnshosting.cloudflare.CloudflareProvider;
import dev.domainkeeper.dnshosting.rfc2136.Rfc2136Provider;
import dev.domainkeeper.dnshosting.route53.AssumedRoles;
import java.net.http.HttpClient;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/** Builds the providers of the accounts' DNS connections with the configured endpoints and timeouts. */
final class ConnectionProviders implements DnsProviderFactory, AutoCloseable {
    private final Config config;
    private final Optional<DnsProvider> operatorRoute53;
    /** Made on first use: building one sets up TLS (about a tenth of the start-up), and most deployments have no Cloudflare connection. */
    private final Supplier<HttpClient> http;
    /** Made on first use: most deployments have no ASSUME_ROLE connection, and start-up stays light. */
    private final Supplier<AssumedRoles> roles;

    private volatile boolean rolesMade;

    ConnectionProviders(Config config, Optional<DnsProvider> operatorRoute53, AwsCredentialsProvider credentials) {
        this.config = requireNonNull(config, "config");
        this.operatorRoute53 = requireNonNull(operatorRoute53, "operatorRoute53");
        requireNonNull(credentials, "credentials");
        this.http = Suppliers.memoize(() -> HttpClient.newBuilder()
                .connectTimeout(config.aws().apiCallTimeout())
                .build());
        this.roles = Suppliers.memoize(() -> {
            rolesMade = true;
            return new AssumedRoles(
                    credentials,
                    config.aws().region(),
                    config.aws().stsEndpoint(),
                    config.aws().route53Endpoint(),
                    config.aws().apiCallTimeout(),
                    config.aws().principal());
        });
    }

    @Override
    public DnsProvider cloudflare(String apiToken) {
        return CloudflareProvider.create(
                config.dns().cloudflareEndpoint().orElse(CloudflareProvider.API),
                apiToken,
                config.aws().apiCallTimeout(),
                http.get());
    }

    @Override
    public DnsProvider rfc2136(String server, String keyName, String algorithm, String secret) {
        return Rfc2136Provider.create(
                server, keyName, algorithm, secret, config.dns().timeout());
    }

    @Override
    public DnsProvider route53AssumeRole(String roleArn, String externalId) {
        return roles.get().provider(roleArn, externalId);
    }

    @Override
    public String awsPrincipal() {
        return config.aws().principal().orElseGet(() -> roles.get().principal());
    }

    @Override
    public Optional<DnsProvider> operatorRoute53() {
        return operatorRoute53;
    }

    @Override
    public void close() {
        if (rolesMade) {
            roles.get().close();
        }
    }
}
