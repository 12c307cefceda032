package dev.domainkeeper.ses.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.domainkeeper.testing.SesStubs.createIdentity;
import static dev.domainkeeper.testing.SesStubs.created;
import static dev.domainkeeper.testing.SesStubs.error;
import static dev.domainkeeper.testing.SesStubs.getIdentity;
import static dev.domainkeeper.testing.SesStubs.identity;
import static dev.domainkeeper.testing.SesStubs.json;
import static dev.domainkeeper.testing.SesStubs.putDkimSigning;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.domainkeeper.domain.DkimKeyLength;
import dev.domainkeeper.ses.DkimKeyChangeTooSoonException;
import dev.domainkeeper.ses.DkimSigning;
import dev.domainkeeper.ses.SesRejectedException;
import dev.domainkeeper.testing.AwsTestCredentials;
import dev.domainkeeper.testing.SesStubs;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;

/** Runs the AWS adapter's DKIM key length calls against WireMock stubs of the SES v2 wire. */
class AwsDkimKeyLengthTest {

    @RegisterExtension
    static final WireMockExtension wm = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"))
            .build();

    private static final String REFUSAL =
            "The signing key length for identity example.com was changed recently. Try again later.";

    private AwsSesGateway gateway;

    @BeforeEach
    void setUp() {
        gateway = AwsSesGateway.create(
                "us-east-1",
                Optional.of(URI.create(wm.baseUrl())),
                AwsTestCredentials.PROVIDER,
                Optional.empty(),
                Optional.empty(),
                AwsRetryStrategy.doNotRetry(),
                Duration.ofSeconds(10));
    }

    @AfterEach
    void tearDown() {
        gateway.close();
    }

    @Test
    void createIdentity_with1024_sendsNextSigningKeyLength() {
        wm.stubFor(createIdentity().willReturn(created("t1", "t2", "t3").response()));

        gateway.createIdentity("us-east-1", "example.com", "dom_1", DkimKeyLength.RSA_1024_BIT);

        wm.verify(postRequestedFor(urlPathEqualTo(SesStubs.IDENTITIES)).withRequestBody(equalToJson("""
                {"EmailIdentity":"example.com","DkimSigningAttributes":{"NextSigningKeyLength":"RSA_1024_BIT"},
                 "Tags":[{"Key":"domainkeeper:domain-id","Value":"dom_1"}]}""")));
    }

    @Test
    void createIdentityWithKey_sendsTheSelectorAndPrivateKey_asExternalSigning() {
        wm.stubFor(createIdentity().willReturn(created("s2026").response()));

        gateway.createIdentityWithKey("us-east-1", "example.com", "dom_1", "s2026", "TUlJRXZRSUJBREFOQmdr");

        wm.verify(postRequestedFor(urlPathEqualTo(SesStubs.IDENTITIES)).withRequestBody(equalToJson("""
                {"EmailIdentity":"example.com",
                 "DkimSigningAttributes":{"DomainSigningSelector":"s2026","DomainSigningPrivateKey":"TUlJRXZRSUJBREFOQmdr"},
                 "Tags":[{"Key":"domainkeeper:domain-id","Value":"dom_1"}]}""")));
    }

    @Test
    void getDkimSigning_readsLengthsAndFractionalGenerationTime() {
        wm.stubFor(getIdentity("example.com")
                .willReturn(identity("SUCCESS")
                        .keyLengths("RSA_2048_BIT", "RSA_1024_BIT", "1718000000.5")
                        .response()));

        DkimSigning signing = gateway.getDkimSigning("us-east-1", "example.com");

        assertThat(signing)
                .isEqualTo(new DkimSigning(
                        DkimKeyLength.RSA_2048_BIT,
                        DkimKeyLength.RSA_1024_BIT,
                        Instant.ofEpochSecond(1718000000L, 500_000_000L)));
        assertThat(signing.nextChangeAllowedAt()).contains(Instant.ofEpochSecond(1718086400L, 500_000_000L));
    }

    @Test
    void putDkimKeyLength_sendsSigningAttributes() {
        wm.stubFor(putDkimSigning("example.com")
                .willReturn(json("{\"DkimStatus\":\"PENDING\",\"DkimTokens\":[\"t1\",\"t2\",\"t3\"]}")));

        gateway.putDkimKeyLength("us-east-1", "example.com", DkimKeyLength.RSA_1024_BIT);

        wm.verify(
                putRequestedFor(urlPathEqualTo(SesStubs.identityPath("example.com") + "/dkim/signing"))
                        .withRequestBody(
                                equalToJson(
                                        "{\"SigningAttributesOrigin\":\"AWS_SES\",\"SigningAttributes\":{\"NextSigningKeyLength\":\"RSA_1024_BIT\"}}")));
    }

    @Test
    void putDkimSigningKey_sendsExternalSigningWithTheNewSelectorAndKey() {
        wm.stubFor(
                putDkimSigning("example.com").willReturn(json("{\"DkimStatus\":\"SUCCESS\",\"DkimTokens\":[\"s2\"]}")));

        gateway.putDkimSigningKey("us-east-1", "example.com", "s2", "TUlJRXZRSUJBREFOQmdr");

        wm.verify(putRequestedFor(urlPathEqualTo(SesStubs.identityPath("example.com") + "/dkim/signing"))
                .withRequestBody(equalToJson("""
                        {"SigningAttributesOrigin":"EXTERNAL",
                         "SigningAttributes":{"DomainSigningSelector":"s2","DomainSigningPrivateKey":"TUlJRXZRSUJBREFOQmdr"}}""")));
    }

    @Test
    void putDkimKeyLength_refusedAsChangedRecently_isTooSoonWithTheTime() {
        wm.stubFor(putDkimSigning("example.com").willReturn(error(400, "BadRequestException", REFUSAL)));
        wm.stubFor(getIdentity("example.com")
                .willReturn(identity("SUCCESS")
                        .keyLengths("RSA_2048_BIT", "RSA_1024_BIT", "1718000000")
                        .response()));

        assertThatThrownBy(() -> gateway.putDkimKeyLength("us-east-1", "example.com", DkimKeyLength.RSA_2048_BIT))
                .isInstanceOf(DkimKeyChangeTooSoonException.class)
                .hasMessageContaining("dkim_key_length")
                .hasMessageContaining("2024-06-11T06:13:20Z");
    }

    @Test
    void putDkimKeyLength_throttledAsChangedRecently_isTooSoon() {
        wm.stubFor(putDkimSigning("example.com").willReturn(error(429, "TooManyRequestsException", REFUSAL)));
        wm.stubFor(getIdentity("example.com").willReturn(error(500, "InternalFailure", "oops")));

        assertThatThrownBy(() -> gateway.putDkimKeyLength("us-east-1", "example.com", DkimKeyLength.RSA_2048_BIT))
                .isInstanceOf(DkimKeyChangeTooSoonException.class)
                .hasMessageContaining("dkim_key_length")
                .hasMessageContaining("retry in 24 hours");
    }

    @Test
    void putDkimKeyLength_otherBadRequest_isRejected() {
        wm.stubFor(putDkimSigning("example.com")
                .willReturn(error(400, "BadRequestException", "Invalid signing attributes origin.")));

        assertThatThrownBy(() -> gateway.putDkimKeyLength("us-east-1", "example.com", DkimKeyLength.RSA_2048_BIT))
                .isInstanceOf(SesRejectedException.class)
                .isNotInstanceOf(DkimKeyChangeTooSoonException.class);
    }
}
