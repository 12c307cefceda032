package dev.domainkeeper.dnshosting.route53;

import static java.util.Objects.requireNonNull;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import com.google.common.cache.RemovalListener;
import dev.domainkeeper.errors.PreconditionFailedException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.StsClientBuilder;

/**
 * Reaches Route 53 in customers' own AWS accounts through IAM roles they created for Domainkeeper:
 * one STS client with the operator's credentials assumes each role with its connection's external
 * id, and one Route 53 provider per role (with its renewing temporary credentials and its HTTP
 * connections) is kept while it is used, so that the STS call is not repeated per request.
 *
 * <p>It also knows the principal those roles must trust: the one the operator configured, or else the
 * operator's AWS account as STS GetCallerIdentity reports it.
 */
public final class AssumedRoles implements AutoCloseable {
    /** What Route 53 connections' role sessions are called; customers see it in CloudTrail. */
    static final String SESSION_NAME = "domainkeeper";
    /** How long an unused role's provider is kept. */
    static final Duration IDLE = Duration.ofMinutes(30);
    /** The most role providers kept at once. */
    static final int MAX_ROLES = 1000;

    private static final Logger log = LoggerFactory.getLogger(AssumedRoles.class);
    private static final Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");

    private final StsClient sts;
    private final Optional<URI> route53Endpoint;
    private final Duration apiCallTimeout;
    private final Optional<String> configuredPrincipal;
    private final Cache<Key, Route53Provider> providers;
    private volatile String discoveredPrincipal;

    private record Key(String roleArn, String externalId) {}

    /**
     * @param operatorCredentials the operator's credentials, which STS AssumeRole is called with
     * @param region the region of the STS endpoint (STS is regional; any region works)
     * @param stsEndpoint where STS requests go instead of AWS (a stub, or a VPC endpoint)
     * @param route53Endpoint where Route 53 requests go instead of AWS
     * @param principal the AWS principal roles must trust (an ARN), when the operator configured one
     */
    public AssumedRoles(
            AwsCredentialsProvider operatorCredentials,
            String region,
            Optional<URI> stsEndpoint,
            Optional<URI> route53Endpoint,
            Duration apiCallTimeout,
            Optional<String> principal) {
        requireNonNull(operatorCredentials, "operatorCredentials");
        requireNonNull(region, "region");
        requireNonNull(stsEndpoint, "stsEndpoint");
        this.route53Endpoint = requireNonNull(route53Endpoint, "route53Endpoint");
        this.apiCallTimeout = requireNonNull(apiCallTimeout, "apiCallTimeout");
        this.configuredPrincipal = requireNonNull(principal, "principal");
        StsClientBuilder builder = StsClient.builder()
                .region(Region.of(region))
                .credentialsProvider(new CredentialsGuard(operatorCredentials))
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.standardRetryStrategy())
                        .apiCallTimeout(apiCallTimeout));
        stsEndpoint.ifPresent(builder::endpointOverride);
        this.sts = builder.build();
        RemovalListener<Key, Route53Provider> closeOnRemoval = n -> n.getValue().close();
        this.providers = CacheBuilder.newBuilder()
                .maximumSize(MAX_ROLES)
                .expireAfterAccess(IDLE)
                .removalListener(closeOnRemoval)
                .build();
    }

    /** Returns the provider acting as {@code roleArn} with {@code externalId}; STS is asked on first use. */
    public Route53Provider provider(String roleArn, String externalId) {
        try {
            return providers.get(
                    new Key(roleArn, externalId),
                    () -> Route53Provider.assumingRole(
                            route53Endpoint,
                            sts,
                            roleArn,
                            externalId,
                            SESSION_NAME,
                            AwsRetryStrategy.standardRetryStrategy(),
                            apiCallTimeout));
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot build the Route 53 client for " + roleArn, e.getCause());
        }
    }

    /**
     * Returns the principal customers' roles must trust: the configured one, or the operator's AWS
     * account root ({@code arn:aws:iam::<account>:root}) as GetCallerIdentity reports it, asked once.
     *
     * @throws PreconditionFailedException when none is configured and STS cannot tell
     */
    public String principal() {
        if (configuredPrincipal.isPresent()) {
            return configuredPrincipal.get();
        }
        String known = discoveredPrincipal;
        if (known != null) {
            return known;
        }
        try {
            String account = sts.getCallerIdentity(b -> {}).account();
            if (account == null || !ACCOUNT_ID.matcher(account).matches()) {
                throw new IllegalStateException("GetCallerIdentity returned no account id");
            }
            discoveredPrincipal = "arn:aws:iam::" + account + ":root";
            return discoveredPrincipal;
        } catch (SdkException | IllegalStateException e) {
            log.warn("Cannot learn the operator's AWS account from STS GetCallerIdentity: {}", e.toString());
            throw new PreconditionFailedException("route53: Domainkeeper cannot tell which AWS principal a customer's"
                    + " role must trust (the operator sets DOMAINKEEPER_AWS_PRINCIPAL, or gives Domainkeeper AWS"
                    + " credentials STS accepts)");
        }
    }

    /** Closes every role's provider and the STS client. */
    @Override
    public void close() {
        providers.invalidateAll();
        providers.cleanUp();
        sts.close();
    }
}
