package dev.domainkeeper.api;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.domainkeeper.testing.AwsTestCredentials;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import dev.domainkeeper.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the service with {@code DOMAINKEEPER_SES_BACKEND=aws} against WireMock speaking SES v2's
 * REST-JSON, through the real HTTP/JSON API: the production wiring of the AWS adapter.
 */
class AwsBackendLifecycleTest {
    @RegisterExtension
    static WireMockExtension ses = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    @TempDir
    static Path dir;
    static TestServer server;
    static final MutableClock clock = new MutableClock(Instant.now());

    @BeforeAll
    static void start() {
        server = TestServer.start(dir, Map.of("DOMAINKEEPER_SES_BACKEND", "aws", "AWS_REGION", "eu-west-1",
                "DOMAINKEEPER_SES_ENDPOINT", ses.baseUrl(), "DOMAINKEEPER_BACKGROUND_WORKERS", "false"),
                a -> a.withClock(clock).withAwsCredentials(AwsTestCredentials.PROVIDER));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String identity(String status, boolean verified) {
        return "{\"IdentityType\":\"DOMAIN\",\"VerifiedForSendingStatus\":" + verified + ",\"VerificationStatus\":\""
                + status + "\",\"DkimAttributes\":{\"SigningEnabled\":true,\"Status\":\"" + status
                + "\",\"Tokens\":[\"tok1\",\"tok2\",\"tok3\"],\"SigningAttributesOrigin\":\"AWS_SES\","
                + "\"SigningHostedZone\":\"dkim.amazonses.com\",\"NextSigningKeyLength\":\"RSA_2048_BIT\"},"
                + "\"MailFromAttributes\":{\"MailFromDomain\":\"mail.aws.example.com\",\"MailFromDomainStatus\":\""
                + status + "\",\"BehaviorOnMxFailure\":\"USE_DEFAULT_VALUE\"},\"Policies\":{},\"Tags\":[]}";
    }

    @Test
    void addGetRemove_talkToSesV2() {
        ses.stubFor(post(urlPathEqualTo("/v2/email/identities")).willReturn(okJson(
                "{\"IdentityType\":\"DOMAIN\",\"VerifiedForSendingStatus\":false,\"DkimAttributes\":{\"SigningEnabled\":true,"
                        + "\"Status\":\"PENDING\",\"Tokens\":[\"tok1\",\"tok2\",\"tok3\"],"
                        + "\"SigningHostedZone\":\"dkim.amazonses.com\"}}")));
        ses.stubFor(put(urlPathEqualTo("/v2/email/identities/aws.example.com/mail-from")).willReturn(okJson("{}")));
        ses.stubFor(get(urlPathEqualTo("/v2/email/identities/aws.example.com")).willReturn(okJson(identity("SUCCESS", true))));
        ses.stubFor(delete(urlPathEqualTo("/v2/email/identities/aws.example.com")).willReturn(okJson("{}")));

        HttpResponse<String> added = server.http("POST", "/domains", TestServer.BOOTSTRAP_KEY, "{\"domain\":\"aws.example.com\"}");

        assertThat(added.statusCode()).as(added.body()).isEqualTo(200);
        JsonNode d = Json.parse(added.body()).get("domain");
        assertThat(d.get("region").asText()).isEqualTo("eu-west-1");
        assertThat(d.get("dns_records").get(0).get("name").asText()).isEqualTo("tok1._domainkey.aws.example.com");
        assertThat(d.get("dns_records").get(0).get("value").asText()).isEqualTo("tok1.dkim.amazonses.com");
        assertThat(d.get("dns_records").get(3).get("value").asText()).isEqualTo("feedback-smtp.eu-west-1.amazonses.com");
        ses.verify(postRequestedFor(urlPathEqualTo("/v2/email/identities"))
                .withRequestBody(matchingJsonPath("$.EmailIdentity", com.github.tomakehurst.wiremock.client.WireMock.equalTo("aws.example.com")))
                .withRequestBody(matchingJsonPath("$.DkimSigningAttributes.NextSigningKeyLength",
                        com.github.tomakehurst.wiremock.client.WireMock.equalTo("RSA_2048_BIT"))));
        ses.verify(putRequestedFor(urlPathEqualTo("/v2/email/identities/aws.example.com/mail-from"))
                .withRequestBody(matchingJsonPath("$.MailFromDomain", com.github.tomakehurst.wiremock.client.WireMock.equalTo("mail.aws.example.com")))
                .withRequestBody(matchingJsonPath("$.BehaviorOnMxFailure",
                        com.github.tomakehurst.wiremock.client.WireMock.equalTo("USE_DEFAULT_VALUE"))));

        clock.advance(Duration.ofSeconds(6)); // Past the refresh window, so GetDomain asks SES again.
        JsonNode got = Json.parse(server.http("GET", "/domains/" + d.get("id").asText(), TestServer.BOOTSTRAP_KEY, null)
                .body()).get("domain");
        assertThat(got.get("verification_status").asText()).isEqualTo("SUCCESS");
        assertThat(got.get("dkim_status").asText()).isEqualTo("SUCCESS");
        assertThat(got.get("mail_from_status").asText()).isEqualTo("SUCCESS");

        assertThat(server.http("DELETE", "/domains/" + d.get("id").asText(), TestServer.BOOTSTRAP_KEY, null).statusCode())
                .isEqualTo(200);
        ses.verify(deleteRequestedFor(urlPathEqualTo("/v2/email/identities/aws.example.com")));
    }

    @Test
    void sesThrottlingThatPersists_isUnavailableWithRetryHint_andNoDomain() {
        ses.stubFor(post(urlPathEqualTo("/v2/email/identities")).willReturn(aResponse().withStatus(429)
                .withHeader("x-amzn-ErrorType", "TooManyRequestsException")
                .withHeader("Content-Type", "application/json").withBody("{\"message\":\"Too many requests\"}")));

        HttpResponse<String> r = server.http("POST", "/domains", TestServer.BOOTSTRAP_KEY, "{\"domain\":\"busy.example.com\"}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(r.headers().firstValue("retry-after")).isPresent();
        assertThat(r.body()).contains("UNAVAILABLE");
        assertThat(server.http("GET", "/domains", TestServer.BOOTSTRAP_KEY, null).body()).doesNotContain("busy.example.com");
    }
}
