package dev.domainkeeper.ses.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.notContaining;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.domainkeeper.testing.SesStubs.alreadyExists;
import static dev.domainkeeper.testing.SesStubs.createIdentity;
import static dev.domainkeeper.testing.SesStubs.created;
import static dev.domainkeeper.testing.SesStubs.deleteIdentity;
import static dev.domainkeeper.testing.SesStubs.describeReceiptRule;
import static dev.domainkeeper.testing.SesStubs.empty;
import static dev.domainkeeper.testing.SesStubs.error;
import static dev.domainkeeper.testing.SesStubs.getIdentity;
import static dev.domainkeeper.testing.SesStubs.identity;
import static dev.domainkeeper.testing.SesStubs.json;
import static dev.domainkeeper.testing.SesStubs.notFound;
import static dev.domainkeeper.testing.SesStubs.putMailFrom;
import static dev.domainkeeper.testing.SesStubs.queryError;
import static dev.domainkeeper.testing.SesStubs.queryXml;
import static dev.domainkeeper.testing.SesStubs.receiptRule;
import static dev.domainkeeper.testing.SesStubs.ruleUpdated;
import static dev.domainkeeper.testing.SesStubs.tooManyRequests;
import static dev.domainkeeper.testing.SesStubs.updateReceiptRule;
import static dev.domainkeeper.testing.SesStubs.updateReceiptRuleRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.domainkeeper.domain.DkimSetup;
import dev.domainkeeper.domain.IdentityStatus;
import dev.domainkeeper.ses.IdentityState;
import dev.domainkeeper.ses.SesIdentityExistsException;
import dev.domainkeeper.ses.SesRejectedException;
import dev.domainkeeper.ses.SesUnavailableException;
import dev.domainkeeper.testing.AwsTestCredentials;
import dev.domainkeeper.testing.SesStubs;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;

/** Runs the AWS SES adapter against WireMock stubs of the SES v2 (REST-JSON) and v1 (Query) wire. */
class AwsSesGatewayTest {

    @RegisterExtension
    static final WireMockExtension wm = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"))
            .build();

    private static final String REGION = "us-east-1";
    private static final String IDENTITIES = SesStubs.IDENTITIES;
    private static final String EXAMPLE = SesStubs.identityPath("example.com");
    private static final int MAX_ATTEMPTS = 3;

    private AwsSesGateway gateway;

    @BeforeEach
    void setUp() {
        gateway = gateway(Duration.ofSeconds(10), Optional.of("main"), Optional.of("inbound"));
    }

    @AfterEach
    void tearDown() {
        gateway.close();
    }

    // ---- CreateEmailIdentity ----

    @Test
    void createIdentity_success_sendsRsa2048AndReturnsPendingState() {
        wm.stubFor(createIdentity().willReturn(created("t1", "t2", "t3").response()));

        IdentityState state = gateway.createIdentity(REGION, "example.com", "dom_1");

        assertThat(state)
                .isEqualTo(new IdentityState(
                        IdentityStatus.PENDING,
                        IdentityStatus.PENDING,
                        IdentityStatus.NOT_STARTED,
                        new DkimSetup(List.of("t1", "t2", "t3"), "dkim.amazonses.com"),
                        null,
                        "dom_1"));
        wm.verify(
                1,
                postRequestedFor(urlPathEqualTo(IDENTITIES))
                        .withRequestBody(equalToJson("""
                        {"EmailIdentity":"example.com","DkimSigningAttributes":{"NextSigningKeyLength":"RSA_2048_BIT"},
                         "Tags":[{"Key":"domainkeeper:domain-id","Value":"dom_1"}]}"""))
                        .withHeader("Authorization", containing("Credential=AKIDTEST/")));
    }

    @Test
    void createIdentity_noSigningZoneInRegionalDkimRegion_usesRegionalZone() {
        wm.stubFor(createIdentity()
                .willReturn(created("a", "b", "c").withoutSigningZone().response()));

        IdentityState state = gateway.createIdentity("eu-south-1", "example.com", "dom_1");

        assertThat(state.dkim().signingHostedZone()).isEqualTo("dkim.eu-south-1.amazonses.com");
        assertThat(gateway.createIdentity("eu-west-1", "example.com", "dom_1")
                        .dkim()
                        .signingHostedZone())
                .isEqualTo("dkim.amazonses.com");
    }

    @Test
    void createIdentity_alreadyExists_throwsIdentityExists() {
        wm.stubFor(createIdentity().willReturn(alreadyExists("example.com")));

        assertThatThrownBy(() -> gateway.createIdentity(REGION, "example.com", "dom_1"))
                .isInstanceOf(SesIdentityExistsException.class)
                .hasMessageContaining("example.com");
    }

    // ---- GetEmailIdentity ----

    @Test
    void getIdentity_fullResponse_mapsStatusesDkimAndMailFrom() {
        wm.stubFor(getIdentity("example.com")
                .willReturn(identity("SUCCESS")
                        .mailFrom("mail.example.com", "TEMPORARY_FAILURE")
                        .verificationInfo(1718000300L, "HOST_NOT_FOUND")
                        .response()));

        IdentityState state = gateway.getIdentity(REGION, "example.com");

        assertThat(state)
                .isEqualTo(new IdentityState(
                        IdentityStatus.SUCCESS,
                        IdentityStatus.SUCCESS,
                        IdentityStatus.TEMPORARY_FAILURE,
                        new DkimSetup(List.of("t1", "t2", "t3"), "dkim.amazonses.com"),
                        "mail.example.com",
                        null));
    }

    @Test
    void getIdentity_readsTheOwnerTag_andAForeignOrMissingTagIsNotOurs() {
        wm.stubFor(getIdentity("ours.example.com")
                .willReturn(identity("SUCCESS")
                        .tag("team", "mail")
                        .ownerTag("dom_ours")
                        .response()));
        wm.stubFor(getIdentity("foreign.example.com")
                .willReturn(identity("SUCCESS").ownerTag("dom_someone_else").response()));
        wm.stubFor(getIdentity("untagged.example.com")
                .willReturn(identity("SUCCESS").response()));
        wm.stubFor(getIdentity("other-tags.example.com")
                .willReturn(identity("SUCCESS").tag("domain-id", "dom_ours").response()));

        IdentityState ours = gateway.getIdentity(REGION, "ours.example.com");
        IdentityState foreign = gateway.getIdentity(REGION, "foreign.example.com");
        IdentityState untagged = gateway.getIdentity(REGION, "untagged.example.com");
        IdentityState otherTags = gateway.getIdentity(REGION, "other-tags.example.com");

        assertThat(ours.ownerTag()).isEqualTo("dom_ours");
        assertThat(ours.ownedBy("dom_ours")).isTrue();
        assertThat(foreign.ownerTag()).isEqualTo("dom_someone_else");
        assertThat(foreign.ownedBy("dom_ours")).isFalse();
        assertThat(untagged.ownerTag()).isNull();
        assertThat(untagged.ownedBy("dom_ours")).isFalse();
        assertThat(otherTags.ownerTag()).isNull();
        assertThat(otherTags.ownedBy("dom_ours")).isFalse();
    }

    @Test
    void getIdentity_mailFromWithoutDomainAndNoDkim_isNotStarted() {
        // What AWS really sends for such an identity: docs/AWS.md, "An identity without custom MAIL FROM".
        wm.stubFor(getIdentity("example.com")
                .willReturn(identity("PENDING").withoutDkim().response()));

        IdentityState state = gateway.getIdentity(REGION, "example.com");

        assertThat(state.mailFromDomain()).isNull();
        assertThat(state.mailFromStatus()).isEqualTo(IdentityStatus.NOT_STARTED);
        assertThat(state.dkimStatus()).isEqualTo(IdentityStatus.NOT_STARTED);
        assertThat(state.dkim()).isEqualTo(new DkimSetup(List.of(), "dkim.amazonses.com"));
        assertThat(state.verificationStatus()).isEqualTo(IdentityStatus.PENDING);
    }

    @Test
    void getIdentity_unknownStatusValues_mapToPending() {
        wm.stubFor(getIdentity("example.com")
                .willReturn(identity("QUARANTINED")
                        .dkimStatus("SOMETHING_NEW")
                        .tokens("t1")
                        .mailFrom("mail.example.com", "NEWER")
                        .response()));

        IdentityState state = gateway.getIdentity(REGION, "example.com");

        assertThat(List.of(state.verificationStatus(), state.dkimStatus(), state.mailFromStatus()))
                .containsOnly(IdentityStatus.PENDING);
    }

    @Test
    void getIdentity_notFound_returnsNull() {
        wm.stubFor(getIdentity("example.com").willReturn(notFound("example.com")));

        assertThat(gateway.getIdentity(REGION, "example.com")).isNull();
    }

    // ---- DeleteEmailIdentity / PutEmailIdentityMailFromAttributes ----

    @Test
    void deleteIdentity_known_sendsDelete() {
        wm.stubFor(deleteIdentity("example.com").willReturn(empty()));

        gateway.deleteIdentity(REGION, "example.com");

        wm.verify(1, deleteRequestedFor(urlPathEqualTo(EXAMPLE)));
    }

    @Test
    void deleteIdentity_notFound_countsAsDone() {
        wm.stubFor(deleteIdentity("example.com").willReturn(notFound("example.com")));

        assertThatCode(() -> gateway.deleteIdentity(REGION, "example.com")).doesNotThrowAnyException();
    }

    @Test
    void putMailFrom_success_sendsDomainWithUseDefaultValue() {
        wm.stubFor(putMailFrom("example.com").willReturn(empty()));

        gateway.putMailFrom(REGION, "example.com", "mail.example.com");

        wm.verify(
                1,
                putRequestedFor(urlPathEqualTo(EXAMPLE + "/mail-from"))
                        .withRequestBody(matchingJsonPath("$.MailFromDomain", equalTo("mail.example.com")))
                        .withRequestBody(matchingJsonPath("$.BehaviorOnMxFailure", equalTo("USE_DEFAULT_VALUE"))));
    }

    @Test
    void putMailFrom_badRequest_throwsRejectedWithCode() {
        wm.stubFor(putMailFrom("example.com")
                .willReturn(error(400, "BadRequestException", "Identity example.com does not exist.")));

        assertThatThrownBy(() -> gateway.putMailFrom(REGION, "example.com", "mail.example.com"))
                .isInstanceOfSatisfying(SesRejectedException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo("BadRequestException");
                    assertThat(e).hasMessageContaining("Identity example.com does not exist.");
                });
        wm.verify(1, putRequestedFor(urlPathEqualTo(EXAMPLE + "/mail-from")));
    }

    // ---- Transient failures and the SDK's retries ----

    @Test
    void getIdentity_throttledOnce_retriesAndSucceeds() {
        wm.stubFor(getIdentity("example.com")
                .inScenario("throttle")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(tooManyRequests("Too many requests"))
                .willSetStateTo("recovered"));
        wm.stubFor(getIdentity("example.com")
                .inScenario("throttle")
                .whenScenarioStateIs("recovered")
                .willReturn(identity("PENDING").response()));

        IdentityState state = gateway.getIdentity(REGION, "example.com");

        assertThat(state.verificationStatus()).isEqualTo(IdentityStatus.PENDING);
        wm.verify(2, getRequestedFor(urlPathEqualTo(EXAMPLE)));
    }

    @Test
    void createIdentity_throttledPersistently_throwsUnavailableWithRetryAfter() {
        wm.stubFor(createIdentity().willReturn(tooManyRequests("Too many requests")));

        assertThatThrownBy(() -> gateway.createIdentity(REGION, "example.com", "dom_1"))
                .isInstanceOfSatisfying(
                        SesUnavailableException.class,
                        e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(5)));
        wm.verify(MAX_ATTEMPTS, postRequestedFor(urlPathEqualTo(IDENTITIES)));
    }

    @Test
    void getIdentity_serverErrorPersistent_throwsUnavailableWithRetryAfterHeader() {
        // The SDK waits this long between its own attempts too, so keep it short.
        wm.stubFor(getIdentity("example.com")
                .willReturn(error(503, "ServiceUnavailable", "Try later").withHeader("x-amz-retry-after", "70")));

        assertThatThrownBy(() -> gateway.getIdentity(REGION, "example.com"))
                .isInstanceOfSatisfying(
                        SesUnavailableException.class,
                        e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofMillis(70)));
        wm.verify(MAX_ATTEMPTS, getRequestedFor(urlPathEqualTo(EXAMPLE)));
    }

    @Test
    void deleteIdentity_internalErrorPersistent_throwsUnavailable() {
        // Not SES's JSON at all: what a proxy in front of it might answer.
        wm.stubFor(deleteIdentity("example.com")
                .willReturn(aResponse().withStatus(500).withBody("oops")));

        assertThatThrownBy(() -> gateway.deleteIdentity(REGION, "example.com"))
                .isInstanceOf(SesUnavailableException.class)
                .hasMessageContaining("500");
    }

    @Test
    void getIdentity_answerSlowerThanApiCallTimeout_throwsUnavailable() {
        try (AwsSesGateway impatient = gateway(Duration.ofMillis(500), Optional.empty(), Optional.empty())) {
            wm.stubFor(getIdentity("example.com").willReturn(empty().withFixedDelay(3_000)));

            assertThatThrownBy(() -> impatient.getIdentity(REGION, "example.com"))
                    .isInstanceOfSatisfying(
                            SesUnavailableException.class,
                            e -> assertThat(e.retryAfter()).isPositive())
                    .hasMessageContaining("did not answer in time");
        }
    }

    @Test
    void getIdentity_malformedJsonWithStatus200_throwsUnavailable() {
        wm.stubFor(getIdentity("example.com").willReturn(json("{\"IdentityType\":\"DOMAIN\",\"DkimAttributes\":{")));

        assertThatThrownBy(() -> gateway.getIdentity(REGION, "example.com"))
                .isInstanceOf(SesUnavailableException.class)
                .hasMessageContaining("answered unreadably");
    }

    // ---- Receipt rule (SES v1, Query protocol) ----

    @Test
    void setReceiving_enable_addsDomainAndResendsWholeRule() {
        stubDescribeRule(List.of("other.com"));
        stubUpdateRule();

        gateway.setReceiving(REGION, "example.com", true);

        wm.verify(
                1,
                updateReceiptRuleRequest()
                        .withRequestBody(containing("RuleSetName=main"))
                        .withRequestBody(containing("Rule.Name=inbound"))
                        .withRequestBody(containing("Rule.Enabled=true"))
                        .withRequestBody(containing("Rule.TlsPolicy=Require"))
                        .withRequestBody(containing("Rule.ScanEnabled=true"))
                        .withRequestBody(containing("Rule.Recipients.member.1=other.com"))
                        .withRequestBody(containing("Rule.Recipients.member.2=example.com"))
                        .withRequestBody(containing("Rule.Actions.member.1.S3Action.BucketName=inbound-mail"))
                        .withRequestBody(containing("Rule.Actions.member.1.S3Action.ObjectKeyPrefix=in%2F"))
                        .withRequestBody(containing("Rule.Actions.member.2.StopAction.Scope=RuleSet")));
    }

    @Test
    void setReceiving_enableWhenAlreadyListed_sendsNoUpdate() {
        stubDescribeRule(List.of("other.com", "Example.com"));

        gateway.setReceiving(REGION, "example.com", true);

        wm.verify(1, postRequestedFor(urlPathEqualTo("/")));
        wm.verify(0, updateReceiptRuleRequest());
    }

    @Test
    void setReceiving_disable_removesOnlyThatDomain() {
        stubDescribeRule(List.of("other.com", "example.com", "third.org"));
        stubUpdateRule();

        gateway.setReceiving(REGION, "example.com", false);

        wm.verify(
                1,
                updateReceiptRuleRequest()
                        .withRequestBody(containing("Rule.Recipients.member.1=other.com"))
                        .withRequestBody(containing("Rule.Recipients.member.2=third.org"))
                        .withRequestBody(notContaining("example.com"))
                        .withRequestBody(containing("Rule.Actions.member.1.S3Action.BucketName=inbound-mail")));
    }

    @Test
    void setReceiving_disableLastRecipient_isRefusedWithoutUpdate() {
        stubDescribeRule(List.of("example.com"));

        assertThatThrownBy(() -> gateway.setReceiving(REGION, "example.com", false))
                .isInstanceOfSatisfying(
                        SesRejectedException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ReceiptRecipients.WOULD_WIDEN_RULE))
                .hasMessageContaining("every verified domain");
        wm.verify(0, updateReceiptRuleRequest());
    }

    @Test
    void setReceiving_enableOnRuleMatchingAllDomains_leavesRuleAlone() {
        stubDescribeRule(List.of());

        gateway.setReceiving(REGION, "example.com", true);

        wm.verify(1, postRequestedFor(urlPathEqualTo("/")));
    }

    @Test
    void setReceiving_enableOnFullRule_isRejectedWithLimit() {
        stubDescribeRule(
                IntStream.rangeClosed(1, 100).mapToObj(i -> "d" + i + ".com").toList());

        assertThatThrownBy(() -> gateway.setReceiving(REGION, "example.com", true))
                .isInstanceOfSatisfying(
                        SesRejectedException.class,
                        e -> assertThat(e.errorCode()).isEqualTo("LimitExceeded"))
                .hasMessageContaining("100 recipients");
        wm.verify(1, postRequestedFor(urlPathEqualTo("/")));
    }

    @Test
    void setReceiving_ruleDoesNotExist_throwsRejectedWithCode() {
        wm.stubFor(describeReceiptRule().willReturn(queryError("RuleDoesNotExist", "Rule does not exist: inbound")));

        assertThatThrownBy(() -> gateway.setReceiving(REGION, "example.com", true))
                .isInstanceOfSatisfying(
                        SesRejectedException.class,
                        e -> assertThat(e.errorCode()).isEqualTo("RuleDoesNotExist"))
                .hasMessageContaining("Rule does not exist: inbound");
    }

    @Test
    void setReceiving_queryThrottling_throwsUnavailable() {
        wm.stubFor(describeReceiptRule().willReturn(queryError("Throttling", "Rate exceeded")));

        assertThatThrownBy(() -> gateway.setReceiving(REGION, "example.com", true))
                .isInstanceOf(SesUnavailableException.class);
        wm.verify(MAX_ATTEMPTS, postRequestedFor(urlPathEqualTo("/")));
    }

    @Test
    void setReceiving_noRuleConfigured_callsNothing() {
        try (AwsSesGateway noRule = gateway(Duration.ofSeconds(10), Optional.empty(), Optional.empty())) {
            noRule.setReceiving(REGION, "example.com", true);
        }

        wm.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void create_onlyRuleSetNameGiven_isRejected() {
        assertThatThrownBy(() -> gateway(Duration.ofSeconds(1), Optional.of("main"), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected: both or neither");
    }

    @Test
    void aRegionThatDoesNotOfferSes_getsNoClient_andSendsNothing() {
        try (AwsSesGateway gateway = gateway(Duration.ofSeconds(1), Optional.empty(), Optional.empty())) {
            assertThatThrownBy(() -> gateway.getIdentity("xx-fake-9", "example.com"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("region: \"xx-fake-9\" is not an AWS region that offers SES");
            assertThatThrownBy(() -> gateway.createIdentity("xx-fake-9", "example.com", "dom_1"))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        wm.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void theSesRegions_comeFromTheSdk_withoutFipsEndpoints() {
        assertThat(SesRegions.known())
                .contains("us-east-1", "eu-west-1", "ap-southeast-2", "us-gov-west-1")
                .doesNotContain("xx-fake-9", "fips-us-east-1", "aws-global")
                .allMatch(r -> !r.contains("fips"));
    }

    // ---- helpers ----

    private static AwsSesGateway gateway(Duration apiCallTimeout, Optional<String> ruleSet, Optional<String> rule) {
        return AwsSesGateway.create(
                REGION,
                Optional.of(URI.create(wm.baseUrl())),
                AwsTestCredentials.PROVIDER,
                ruleSet,
                rule,
                fastRetries(),
                apiCallTimeout);
    }

    private static RetryStrategy fastRetries() {
        BackoffStrategy tiny = BackoffStrategy.fixedDelayWithoutJitter(Duration.ofMillis(10));
        return AwsRetryStrategy.standardRetryStrategy().toBuilder()
                .maxAttempts(MAX_ATTEMPTS)
                .backoffStrategy(tiny)
                .throttlingBackoffStrategy(tiny)
                .circuitBreakerEnabled(false)
                .build();
    }

    private static void stubDescribeRule(List<String> recipients) {
        wm.stubFor(describeReceiptRule()
                .withRequestBody(containing("RuleSetName=main"))
                .withRequestBody(containing("RuleName=inbound"))
                .willReturn(queryXml(receiptRule(
                        "inbound",
                        recipients,
                        "<member><S3Action><BucketName>inbound-mail</BucketName>"
                                + "<ObjectKeyPrefix>in/</ObjectKeyPrefix></S3Action></member>",
                        "<member><StopAction><Scope>RuleSet</Scope></StopAction></member>"))));
    }

    private static void stubUpdateRule() {
        wm.stubFor(updateReceiptRule().willReturn(ruleUpdated()));
    }
}
