package dev.domainkeeper.api;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.domainkeeper.testing.Route53Stubs.changeResponse;
import static dev.domainkeeper.testing.Route53Stubs.error;
import static dev.domainkeeper.testing.Route53Stubs.getChange;
import static dev.domainkeeper.testing.Route53Stubs.getZone;
import static dev.domainkeeper.testing.Route53Stubs.recordPage;
import static dev.domainkeeper.testing.Route53Stubs.recordSet;
import static dev.domainkeeper.testing.Route53Stubs.xml;
import static dev.domainkeeper.testing.Route53Stubs.zone;
import static dev.domainkeeper.testing.Route53Stubs.zoneList;
import static dev.domainkeeper.testing.Route53Stubs.zonesByName;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.domainkeeper.accounts.AccountService;
import dev.domainkeeper.domain.RecordType;
import dev.domainkeeper.proto.dnsconnections.v1.DnsConnectionsServiceGrpc;
import dev.domainkeeper.proto.dnsconnections.v1.GetRoute53RoleSetupRequest;
import dev.domainkeeper.store.AccountStore;
import dev.domainkeeper.testing.AwsTestCredentials;
import dev.domainkeeper.testing.CapturedLogs;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.LoopbackDnsServer;
import dev.domainkeeper.testing.Route53Stubs;
import dev.domainkeeper.testing.TestServer;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives ROUTE53 connections in ASSUME_ROLE mode through the real API: Domainkeeper assumes the
 * customer's role with STS (WireMock speaking STS's Query protocol) and publishes to Route 53
 * (WireMock speaking REST-XML) with the role's temporary credentials, which the stubs insist on; a
 * call signed with the operator's own credentials is refused like AWS would refuse it.
 */
class Route53RoleConnectionTest {
    @RegisterExtension
    static final WireMockExtension wm = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"))
            .build();

    private static final String KEY = TestServer.BOOTSTRAP_KEY;
    private static final String OPERATOR_ACCOUNT = "111122223333";
    private static final String ROLE = "arn:aws:iam::444455556666:role/domainkeeper-dns";
    private static final String ROLE_KEY_ID = "ASIAROLEKEY000000001";
    private static final String ROLE_SECRET = "roleSecretAccessKey/0123456789abcdefghij";
    private static final String SESSION_TOKEN = "FwoGZXIvYXdzEXAMPLEroleSessionToken0123456789";
    private static final String ZONE_ID = "ZCUSTOMER";
    private static final String RRSET = "/2013-04-01/hostedzone/" + ZONE_ID + "/rrset";
    private static final String[] NAME_SERVERS = {"ns-10.awsdns-10.org", "ns-20.awsdns-20.com"};
    private static final String GOOGLE_SPF = "v=spf1 include:_spf.google.com ~all";
    private static final String REJECT_DMARC = "v=DMARC1; p=reject; rua=mailto:dmarc@example.com";

    @TempDir
    Path dir;

    @RegisterExtension
    final CapturedLogs logs = new CapturedLogs();

    LoopbackDnsServer dns;
    TestServer server;

    @BeforeEach
    void start() {
        dns = LoopbackDnsServer.start();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("DOMAINKEEPER_DNS_RESOLVERS", dns.hostAndPort());
        env.put("DOMAINKEEPER_DNS_TIMEOUT_MS", "1000");
        env.put("DOMAINKEEPER_BACKGROUND_WORKERS", "false");
        env.put("DOMAINKEEPER_ROUTE53_ENDPOINT", wm.baseUrl());
        env.put("DOMAINKEEPER_STS_ENDPOINT", wm.baseUrl());
        server = TestServer.start(dir, env, a -> a.withAwsCredentials(AwsTestCredentials.PROVIDER));
        // Whatever is not signed with the role's credentials is refused, as AWS would.
        wm.stubFor(any(anyUrl())
                .atPriority(100)
                .willReturn(error(
                        403,
                        "AccessDenied",
                        "User: arn:aws:iam::" + OPERATOR_ACCOUNT
                                + ":user/operator is not authorized to perform this action")));
        wm.stubFor(post(urlPathEqualTo("/"))
                .withRequestBody(containing("Action=GetCallerIdentity"))
                .willReturn(xml("""
                        <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                          <GetCallerIdentityResult><Arn>arn:aws:iam::%s:user/operator</Arn>
                          <UserId>AIDAOPERATOR</UserId><Account>%s</Account></GetCallerIdentityResult>
                          <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>
                        </GetCallerIdentityResponse>""".formatted(OPERATOR_ACCOUNT, OPERATOR_ACCOUNT))));
    }

    @AfterEach
    void stop() {
        server.close();
        dns.close();
    }

    // ---- Setting up the role ----

    @Test
    void roleSetup_givesTheSameExternalIdTheConnectionUses_andTheOperatorsPrincipal() {
        JsonNode setup = ok(server.http("GET", setupPath(ROLE), KEY, null));
        JsonNode again = ok(server.http("GET", setupPath(ROLE), KEY, null));
        var grpc = server.grpc(DnsConnectionsServiceGrpc.DnsConnectionsServiceBlockingStub.class, KEY)
                .getRoute53RoleSetup(
                        GetRoute53RoleSetupRequest.newBuilder().setRoleArn(ROLE).build());

        String externalId = setup.get("external_id").asText();
        assertThat(externalId).startsWith("dk_").hasSizeGreaterThan(20);
        assertThat(again.get("external_id").asText()).isEqualTo(externalId);
        assertThat(grpc.getExternalId()).isEqualTo(externalId);
        assertThat(setup.get("role_arn").asText()).isEqualTo(ROLE);
        assertThat(setup.get("principal").asText()).isEqualTo("arn:aws:iam::" + OPERATOR_ACCOUNT + ":root");
        JsonNode trust = Json.parse(setup.get("trust_policy_json").asText());
        JsonNode statement = trust.get("Statement").get(0);
        assertThat(statement.get("Principal").get("AWS").asText())
                .isEqualTo("arn:aws:iam::" + OPERATOR_ACCOUNT + ":root");
        assertThat(statement.get("Action").asText()).isEqualTo("sts:AssumeRole");
        assertThat(statement
                        .get("Condition")
                        .get("StringEquals")
                        .get("sts:ExternalId")
                        .asText())
                .isEqualTo(externalId);
        assertThat(Json.parse(setup.get("permissions_policy_json").asText()).toString())
                .contains("route53:ChangeResourceRecordSets", "route53:GetChange");
        assertThat(wm.findAll(postRequestedFor(urlPathEqualTo("/")).withRequestBody(containing("AssumeRole"))))
                .as("nothing is assumed to show the setup")
                .isEmpty();

        HttpResponse<String> bad = server.http("GET", setupPath("arn:aws:iam::12:role/x"), KEY, null);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(Json.parse(bad.body()).get("message").asText()).startsWith("role_arn:");
    }

    @Test
    void create_assumesTheRoleWithTheExternalId_andShowsThePolicies() {
        String externalId = externalId(KEY);
        stubAssumeRole(externalId);
        stubCustomerZone();

        JsonNode c =
                ok(server.http("POST", "/dns-connections", KEY, roleBody())).get("dns_connection");

        assertThat(c.get("kind").asText()).isEqualTo("ROUTE53");
        assertThat(c.get("has_secret").asBoolean()).isFalse();
        JsonNode r53 = c.get("route53");
        assertThat(r53.get("mode").asText()).isEqualTo("ASSUME_ROLE");
        assertThat(r53.get("role_arn").asText()).isEqualTo(ROLE);
        assertThat(r53.get("external_id").asText()).isEqualTo(externalId);
        assertThat(r53.get("trust_policy_json").asText()).contains(externalId, OPERATOR_ACCOUNT);
        List<LoggedRequest> assumed =
                wm.findAll(postRequestedFor(urlPathEqualTo("/")).withRequestBody(containing("Action=AssumeRole")));
        assertThat(assumed).hasSize(1);
        assertThat(assumed.get(0).getBodyAsString())
                .contains("RoleArn=" + URLEncoder.encode(ROLE, StandardCharsets.UTF_8))
                .contains("ExternalId=" + externalId)
                .contains("RoleSessionName=domainkeeper");
        assertThat(assumed.get(0).getHeader("Authorization")).contains("Credential=AKIDTEST/");
    }

    @Test
    void create_roleThatDoesNotTrustDomainkeeper_isRefusedWithTheExternalIdToSet_andStoresNothing() {
        wm.stubFor(post(urlPathEqualTo("/"))
                .withRequestBody(containing("Action=AssumeRole"))
                .willReturn(stsError(
                        403,
                        "AccessDenied",
                        "User: arn:aws:iam::" + OPERATOR_ACCOUNT + ":user/operator is not authorized to perform:"
                                + " sts:AssumeRole on resource: " + ROLE)));

        HttpResponse<String> created = server.http("POST", "/dns-connections", KEY, roleBody());

        assertThat(created.statusCode()).as(created.body()).isEqualTo(400);
        JsonNode error = Json.parse(created.body());
        assertThat(error.get("grpc-code").asText()).isEqualTo("FAILED_PRECONDITION");
        assertThat(error.get("message").asText())
                .contains("could not assume the role " + ROLE)
                .contains("AccessDenied")
                .contains(externalId(KEY))
                .contains("/dns-connections/route53/role-setup");
        assertThat(ok(server.http("GET", "/dns-connections", KEY, null)).get("dns_connections"))
                .isEmpty();
    }

    @Test
    void create_roleWithoutRoute53Permissions_saysToAttachThePermissionsPolicy() {
        stubAssumeRole(externalId(KEY));
        wm.stubFor(asRole(zonesByName("example.com"))
                .willReturn(error(403, "AccessDenied", "not authorized to perform: route53:ListHostedZonesByName")));

        HttpResponse<String> created = server.http("POST", "/dns-connections", KEY, roleBody());

        assertThat(created.statusCode()).as(created.body()).isEqualTo(400);
        assertThat(Json.parse(created.body()).get("message").asText())
                .contains("the role " + ROLE + " may not make this Route 53 call")
                .contains("permissions policy");
    }

    // ---- Publishing ----

    @Test
    void apply_throughTheRole_keepsThirdPartySpfRejectDmarcAndForeignMx_tracksTheChange_andEveryRecordTurnsValid() {
        stubAssumeRole(externalId(KEY));
        stubCustomerZone();
        wm.stubFor(asRole(get(urlPathEqualTo(RRSET)))
                .atPriority(1)
                .withQueryParam("name", equalTo("example.com."))
                .willReturn(xml(recordPage(
                        null,
                        null,
                        recordSet("example.com.", "MX", 3600, "1 aspmx.l.google.com."),
                        recordSet("example.com.", "TXT", 3600, "\"" + GOOGLE_SPF + "\"")))));
        wm.stubFor(asRole(get(urlPathEqualTo(RRSET)))
                .atPriority(1)
                .withQueryParam("name", equalTo("_dmarc.example.com."))
                .willReturn(xml(recordPage(
                        null, null, recordSet("_dmarc.example.com.", "TXT", 3600, "\"" + REJECT_DMARC + "\"")))));
        wm.stubFor(asRole(post(urlPathEqualTo(RRSET + "/"))).willReturn(xml(changeResponse("CROLE1", "PENDING"))));
        dns.addTxt("example.com", GOOGLE_SPF)
                .addTxt("_dmarc.example.com", REJECT_DMARC)
                .addMx("example.com", 1, "aspmx.l.google.com");
        for (String ns : NAME_SERVERS) {
            dns.add("example.com", RecordType.NS, ns);
        }
        String connection = createRoleConnection();
        String id = addDomain(KEY, "{\"domain\":\"example.com\",\"spf_mode\":\"MERGE\"}");

        JsonNode check = ok(server.http("GET", "/domains/" + id + "/dns-provider", KEY, null));
        JsonNode applied = ok(server.http("POST", "/domains/" + id + "/apply-records", KEY, "{}"));

        assertThat(check.get("has_access").asBoolean()).as(check.toString()).isTrue();
        assertThat(check.get("provider_type").asText()).isEqualTo("ROUTE53");
        assertThat(check.get("dns_connection_id").asText()).isEqualTo(connection);
        assertThat(check.get("delegated").asBoolean()).isTrue();
        List<LoggedRequest> submitted = wm.findAll(postRequestedFor(urlPathEqualTo(RRSET + "/")));
        assertThat(submitted).hasSize(1);
        assertThat(submitted.get(0).getHeader("X-Amz-Security-Token")).isEqualTo(SESSION_TOKEN);
        String body = submitted.get(0).getBodyAsString();
        assertThat(body)
                .contains("v=spf1 include:_spf.google.com include:amazonses.com ~all")
                .doesNotContain("_dmarc.example.com.</Name>")
                .doesNotContain("<Action>DELETE</Action>");
        assertThat(body).as("the foreign MX at the apex is left").doesNotContain("<Name>example.com.</Name><Type>MX");
        JsonNode state = applied.get("dns_apply_state");
        assertThat(state.get("status").asText()).isEqualTo("APPLYING");
        assertThat(state.get("provider").asText()).isEqualTo("ROUTE53");
        assertThat(state.get("change_id").asText()).isEqualTo("CROLE1");

        wm.stubFor(asRole(get("/2013-04-01/change/CROLE1")).willReturn(xml(getChange("CROLE1", "INSYNC"))));
        server.server().applyTracker().runOnce();

        assertThat(wm.findAll(com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(
                        urlPathEqualTo("/2013-04-01/change/CROLE1"))))
                .as("the change is followed with the role's credentials, the only ones that can see it")
                .isNotEmpty()
                .allSatisfy(r -> assertThat(r.getHeader("X-Amz-Security-Token")).isEqualTo(SESSION_TOKEN));
        JsonNode done = ok(server.http("GET", "/domains/" + id, KEY, null)).get("domain");
        assertThat(done.get("dns_apply_state").get("status").asText()).isEqualTo("APPLIED");
        assertThat(done.get("dns_apply_state").get("provider").asText()).isEqualTo("ROUTE53");

        Route53Stubs.serve(body, dns);
        JsonNode validated = ok(server.http("GET", "/domains/" + id + "?include_dns_validation=true", KEY, null))
                .get("domain")
                .get("dns_validation");
        assertThat(validated.get("records"))
                .allSatisfy(r ->
                        assertThat(r.get("status").asText()).as(r.toString()).isEqualTo("VALID"));
        assertThat(validated.get("all_valid").asBoolean()).isTrue();

        // The role's temporary credentials are in no response and no log line.
        String responses = check.toString()
                + applied
                + done
                + validated
                + server.http("GET", "/dns-connections/" + connection, KEY, null)
                        .body();
        for (String secret : List.of(ROLE_SECRET, SESSION_TOKEN)) {
            assertThat(responses).doesNotContain(secret);
            assertThat(logs.texts()).noneMatch(m -> m.contains(secret));
        }
    }

    @Test
    void trackingAfterTheConnectionIsDeleted_failsTheApplyAndSaysWhy() {
        stubAssumeRole(externalId(KEY));
        stubCustomerZone();
        wm.stubFor(asRole(post(urlPathEqualTo(RRSET + "/"))).willReturn(xml(changeResponse("CROLE2", "PENDING"))));
        String connection = createRoleConnection();
        String id = addDomain(KEY, "{\"domain\":\"example.com\"}");
        ok(server.http("POST", "/domains/" + id + "/apply-records", KEY, "{}"));
        ok(server.http("DELETE", "/dns-connections/" + connection, KEY, null));

        server.server().applyTracker().runOnce();

        JsonNode state = ok(server.http("GET", "/domains/" + id, KEY, null))
                .get("domain")
                .get("dns_apply_state");
        assertThat(state.get("status").asText()).isEqualTo("APPLY_FAILED");
        assertThat(state.get("error").asText())
                .contains(connection)
                .contains("deleted")
                .contains("CROLE2");
    }

    /**
     * The confused deputy: account Bob names Alice's role. Domainkeeper derives Bob's external id
     * from Bob's account, which Alice's trust policy does not allow, so Bob gets nothing; nor can he
     * see or use Alice's connection.
     */
    @Test
    void otherAccount_namingTheSameRole_getsAnotherExternalId_andCannotUseTheRoleOrTheConnection() {
        String aliceId = externalId(KEY);
        stubAssumeRole(aliceId);
        wm.stubFor(post(urlPathEqualTo("/"))
                .atPriority(50)
                .withRequestBody(containing("Action=AssumeRole"))
                .willReturn(stsError(403, "AccessDenied", "not authorized to perform: sts:AssumeRole")));
        stubCustomerZone();
        String connection = createRoleConnection();
        AccountService accounts =
                new AccountService(new AccountStore(server.server().database().jdbi()), Clock.systemUTC());
        String bob = accounts.createAccount("bob").key();

        String bobsId = externalId(bob);
        HttpResponse<String> bobCreates = server.http("POST", "/dns-connections", bob, roleBody());
        String bobsDomain = addDomain(bob, "{\"domain\":\"shop.example.com\"}");
        HttpResponse<String> read = server.http("GET", "/dns-connections/" + connection, bob, null);
        HttpResponse<String> apply = server.http("POST", "/domains/" + bobsDomain + "/apply-records", bob, "{}");

        assertThat(bobsId).isNotEqualTo(aliceId);
        assertThat(bobCreates.statusCode()).isEqualTo(400);
        assertThat(Json.parse(bobCreates.body()).get("message").asText())
                .contains(bobsId)
                .doesNotContain(aliceId);
        assertThat(read.statusCode()).isEqualTo(404);
        assertThat(apply.statusCode()).isEqualTo(400);
        assertThat(ok(server.http("GET", "/dns-connections", bob, null)).get("dns_connections"))
                .isEmpty();
        assertThat(wm.findAll(postRequestedFor(urlPathEqualTo(RRSET + "/"))))
                .as("nothing was ever written to Alice's zone")
                .isEmpty();
    }

    // ---- helpers ----

    private String createRoleConnection() {
        return ok(server.http("POST", "/dns-connections", KEY, roleBody()))
                .get("dns_connection")
                .get("id")
                .asText();
    }

    private String addDomain(String key, String body) {
        return ok(server.http("POST", "/domains", key, body))
                .get("domain")
                .get("id")
                .asText();
    }

    private String externalId(String key) {
        return ok(server.http("GET", setupPath(ROLE), key, null))
                .get("external_id")
                .asText();
    }

    private static String setupPath(String role) {
        return "/dns-connections/route53/role-setup?role_arn=" + URLEncoder.encode(role, StandardCharsets.UTF_8);
    }

    private static String roleBody() {
        return "{\"kind\":\"ROUTE53\",\"zones\":[\"example.com\"],\"route53\":{\"mode\":\"ASSUME_ROLE\","
                + "\"role_arn\":\"" + ROLE + "\"}}";
    }

    /** STS hands out the role's temporary credentials only for the role and this external id. */
    private static void stubAssumeRole(String externalId) {
        wm.stubFor(post(urlPathEqualTo("/"))
                .atPriority(10)
                .withRequestBody(containing("Action=AssumeRole"))
                .withRequestBody(containing("RoleArn=" + URLEncoder.encode(ROLE, StandardCharsets.UTF_8)))
                .withRequestBody(containing("ExternalId=" + externalId))
                .willReturn(xml("""
                        <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                          <AssumeRoleResult>
                            <AssumedRoleUser>
                              <AssumedRoleId>AROAROLEID:domainkeeper</AssumedRoleId>
                              <Arn>arn:aws:sts::444455556666:assumed-role/domainkeeper-dns/domainkeeper</Arn>
                            </AssumedRoleUser>
                            <Credentials>
                              <AccessKeyId>%s</AccessKeyId>
                              <SecretAccessKey>%s</SecretAccessKey>
                              <SessionToken>%s</SessionToken>
                              <Expiration>2099-01-01T00:00:00Z</Expiration>
                            </Credentials>
                          </AssumeRoleResult>
                          <ResponseMetadata><RequestId>r-2</RequestId></ResponseMetadata>
                        </AssumeRoleResponse>""".formatted(ROLE_KEY_ID, ROLE_SECRET, SESSION_TOKEN))));
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder stsError(
            int status, String code, String message) {
        return aResponse()
                .withStatus(status)
                .withHeader("Content-Type", "text/xml")
                .withBody("""
                        <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                          <Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error>
                          <RequestId>r-3</RequestId>
                        </ErrorResponse>""".formatted(code, message));
    }

    /** Matches only requests signed with the role's temporary credentials. */
    private static MappingBuilder asRole(MappingBuilder request) {
        return request.withHeader("X-Amz-Security-Token", equalTo(SESSION_TOKEN))
                .withHeader("Authorization", containing("Credential=" + ROLE_KEY_ID + "/"));
    }

    /** The customer's public zone example.com, empty at the names asked for, readable by the role. */
    private static void stubCustomerZone() {
        wm.stubFor(
                asRole(zonesByName("example.com")).willReturn(xml(zoneList(zone(ZONE_ID, "example.com.", false, 2)))));
        wm.stubFor(asRole(get("/2013-04-01/hostedzone/" + ZONE_ID))
                .willReturn(xml(getZone(zone(ZONE_ID, "example.com.", false, 2), NAME_SERVERS))));
        wm.stubFor(asRole(get(urlPathEqualTo(RRSET))).atPriority(20).willReturn(xml(recordPage(null, null))));
    }

    private static JsonNode ok(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.parse(r.body());
    }
}
