package dev.domainkeeper.api;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.domainkeeper.testing.Route53Stubs.BY_NAME;
import static dev.domainkeeper.testing.Route53Stubs.changeResponse;
import static dev.domainkeeper.testing.Route53Stubs.getZone;
import static dev.domainkeeper.testing.Route53Stubs.recordPage;
import static dev.domainkeeper.testing.Route53Stubs.xml;
import static dev.domainkeeper.testing.Route53Stubs.zone;
import static dev.domainkeeper.testing.Route53Stubs.zoneList;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.domainkeeper.accounts.AccountService;
import dev.domainkeeper.proto.domains.v1.AddDomainRequest;
import dev.domainkeeper.proto.domains.v1.ApplyDomainRecordsRequest;
import dev.domainkeeper.proto.domains.v1.ApplyDomainRecordsResponse;
import dev.domainkeeper.proto.domains.v1.CheckDNSProviderRequest;
import dev.domainkeeper.proto.domains.v1.CheckDNSProviderResponse;
import dev.domainkeeper.proto.domains.v1.DNSApplyState;
import dev.domainkeeper.store.AccountStore;
import dev.domainkeeper.testing.AwsTestCredentials;
import dev.domainkeeper.testing.LoopbackDnsServer;
import dev.domainkeeper.testing.Rpc;
import dev.domainkeeper.testing.TestServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks the shared Route 53 account through the typed gRPC API: the hosted zone example.com
 * belongs to the operator and is granted to alice only, and bob adds {@code evil.example.com} to
 * publish his records into it. Route 53 is WireMock serving its REST-XML.
 */
class ZoneGrantsTest {
    @RegisterExtension
    static final WireMockExtension wm = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"))
            .build();

    private static final String ZONE_ID = "ZEXAMPLE";
    private static final String RRSET = "/2013-04-01/hostedzone/" + ZONE_ID + "/rrset";
    private static final String CHANGE = RRSET + "/";
    private static final String GRANT_BOB = "./domainkeeper accounts grant-zones bob " + ZONE_ID;

    @TempDir
    Path dir;

    LoopbackDnsServer dns;
    TestServer server;
    AccountService accounts;
    AccountService.NewKey alice;
    AccountService.NewKey bob;

    @BeforeEach
    void start() {
        dns = LoopbackDnsServer.start();
        server = TestServer.start(
                dir,
                Map.of(
                        "DOMAINKEEPER_ROUTE53_ENDPOINT",
                        wm.baseUrl(),
                        "DOMAINKEEPER_DNS_RESOLVERS",
                        dns.hostAndPort(),
                        "DOMAINKEEPER_DNS_TIMEOUT_MS",
                        "1000",
                        "DOMAINKEEPER_BACKGROUND_WORKERS",
                        "false"),
                a -> a.withAwsCredentials(AwsTestCredentials.PROVIDER));
        accounts =
                new AccountService(new AccountStore(server.server().database().jdbi()), Clock.systemUTC());
        alice = accounts.createAccount("alice");
        bob = accounts.createAccount("bob");
        accounts.grantZones("alice", false, List.of(ZONE_ID));
        // The operator's zone example.com: ListHostedZonesByName answers with it from any name.
        String zone = zone(ZONE_ID, "example.com.", false, 2);
        wm.stubFor(get(urlPathEqualTo(BY_NAME)).willReturn(xml(zoneList(zone))));
        wm.stubFor(get("/2013-04-01/hostedzone/" + ZONE_ID).willReturn(xml(getZone(zone, "ns-1.awsdns-01.org"))));
        wm.stubFor(get(urlPathEqualTo(RRSET)).willReturn(xml(recordPage(null, null))));
        wm.stubFor(post(CHANGE).willReturn(xml(changeResponse("C1", "PENDING"))));
    }

    @AfterEach
    void stop() {
        server.close();
        dns.close();
    }

    @Test
    void accountWithoutAGrant_isRefused_andRoute53GetsNoRecordReadNorWrite() {
        String evil = add(bob, "evil.example.com");
        Map<String, Object> before = row(evil);

        CheckDNSProviderResponse check = check(bob, evil);
        StatusRuntimeException apply = Rpc.failure(() -> apply(bob, evil, false));
        StatusRuntimeException dryRun = Rpc.failure(() -> apply(bob, evil, true));

        assertThat(check.getHasAccess()).isFalse();
        assertThat(check.hasRoute53()).as("nothing of the zone is described").isFalse();
        assertThat(check.getNotesList())
                .singleElement()
                .satisfies(n ->
                        assertThat(n).contains("not granted to this account").contains(GRANT_BOB));
        for (StatusRuntimeException refused : List.of(apply, dryRun)) {
            assertThat(refused.getStatus().getCode()).as("%s", refused).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(refused.getStatus().getDescription())
                    .contains("not granted to this account")
                    .contains(GRANT_BOB);
        }
        wm.verify(0, postRequestedFor(urlPathMatching("/2013-04-01/hostedzone/.*/rrset/")));
        wm.verify(0, getRequestedFor(urlPathMatching("/2013-04-01/hostedzone/.*/rrset")));
        assertThat(row(evil)).as("the domain row is unchanged").isEqualTo(before);
    }

    @Test
    void anotherAccountsGrant_doesNotCover_andTheGrantedAccountPublishes() {
        String evil = add(bob, "evil.example.com");
        String own = add(alice, "example.com");

        assertThat(Rpc.failure(() -> apply(bob, evil, false)).getStatus().getCode())
                .isEqualTo(Status.Code.FAILED_PRECONDITION);
        wm.verify(0, postRequestedFor(urlPathEqualTo(CHANGE)));

        ApplyDomainRecordsResponse applied = apply(alice, own, false);
        assertThat(applied.getDnsApplyState().getStatus()).isEqualTo(DNSApplyState.Status.APPLYING);
        wm.verify(1, postRequestedFor(urlPathEqualTo(CHANGE)));
    }

    @Test
    void grantThenRevoke_byZoneIdAndWithAll_opensAndClosesPublishing() {
        String evil = add(bob, "evil.example.com");

        accounts.grantZones("bob", false, List.of("ZOTHER"));
        assertRefused(evil, 0);

        accounts.grantZones("bob", false, List.of(ZONE_ID));
        assertPublished(evil, 1);

        accounts.revokeZones("bob", false, List.of(ZONE_ID));
        assertRefused(evil, 1);

        accounts.grantZones("bob", true, List.of());
        assertPublished(evil, 2);

        accounts.revokeZones("bob", true, List.of());
        assertRefused(evil, 2);
        assertThat(accounts.zoneGrants(bob.accountId()).none()).isTrue();
    }

    private void assertRefused(String id, int postsSoFar) {
        StatusRuntimeException apply = Rpc.failure(() -> apply(bob, id, false));
        assertThat(apply.getStatus().getCode()).as("%s", apply).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(apply.getStatus().getDescription()).contains(GRANT_BOB);
        CheckDNSProviderResponse check = check(bob, id);
        assertThat(check.getHasAccess()).isFalse();
        wm.verify(postsSoFar, postRequestedFor(urlPathEqualTo(CHANGE)));
    }

    private void assertPublished(String id, int postsSoFar) {
        CheckDNSProviderResponse check = check(bob, id);
        assertThat(check.getHasAccess()).isTrue();
        assertThat(check.getRoute53().getId()).isEqualTo(ZONE_ID);
        ApplyDomainRecordsResponse applied = apply(bob, id, false);
        assertThat(applied.getDnsApplyState().getStatus()).isEqualTo(DNSApplyState.Status.APPLYING);
        wm.verify(postsSoFar, postRequestedFor(urlPathEqualTo(CHANGE)));
        assertThat(wm.findAll(anyRequestedFor(urlPathEqualTo(CHANGE)))).hasSize(postsSoFar);
    }

    private String add(AccountService.NewKey account, String name) {
        return Rpc.domains(server, account.key())
                .addDomain(AddDomainRequest.newBuilder().setDomain(name).build())
                .getDomain()
                .getId();
    }

    private CheckDNSProviderResponse check(AccountService.NewKey account, String id) {
        return Rpc.domains(server, account.key())
                .checkDNSProvider(CheckDNSProviderRequest.newBuilder().setId(id).build());
    }

    private ApplyDomainRecordsResponse apply(AccountService.NewKey account, String id, boolean dryRun) {
        return Rpc.domains(server, account.key())
                .applyDomainRecords(ApplyDomainRecordsRequest.newBuilder()
                        .setId(id)
                        .setDryRun(dryRun)
                        .build());
    }

    private Map<String, Object> row(String id) {
        return server.server()
                .database()
                .jdbi()
                .withHandle(h -> h.createQuery("SELECT * FROM domains WHERE id = :id")
                        .bind("id", id)
                        .mapToMap()
                        .one());
    }
}
