package dev.domainkeeper.api;

import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.domainkeeper.testing.SesStubs.alreadyExists;
import static dev.domainkeeper.testing.SesStubs.createIdentity;
import static dev.domainkeeper.testing.SesStubs.created;
import static dev.domainkeeper.testing.SesStubs.deleteIdentity;
import static dev.domainkeeper.testing.SesStubs.empty;
import static dev.domainkeeper.testing.SesStubs.getIdentity;
import static dev.domainkeeper.testing.SesStubs.putMailFrom;
import static dev.domainkeeper.testing.SesStubs.tooManyRequests;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.domainkeeper.testing.AwsTestCredentials;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.MutableClock;
import dev.domainkeeper.testing.SesStubs;
import dev.domainkeeper.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs the service with {@code DOMAINKEEPER_SES_BACKEND=aws} against WireMock speaking SES v2's
 * REST-JSON, through the real HTTP/JSON API: the production wiring of the AWS adapter.
 */
class AwsBackendLifecycleTest {
    @RegisterExtension
    static WireMockExtension ses = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"))
            .build();

    @TempDir
    static Path dir;

    static TestServer server;
    static final MutableClock clock = new MutableClock(Instant.now());

    @BeforeAll
    static void start() {
        server = TestServer.start(
                dir,
                Map.of(
                        "DOMAINKEEPER_SES_BACKEND",
                        "aws",
                        "AWS_REGION",
                        "eu-west-1",
                        "DOMAINKEEPER_SES_ENDPOINT",
                        ses.baseUrl(),
                        "DOMAINKEEPER_BACKGROUND_WORKERS",
                        "false"),
                a -> a.withClock(clock).withAwsCredentials(AwsTestCredentials.PROVIDER));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Returns a GetEmailIdentity answer, verification, DKIM and MAIL FROM all in {@code status}. */
    private static SesStubs.Identity identity(String status) {
        return SesStubs.identity(status).tokens("tok1", "tok2", "tok3").mailFrom("mail.aws.example.com", status);
    }

    @Test
    void addGetRemove_talkToSesV2() {
        ses.stubFor(createIdentity().willReturn(created("tok1", "tok2", "tok3").response()));
        ses.stubFor(putMailFrom("aws.example.com").willReturn(empty()));
        ses.stubFor(deleteIdentity("aws.example.com").willReturn(empty()));

        HttpResponse<String> added =
                server.http("POST", "/domains", TestServer.BOOTSTRAP_KEY, "{\"domain\":\"aws.example.com\"}");

        assertThat(added.statusCode()).as(added.body()).isEqualTo(200);
        JsonNode d = Json.parse(added.body()).get("domain");
        // SES keeps the tag the identity was created with and returns it in GetEmailIdentity.
        ses.stubFor(getIdentity("aws.example.com")
                .willReturn(identity("SUCCESS").ownerTag(d.get("id").asText()).response()));
        ses.verify(postRequestedFor(urlPathEqualTo(SesStubs.IDENTITIES))
                .withRequestBody(matchingJsonPath("$.Tags[0].Key", equalTo("domainkeeper:domain-id")))
                .withRequestBody(
                        matchingJsonPath("$.Tags[0].Value", equalTo(d.get("id").asText()))));
        assertThat(d.get("region").asText()).isEqualTo("eu-west-1");
        assertThat(d.get("dns_records").get(0).get("name").asText()).isEqualTo("tok1._domainkey.aws.example.com");
        assertThat(d.get("dns_records").get(0).get("value").asText()).isEqualTo("tok1.dkim.amazonses.com");
        assertThat(d.get("dns_records").get(3).get("value").asText())
                .isEqualTo("feedback-smtp.eu-west-1.amazonses.com");
        ses.verify(postRequestedFor(urlPathEqualTo(SesStubs.IDENTITIES))
                .withRequestBody(matchingJsonPath("$.EmailIdentity", equalTo("aws.example.com")))
                .withRequestBody(
                        matchingJsonPath("$.DkimSigningAttributes.NextSigningKeyLength", equalTo("RSA_2048_BIT"))));
        ses.verify(putRequestedFor(urlPathEqualTo(SesStubs.mailFromPath("aws.example.com")))
                .withRequestBody(matchingJsonPath("$.MailFromDomain", equalTo("mail.aws.example.com")))
                .withRequestBody(matchingJsonPath("$.BehaviorOnMxFailure", equalTo("USE_DEFAULT_VALUE"))));

        clock.advance(Duration.ofSeconds(6)); // Past the refresh window, so GetDomain asks SES again.
        JsonNode got = Json.parse(server.http("GET", "/domains/" + d.get("id").asText(), TestServer.BOOTSTRAP_KEY, null)
                        .body())
                .get("domain");
        assertThat(got.get("verification_status").asText()).isEqualTo("SUCCESS");
        assertThat(got.get("dkim_status").asText()).isEqualTo("SUCCESS");
        assertThat(got.get("mail_from_status").asText()).isEqualTo("SUCCESS");

        assertThat(server.http("DELETE", "/domains/" + d.get("id").asText(), TestServer.BOOTSTRAP_KEY, null)
                        .statusCode())
                .isEqualTo(200);
        ses.verify(deleteRequestedFor(urlPathEqualTo(SesStubs.identityPath("aws.example.com"))));
    }

    @Test
    void sesThrottlingThatPersists_isUnavailableWithRetryHint_andNoDomain() {
        ses.stubFor(createIdentity().willReturn(tooManyRequests("Too many requests")));

        HttpResponse<String> r =
                server.http("POST", "/domains", TestServer.BOOTSTRAP_KEY, "{\"domain\":\"busy.example.com\"}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(r.headers().firstValue("retry-after")).isPresent();
        assertThat(r.body()).contains("UNAVAILABLE");
        assertThat(server.http("GET", "/domains", TestServer.BOOTSTRAP_KEY, null)
                        .body())
                .doesNotContain("busy.example.com");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "[{\"Key\":\"domainkeeper:domain-id\",\"Value\":\"dom_someone_else\"}]"})
    void identityExistingWithoutOurTag_isNotTakenOver(String tags) {
        String name = (tags.equals("[]") ? "untagged" : "foreign") + ".example.com";
        String path = SesStubs.identityPath(name);
        ses.stubFor(createIdentity()
                .withRequestBody(matchingJsonPath("$.EmailIdentity", equalTo(name)))
                .willReturn(alreadyExists(name)));
        SesStubs.Identity existing = identity("SUCCESS");
        Json.parse(tags)
                .forEach(t -> existing.tag(t.get("Key").asText(), t.get("Value").asText()));
        ses.stubFor(getIdentity(name).willReturn(existing.response()));

        HttpResponse<String> r =
                server.http("POST", "/domains", TestServer.BOOTSTRAP_KEY, "{\"domain\":\"" + name + "\"}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
        assertThat(Json.parse(r.body()).get("grpc-code").asText()).isEqualTo("ALREADY_EXISTS");
        assertThat(Json.parse(r.body()).get("message").asText()).contains(name).contains("outside Domainkeeper");
        int rows = server.server()
                .database()
                .jdbi()
                .withHandle(h -> h.createQuery("SELECT COUNT(*) FROM domains WHERE name = :n")
                        .bind("n", name)
                        .mapTo(Integer.class)
                        .one());
        assertThat(rows).as("no row is left half-made").isZero();
        ses.verify(0, putRequestedFor(urlPathEqualTo(path + "/mail-from")));
        ses.verify(0, deleteRequestedFor(urlPathEqualTo(path)));
    }

    @Test
    void removeWhenTheIdentityIsNoLongerOurs_leavesItInSes() {
        String name = "replaced.example.com";
        String path = SesStubs.identityPath(name);
        ses.stubFor(createIdentity()
                .withRequestBody(matchingJsonPath("$.EmailIdentity", equalTo(name)))
                .willReturn(created("a", "b", "c").withoutSigningZone().response()));
        ses.stubFor(putMailFrom(name).willReturn(empty()));
        ses.stubFor(deleteIdentity(name).willReturn(empty()));
        String id = Json.parse(
                        server.http("POST", "/domains", TestServer.BOOTSTRAP_KEY, "{\"domain\":\"" + name + "\"}")
                                .body())
                .get("domain")
                .get("id")
                .asText();
        // Someone deleted the identity and made it again outside Domainkeeper, with another tag.
        ses.stubFor(getIdentity(name)
                .willReturn(identity("SUCCESS").ownerTag("dom_other").response()));

        HttpResponse<String> removed = server.http("DELETE", "/domains/" + id, TestServer.BOOTSTRAP_KEY, null);

        assertThat(removed.statusCode()).as(removed.body()).isEqualTo(200);
        assertThat(Json.parse(removed.body()).get("notes"))
                .singleElement()
                .satisfies(n -> assertThat(n.asText())
                        .contains("not created by Domainkeeper")
                        .contains("left in SES"));
        ses.verify(0, deleteRequestedFor(urlPathEqualTo(path)));
        assertThat(server.http("GET", "/domains/" + id, TestServer.BOOTSTRAP_KEY, null)
                        .statusCode())
                .isEqualTo(404);
    }
}
