package dev.domainkeeper.api;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.domainkeeper.server.Config;
import dev.domainkeeper.server.ConfigException;
import dev.domainkeeper.testing.AwsTestCredentials;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Plays AddDomain with regions that do not offer SES: each is INVALID_ARGUMENT naming {@code region},
 * stores no row and sends SES nothing (so no SES client is made for it); the configured default region
 * is checked against the same list.
 */
class RegionCheckTest {
    @RegisterExtension
    static WireMockExtension ses = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"))
            .build();

    @TempDir
    Path dir;

    private static long rows(TestServer server, String table) {
        return server.server()
                .database()
                .jdbi()
                .withHandle(h -> h.createQuery("SELECT COUNT(*) FROM " + table)
                        .mapTo(Long.class)
                        .one());
    }

    private static void assertRefused(HttpResponse<String> r, String region) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        JsonNode error = Json.parse(r.body());
        assertThat(error.get("grpc-code").asText()).isEqualTo("INVALID_ARGUMENT");
        assertThat(error.get("message").asText())
                .startsWith("region: \"" + region + "\" is not an AWS region that offers SES (expected one of: ")
                .contains("us-east-1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"xx-fake-9", "us-east-99", "moon-base-1"})
    void addDomain_withTheAwsBackend_inAMadeUpRegion_isRefused_andSesIsNeverAsked(String region) {
        try (TestServer server = TestServer.start(
                dir,
                Map.of(
                        "DOMAINKEEPER_SES_BACKEND",
                        "aws",
                        "DOMAINKEEPER_SES_ENDPOINT",
                        ses.baseUrl(),
                        "DOMAINKEEPER_BACKGROUND_WORKERS",
                        "false"),
                a -> a.withAwsCredentials(AwsTestCredentials.PROVIDER))) {
            HttpResponse<String> r = server.http(
                    "POST",
                    "/domains",
                    TestServer.BOOTSTRAP_KEY,
                    "{\"domain\":\"fake.example.com\",\"region\":\"" + region + "\"}");

            assertRefused(r, region);
            assertThat(rows(server, "domains")).isZero();
            ses.verify(0, anyRequestedFor(anyUrl()));
        }
    }

    @Test
    void addDomain_withTheSandbox_inAMadeUpRegion_isRefused_andStoresNothing() {
        try (TestServer server = TestServer.start(dir)) {
            HttpResponse<String> r = server.http(
                    "POST",
                    "/domains",
                    TestServer.BOOTSTRAP_KEY,
                    "{\"domain\":\"fake.example.com\",\"region\":\"xx-fake-9\"}");

            assertRefused(r, "xx-fake-9");
            assertThat(rows(server, "domains")).isZero();
            assertThat(rows(server, "sandbox_identities")).isZero();
            HttpResponse<String> real = server.http(
                    "POST",
                    "/domains",
                    TestServer.BOOTSTRAP_KEY,
                    "{\"domain\":\"fake.example.com\",\"region\":\"eu-west-1\"}");
            assertThat(real.statusCode()).as(real.body()).isEqualTo(200);
            assertThat(Json.parse(real.body()).get("domain").get("region").asText())
                    .isEqualTo("eu-west-1");
        }
    }

    @Test
    void theConfiguredDefaultRegion_mustOfferSes() {
        assertThatThrownBy(() -> Config.fromEnvironment(Map.of("AWS_REGION", "xx-fake-9")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("AWS_REGION: \"xx-fake-9\" is not an AWS region that offers SES");
        assertThat(Config.fromEnvironment(Map.of("AWS_REGION", "eu-central-2"))
                        .aws()
                        .region())
                .isEqualTo("eu-central-2");
    }
}
