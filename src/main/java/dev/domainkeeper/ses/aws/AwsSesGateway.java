package dev.domainkeeper.ses.aws;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.domain.AwsRegion;
import dev.domainkeeper.domain.DkimKeyLength;
import dev.domainkeeper.domain.DkimSetup;
import dev.domainkeeper.domain.IdentityStatus;
import dev.domainkeeper.ses.DkimKeyChangeTooSoonException;
import dev.domainkeeper.ses.DkimSigning;
import dev.domainkeeper.ses.IdentityState;
import dev.domainkeeper.ses.OutboundEmail;
import dev.domainkeeper.ses.SesGateway;
import dev.domainkeeper.ses.SesRejectedException;
import dev.domainkeeper.ses.SesUnavailableException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.ses.SesClient;
import software.amazon.awssdk.services.ses.model.ReceiptRule;
import software.amazon.awssdk.services.sesv2.SesV2Client;
import software.amazon.awssdk.services.sesv2.model.BehaviorOnMxFailure;
import software.amazon.awssdk.services.sesv2.model.Content;
import software.amazon.awssdk.services.sesv2.model.CreateEmailIdentityResponse;
import software.amazon.awssdk.services.sesv2.model.DkimAttributes;
import software.amazon.awssdk.services.sesv2.model.DkimSigningAttributesOrigin;
import software.amazon.awssdk.services.sesv2.model.DkimSigningKeyLength;
import software.amazon.awssdk.services.sesv2.model.GetEmailIdentityResponse;
import software.amazon.awssdk.services.sesv2.model.MailFromAttributes;
import software.amazon.awssdk.services.sesv2.model.MessageTag;
import software.amazon.awssdk.services.sesv2.model.NotFoundException;
import software.amazon.awssdk.services.sesv2.model.SendEmailResponse;
import software.amazon.awssdk.services.sesv2.model.Tag;

/**
 * Implements the SES port against Amazon SES: SES v2 for identities, SES v1 for the receipt rule.
 *
 * <p>Keeps one {@link SesV2Client} and one {@link SesClient} per SES region ({@link SesRegions}; no
 * other name gets one, so the caches hold at most one client per region), created on first use and
 * closed by {@link #close()}. Retrying with backoff is the SDK's job (the retry strategy passed to
 * {@link #create}); what still fails afterwards is translated in one place ({@link SesErrors}).
 *
 * <p>Status values SES adds after this SDK version arrive as strings the SDK does not know; they
 * map to PENDING, which is not settled, so the domain keeps being polled instead of being marked
 * failed or verified on a guess. A warning is logged for each.
 */
public final class AwsSesGateway implements SesGateway, AutoCloseable {

    /** The api call timeout (all attempts together) for production use. */
    public static final Duration DEFAULT_API_CALL_TIMEOUT = Duration.ofSeconds(20);

    private static final Logger log = LoggerFactory.getLogger(AwsSesGateway.class);

    /** Regions whose DKIM CNAMEs point into {@code dkim.<region>.amazonses.com} (docs/AWS.md, "DKIM signing zones"). */
    private static final Set<String> REGIONAL_DKIM_ZONE_REGIONS = Set.of(
            "af-south-1",
            "ap-northeast-3",
            "ap-south-2",
            "ap-southeast-3",
            "ap-southeast-5",
            "ca-west-1",
            "eu-central-2",
            "eu-south-1",
            "il-central-1",
            "me-central-1",
            "us-gov-east-1");

    private final String defaultRegion;
    private final Optional<URI> endpointOverride;
    private final AwsCredentialsProvider credentials;
    private final Optional<String> ruleSetName;
    private final Optional<String> ruleName;
    private final ClientOverrideConfiguration overrideConfiguration;
    private final ConcurrentMap<String, SesV2Client> v2Clients = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, SesClient> v1Clients = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Object> receiptRuleLocks = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private AwsSesGateway(
            String defaultRegion,
            Optional<URI> endpointOverride,
            AwsCredentialsProvider credentials,
            Optional<String> ruleSetName,
            Optional<String> ruleName,
            RetryStrategy retryStrategy,
            Duration apiCallTimeout) {
        this.defaultRegion = defaultRegion;
        this.endpointOverride = endpointOverride;
        this.credentials = credentials;
        this.ruleSetName = ruleSetName;
        this.ruleName = ruleName;
        this.overrideConfiguration = ClientOverrideConfiguration.builder()
                .retryStrategy(retryStrategy)
                .apiCallTimeout(apiCallTimeout)
                .build();
    }

    /**
     * Creates a gateway; no AWS client is built until a region is first used.
     *
     * @param defaultRegion the region used when a call passes a null or blank region
     * @param endpointOverride where both SES APIs are sent instead of {@code email.<region>.amazonaws.com}
     *     (a stub or emulator); when empty the SDK resolves the endpoint, which includes honouring
     *     {@code AWS_ENDPOINT_URL}
     * @param credentials usually {@code DefaultCredentialsProvider.builder().build()}
     * @param receiptRuleSetName with {@code receiptRuleName}, the receipt rule whose recipients
     *     {@link #setReceiving} maintains in every region; both empty turns it into a no-op
     * @param retryStrategy usually {@link AwsRetryStrategy#standardRetryStrategy()}
     * @param apiCallTimeout the limit for one call including all retries, e.g.
     *     {@link #DEFAULT_API_CALL_TIMEOUT}
     * @throws IllegalArgumentException when only one of the rule set and rule names is given, or
     *     the timeout is not positive
     */
    public static AwsSesGateway create(
            String defaultRegion,
            Optional<URI> endpointOverride,
            AwsCredentialsProvider credentials,
            Optional<String> receiptRuleSetName,
            Optional<String> receiptRuleName,
            RetryStrategy retryStrategy,
            Duration apiCallTimeout) {
        requireNonNull(defaultRegion, "defaultRegion");
        requireNonNull(endpointOverride, "endpointOverride");
        requireNonNull(credentials, "credentials");
        requireNonNull(receiptRuleSetName, "receiptRuleSetName");
        requireNonNull(receiptRuleName, "receiptRuleName");
        requireNonNull(retryStrategy, "retryStrategy");
        requireNonNull(apiCallTimeout, "apiCallTimeout");
        if (defaultRegion.isBlank()) {
            throw new IllegalArgumentException(
                    "defaultRegion: '" + defaultRegion + "' (expected: a region such as us-east-1)");
        }
        Optional<String> ruleSet = receiptRuleSetName.filter(s -> !s.isBlank());
        Optional<String> rule = receiptRuleName.filter(s -> !s.isBlank());
        if (ruleSet.isPresent() != rule.isPresent()) {
            throw new IllegalArgumentException("receipt rule set name: " + ruleSet.orElse("<none>") + ", rule name: "
                    + rule.orElse("<none>") + " (expected: both or neither)");
        }
        if (apiCallTimeout.isNegative() || apiCallTimeout.isZero()) {
            throw new IllegalArgumentException("apiCallTimeout: " + apiCallTimeout + " (expected: > 0)");
        }
        return new AwsSesGateway(
                defaultRegion, endpointOverride, credentials, ruleSet, rule, retryStrategy, apiCallTimeout);
    }

    /**
     * {@inheritDoc}
     *
     * <p>The tag is sent in the CreateEmailIdentity request itself, so an identity never exists
     * without it.
     */
    @Override
    public IdentityState createIdentity(String region, String domain, String ownerTag, DkimKeyLength keyLength) {
        requireNonNull(domain, "domain");
        requireNonNull(ownerTag, "ownerTag");
        requireNonNull(keyLength, "keyLength");
        return create(region, domain, ownerTag, d -> d.nextSigningKeyLength(sdkKeyLength(keyLength)));
    }

    /**
     * {@inheritDoc}
     *
     * <p>CreateEmailIdentity with {@code DkimSigningAttributes.DomainSigningSelector} and
     * {@code DomainSigningPrivateKey}; the SDK marks the key sensitive, so no request rendering shows it.
     */
    @Override
    public IdentityState createIdentityWithKey(
            String region, String domain, String ownerTag, String selector, String privateKey) {
        requireNonNull(domain, "domain");
        requireNonNull(ownerTag, "ownerTag");
        requireNonNull(selector, "selector");
        requireNonNull(privateKey, "privateKey");
        return create(
                region, domain, ownerTag, d -> d.domainSigningSelector(selector).domainSigningPrivateKey(privateKey));
    }

    private IdentityState create(
            String region,
            String domain,
            String ownerTag,
            java.util.function.Consumer<software.amazon.awssdk.services.sesv2.model.DkimSigningAttributes.Builder>
                    signing) {
        String r = regionOrDefault(region);
        CreateEmailIdentityResponse response = call(
                "CreateEmailIdentity " + domain + " in " + r,
                () -> v2(r).createEmailIdentity(b -> b.emailIdentity(domain)
                        .dkimSigningAttributes(signing)
                        .tags(Tag.builder().key(OWNER_TAG).value(ownerTag).build())));
        IdentityStatus verification = Boolean.TRUE.equals(response.verifiedForSendingStatus())
                ? IdentityStatus.SUCCESS
                : IdentityStatus.PENDING;
        return new IdentityState(
                verification,
                dkimStatus(response.dkimAttributes(), domain),
                IdentityStatus.NOT_STARTED,
                dkimSetup(response.dkimAttributes(), r),
                null,
                ownerTag);
    }

    @Override
    public IdentityState getIdentity(String region, String domain) {
        requireNonNull(domain, "domain");
        String r = regionOrDefault(region);
        Optional<GetEmailIdentityResponse> found = getEmailIdentity(r, domain);
        if (found.isEmpty()) {
            return null;
        }
        GetEmailIdentityResponse response = found.get();
        IdentityStatus verification = response.verificationStatusAsString() != null
                ? toStatus(response.verificationStatusAsString(), "VerificationStatus", domain)
                : Boolean.TRUE.equals(response.verifiedForSendingStatus())
                        ? IdentityStatus.SUCCESS
                        : IdentityStatus.PENDING;
        MailFromAttributes mailFrom = response.mailFromAttributes();
        String mailFromDomain = mailFrom == null
                        || mailFrom.mailFromDomain() == null
                        || mailFrom.mailFromDomain().isBlank()
                ? null
                : mailFrom.mailFromDomain();
        IdentityStatus mailFromStatus = mailFromDomain == null
                ? IdentityStatus.NOT_STARTED
                : mailFrom.mailFromDomainStatusAsString() == null
                        ? IdentityStatus.PENDING
                        : toStatus(mailFrom.mailFromDomainStatusAsString(), "MailFromDomainStatus", domain);
        return new IdentityState(
                verification,
                dkimStatus(response.dkimAttributes(), domain),
                mailFromStatus,
                dkimSetup(response.dkimAttributes(), r),
                mailFromDomain,
                ownerTag(response));
    }

    @Override
    public DkimSigning getDkimSigning(String region, String domain) {
        requireNonNull(domain, "domain");
        Optional<GetEmailIdentityResponse> found = getEmailIdentity(regionOrDefault(region), domain);
        if (found.isEmpty()) {
            return null;
        }
        DkimAttributes dkim = found.get().dkimAttributes();
        if (dkim == null) {
            return new DkimSigning(null, null, null);
        }
        return new DkimSigning(
                keyLength(dkim.currentSigningKeyLengthAsString()),
                keyLength(dkim.nextSigningKeyLengthAsString()),
                dkim.lastKeyGenerationTimestamp());
    }

    /**
     * {@inheritDoc}
     *
     * <p>Uses PutEmailIdentityDkimSigningAttributes with origin AWS_SES. SES's refusal of a second change
     * within a day (a 400 or 429 saying the key length was changed recently) becomes
     * {@link DkimKeyChangeTooSoonException}, with the time from GetEmailIdentity's LastKeyGenerationTimestamp
     * when SES answers it.
     */
    @Override
    public void putDkimKeyLength(String region, String domain, DkimKeyLength keyLength) {
        requireNonNull(domain, "domain");
        requireNonNull(keyLength, "keyLength");
        String r = regionOrDefault(region);
        String action = "PutEmailIdentityDkimSigningAttributes " + domain + " in " + r;
        try {
            v2(r).putEmailIdentityDkimSigningAttributes(b -> b.emailIdentity(domain)
                    .signingAttributesOrigin(DkimSigningAttributesOrigin.AWS_SES)
                    .signingAttributes(a -> a.nextSigningKeyLength(sdkKeyLength(keyLength))));
        } catch (AwsServiceException e) {
            if (changedTooRecently(e)) {
                log.info("SES refused a DKIM key length change of {} in {}: {}", domain, r, e.toString());
                throw new DkimKeyChangeTooSoonException(domain, nextChangeAllowedAt(r, domain), e);
            }
            throw SesErrors.translate(e, action);
        } catch (SdkException e) {
            throw SesErrors.translate(e, action);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>PutEmailIdentityDkimSigningAttributes with origin EXTERNAL and the new selector and key.
     */
    @Override
    public void putDkimSigningKey(String region, String domain, String selector, String privateKey) {
        requireNonNull(domain, "domain");
        requireNonNull(selector, "selector");
        requireNonNull(privateKey, "privateKey");
        String r = regionOrDefault(region);
        call(
                "PutEmailIdentityDkimSigningAttributes " + domain + " in " + r,
                () -> v2(r).putEmailIdentityDkimSigningAttributes(b -> b.emailIdentity(domain)
                        .signingAttributesOrigin(DkimSigningAttributesOrigin.EXTERNAL)
                        .signingAttributes(
                                a -> a.domainSigningSelector(selector).domainSigningPrivateKey(privateKey))));
    }

    /** Returns true for SES's refusal of a key length change made too soon after the last one. */
    static boolean changedTooRecently(AwsServiceException e) {
        int status = e.statusCode();
        String code = SesErrors.errorCode(e);
        if (status != 400
                && status != 429
                && !"BadRequestException".equals(code)
                && !"TooManyRequestsException".equals(code)) {
            return false;
        }
        String text = e.awsErrorDetails() != null && e.awsErrorDetails().errorMessage() != null
                ? e.awsErrorDetails().errorMessage()
                : String.valueOf(e.getMessage());
        String lower = text.toLowerCase(Locale.ROOT);
        return lower.contains("key length")
                && (lower.contains("recent") || lower.contains("24 hours") || lower.contains("once"));
    }

    private Optional<Instant> nextChangeAllowedAt(String region, String domain) {
        try {
            return Optional.ofNullable(getDkimSigning(region, domain)).flatMap(DkimSigning::nextChangeAllowedAt);
        } catch (RuntimeException e) {
            log.debug("Could not read the last DKIM key generation time of {} in {}: {}", domain, region, e.toString());
            return Optional.empty();
        }
    }

    /** Calls GetEmailIdentity; empty when SES does not know the identity. */
    private Optional<GetEmailIdentityResponse> getEmailIdentity(String region, String domain) {
        return callUnlessNotFound(
                "GetEmailIdentity " + domain + " in " + region,
                () -> v2(region).getEmailIdentity(b -> b.emailIdentity(domain)));
    }

    /** Returns the SDK's name for {@code length}, as CreateEmailIdentity and the DKIM signing attributes take it. */
    private static DkimSigningKeyLength sdkKeyLength(DkimKeyLength length) {
        return switch (length) {
            case RSA_1024_BIT -> DkimSigningKeyLength.RSA_1024_BIT;
            case RSA_2048_BIT -> DkimSigningKeyLength.RSA_2048_BIT;
        };
    }

    /** Maps SES's key length string; null, or a length this code does not know, is null. */
    private static DkimKeyLength keyLength(String raw) {
        if (raw == null) {
            return null;
        }
        try {
            return DkimKeyLength.valueOf(raw);
        } catch (IllegalArgumentException e) {
            log.warn("SES reported the DKIM key length '{}' (expected: RSA_1024_BIT or RSA_2048_BIT)", raw);
            return null;
        }
    }

    /** Returns the value of the identity's {@link #OWNER_TAG} tag (GetEmailIdentity returns the tags), or null. */
    private static String ownerTag(GetEmailIdentityResponse response) {
        if (!response.hasTags()) {
            return null;
        }
        return response.tags().stream()
                .filter(t -> OWNER_TAG.equals(t.key()))
                .map(Tag::value)
                .findFirst()
                .orElse(null);
    }

    @Override
    public void deleteIdentity(String region, String domain) {
        requireNonNull(domain, "domain");
        String r = regionOrDefault(region);
        if (callUnlessNotFound(
                        "DeleteEmailIdentity " + domain + " in " + r,
                        () -> v2(r).deleteEmailIdentity(b -> b.emailIdentity(domain)))
                .isEmpty()) {
            log.debug("SES has no identity {} in {}; counting the delete as done", domain, r);
        }
    }

    @Override
    public void putMailFrom(String region, String domain, String mailFromDomain) {
        requireNonNull(domain, "domain");
        requireNonNull(mailFromDomain, "mailFromDomain");
        String r = regionOrDefault(region);
        call(
                "PutEmailIdentityMailFromAttributes " + domain + " in " + r,
                () -> v2(r).putEmailIdentityMailFromAttributes(b -> b.emailIdentity(domain)
                        .mailFromDomain(mailFromDomain)
                        .behaviorOnMxFailure(BehaviorOnMxFailure.USE_DEFAULT_VALUE)));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Reads the rule and, when the recipients must change, writes it back with every other
     * field as read (UpdateReceiptRule replaces the whole rule). Calls for one region are
     * serialized in this process; SES offers no conditional update, so two processes changing the
     * same rule at the same moment can still lose one change, which the next call repairs. See
     * {@link ReceiptRecipients} for the changes that are refused because they would widen the rule.
     */
    @Override
    public void setReceiving(String region, String domain, boolean enabled) {
        requireNonNull(domain, "domain");
        if (ruleSetName.isEmpty() || ruleName.isEmpty()) {
            return;
        }
        String r = regionOrDefault(region);
        String set = ruleSetName.get();
        String name = ruleName.get();
        String label = set + "/" + name + " in " + r;
        synchronized (receiptRuleLocks.computeIfAbsent(r, k -> new Object())) {
            ReceiptRule rule = call(
                            "DescribeReceiptRule " + label,
                            () -> v1(r).describeReceiptRule(
                                            b -> b.ruleSetName(set).ruleName(name)))
                    .rule();
            if (rule == null) {
                throw new SesRejectedException(
                        "RuleDoesNotExist",
                        "DescribeReceiptRule " + label
                                + ": SES answered without a rule (expected: the configured rule)",
                        null);
            }
            List<String> current = rule.hasRecipients() ? rule.recipients() : List.of();
            Optional<List<String>> next = ReceiptRecipients.plan(current, domain, enabled, label);
            if (next.isEmpty()) {
                log.debug("Receipt rule {} already {} {}", label, enabled ? "matches" : "excludes", domain);
                return;
            }
            ReceiptRule updated = rule.toBuilder().recipients(next.get()).build();
            call(
                    "UpdateReceiptRule " + label,
                    () -> v1(r).updateReceiptRule(b -> b.ruleSetName(set).rule(updated)));
            log.info(
                    "Receipt rule {}: {} {} ({} recipients now)",
                    label,
                    enabled ? "added" : "removed",
                    domain,
                    next.get().size());
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Uses SES v2 SendEmail with simple content (UTF-8 subject, text and HTML parts), the tags as
     * EmailTags, and the configuration set when one is given. SES builds the MIME message and signs it
     * with the domain's DKIM key.
     */
    @Override
    public String sendEmail(String region, OutboundEmail email) {
        requireNonNull(email, "email");
        String r = regionOrDefault(region);
        List<MessageTag> tags = email.tags().entrySet().stream()
                .map(t -> MessageTag.builder()
                        .name(t.getKey())
                        .value(t.getValue())
                        .build())
                .toList();
        SendEmailResponse response = call(
                "SendEmail from " + email.from() + " in " + r,
                () -> v2(r).sendEmail(b -> b.fromEmailAddress(email.from())
                        .destination(d -> d.toAddresses(email.to()))
                        .content(c -> c.simple(m -> m.subject(utf8(email.subject()))
                                .body(body -> body.text(utf8(email.textBody())).html(utf8(email.htmlBody())))))
                        .emailTags(tags)
                        .configurationSetName(email.configurationSet().orElse(null))));
        String id = response.messageId();
        if (id == null || id.isBlank()) {
            throw new SesUnavailableException(
                    "SendEmail from " + email.from() + " in " + r
                            + ": SES answered without a MessageId (expected: the id of the accepted message)",
                    SesErrors.DEFAULT_RETRY_AFTER,
                    null);
        }
        return id;
    }

    private static Content utf8(String data) {
        return Content.builder().data(data).charset("UTF-8").build();
    }

    /** Closes every AWS client this gateway created; later calls fail. */
    @Override
    public void close() {
        closed = true;
        v2Clients.values().forEach(SesV2Client::close);
        v1Clients.values().forEach(SesClient::close);
        v2Clients.clear();
        v1Clients.clear();
    }

    /** Returns the zone SES's DKIM CNAMEs point into when SES does not say (docs/AWS.md, "DKIM signing zones"). */
    static String defaultDkimZone(String region) {
        return REGIONAL_DKIM_ZONE_REGIONS.contains(region)
                ? "dkim." + region + ".amazonses.com"
                : DkimSetup.DEFAULT_SIGNING_ZONE;
    }

    private String regionOrDefault(String region) {
        return region == null || region.isBlank() ? defaultRegion : region;
    }

    private SesV2Client v2(String region) {
        checkOpen();
        checkKnown(region);
        return v2Clients.computeIfAbsent(region, r -> build(SesV2Client.builder(), r));
    }

    private SesClient v1(String region) {
        checkOpen();
        checkKnown(region);
        return v1Clients.computeIfAbsent(region, r -> build(SesClient.builder(), r));
    }

    private <B extends AwsClientBuilder<B, C>, C> C build(B builder, String region) {
        builder.region(Region.of(region)).credentialsProvider(credentials).overrideConfiguration(overrideConfiguration);
        endpointOverride.ifPresent(builder::endpointOverride);
        return builder.build();
    }

    /** Keeps the client caches to the SES regions: a client is never built for any other name. */
    private static void checkKnown(String region) {
        if (!SesRegions.known().contains(region)) {
            throw new IllegalArgumentException("region: \"" + region + "\" " + AwsRegion.notKnown(SesRegions.known()));
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("AwsSesGateway is closed (expected: open)");
        }
    }

    /** Runs one SDK call, translating its failure into a port exception. */
    private static <T> T call(String action, Supplier<T> request) {
        try {
            return request.get();
        } catch (SdkException e) {
            throw SesErrors.translate(e, action);
        }
    }

    /** Runs one SES v2 call like {@link #call}, but answers empty when SES does not know the identity. */
    private static <T> Optional<T> callUnlessNotFound(String action, Supplier<T> request) {
        try {
            return Optional.of(request.get());
        } catch (NotFoundException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw SesErrors.translate(e, action);
        }
    }

    private static IdentityStatus dkimStatus(DkimAttributes dkim, String domain) {
        if (dkim == null || dkim.statusAsString() == null) {
            return IdentityStatus.NOT_STARTED;
        }
        return toStatus(dkim.statusAsString(), "DkimAttributes.Status", domain);
    }

    private static DkimSetup dkimSetup(DkimAttributes dkim, String region) {
        List<String> tokens = dkim != null && dkim.hasTokens() ? dkim.tokens() : List.of();
        String zone = dkim != null
                        && dkim.signingHostedZone() != null
                        && !dkim.signingHostedZone().isBlank()
                ? dkim.signingHostedZone()
                : defaultDkimZone(region);
        return new DkimSetup(tokens, zone);
    }

    /** Maps SES's status string; values this code does not know become PENDING (see class doc). */
    static IdentityStatus toStatus(String raw, String field, String domain) {
        try {
            return IdentityStatus.valueOf(raw);
        } catch (IllegalArgumentException e) {
            log.warn(
                    "SES reported {} '{}' for {} (expected: one of NOT_STARTED, PENDING, SUCCESS, "
                            + "FAILED, TEMPORARY_FAILURE); treating it as PENDING",
                    field,
                    raw,
                    domain);
            return IdentityStatus.PENDING;
        }
    }
}
