package dev.domainkeeper.dnshosting.route53;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToXml;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingXPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.domainkeeper.testing.Route53Stubs.BY_NAME;
import static dev.domainkeeper.testing.Route53Stubs.NS;
import static dev.domainkeeper.testing.Route53Stubs.changeResponse;
import static dev.domainkeeper.testing.Route53Stubs.error;
import static dev.domainkeeper.testing.Route53Stubs.getChange;
import static dev.domainkeeper.testing.Route53Stubs.getZone;
import static dev.domainkeeper.testing.Route53Stubs.recordPage;
import static dev.domainkeeper.testing.Route53Stubs.recordSet;
import static dev.domainkeeper.testing.Route53Stubs.xml;
import static dev.domainkeeper.testing.Route53Stubs.zone;
import static dev.domainkeeper.testing.Route53Stubs.zoneList;
import static dev.domainkeeper.testing.Route53Stubs.zoneListPage;
import static dev.domainkeeper.testing.Route53Stubs.zonesByName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.domainkeeper.dnshosting.HostedZone;
import dev.domainkeeper.dnshosting.ProviderAccessDeniedException;
import dev.domainkeeper.dnshosting.ProviderRejectedException;
import dev.domainkeeper.dnshosting.ProviderUnavailableException;
import dev.domainkeeper.dnshosting.RecordChange;
import dev.domainkeeper.dnshosting.RecordChange.Action;
import dev.domainkeeper.dnshosting.RecordSet;
import dev.domainkeeper.domain.RecordType;
import dev.domainkeeper.testing.AwsTestCredentials;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;

/** Runs the Route 53 adapter against WireMock serving Route 53's REST-XML wire shapes. */
class Route53ProviderTest {

    @RegisterExtension
    static final WireMockExtension wm = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"))
            .build();

    private static final String ZONE_ID = "Z1D633PJN98FT9";
    private static final String RRSET_LIST = "/2013-04-01/hostedzone/" + ZONE_ID + "/rrset";
    private static final String RRSET_CHANGE = RRSET_LIST + "/";
    private static final int MAX_ATTEMPTS = 3;

    private Route53Provider provider;

    @BeforeEach
    void setUp() {
        provider = provider(AwsTestCredentials.PROVIDER, Duration.ofSeconds(10));
    }

    @AfterEach
    void tearDown() {
        provider.close();
    }

    // ---- findZone ----

    @Test
    void findZone_subZoneWinsOverParent() {
        // Route 53 lists the zones at or after the name, so the full name's answer holds only later
        // zones, and the sub-zone's answer starts with a private twin before the public zone.
        wm.stubFor(zonesByName("mail.sub.example.com")
                .willReturn(xml(zoneList(
                        zone("ZLATER1", "zzz.example.com.", false, 3), zone("ZLATER2", "example.net.", false, 9)))));
        wm.stubFor(zonesByName("sub.example.com")
                .willReturn(xml(zoneList(
                        zone("ZPRIVATESUB", "sub.example.com.", true, 4),
                        zone("ZPUBLICSUB", "sub.example.com.", false, 7),
                        zone("ZLATER1", "zzz.example.com.", false, 3)))));
        wm.stubFor(zonesByName("example.com").willReturn(xml(zoneList(zone("ZPARENT", "example.com.", false, 12)))));
        wm.stubFor(get("/2013-04-01/hostedzone/ZPUBLICSUB")
                .willReturn(xml(getZone(
                        zone("ZPUBLICSUB", "sub.example.com.", false, 7),
                        "ns-2048.awsdns-64.com",
                        "ns-2049.awsdns-65.net",
                        "ns-2050.awsdns-66.org",
                        "ns-2051.awsdns-67.co.uk"))));

        Optional<HostedZone> zone = provider.findZone("Mail.Sub.Example.com.");

        assertThat(zone)
                .contains(new HostedZone(
                        "ZPUBLICSUB",
                        "sub.example.com",
                        false,
                        7,
                        List.of(
                                "ns-2048.awsdns-64.com",
                                "ns-2049.awsdns-65.net",
                                "ns-2050.awsdns-66.org",
                                "ns-2051.awsdns-67.co.uk")));
        wm.verify(0, getRequestedFor(urlPathEqualTo(BY_NAME)).withQueryParam("dnsname", equalTo("example.com")));
        wm.verify(0, getRequestedFor(urlPathEqualTo("/2013-04-01/hostedzone/ZPRIVATESUB")));
    }

    @Test
    void findZone_onlyPrivateZoneOfSameName_fallsBackToPublicParent() {
        wm.stubFor(zonesByName("sub.example.com")
                .willReturn(xml(zoneList(
                        zone("ZPRIVATESUB", "sub.example.com.", true, 4),
                        zone("ZLATER1", "zzz.example.com.", false, 3)))));
        wm.stubFor(zonesByName("example.com")
                .willReturn(xml(zoneList(
                        zone("ZPARENT", "example.com.", false, 12),
                        zone("ZPRIVATESUB", "sub.example.com.", true, 4)))));
        wm.stubFor(get("/2013-04-01/hostedzone/ZPARENT")
                .willReturn(xml(getZone(zone("ZPARENT", "example.com.", false, 12), "ns-1.awsdns-01.org"))));

        Optional<HostedZone> zone = provider.findZone("sub.example.com");

        assertThat(zone).contains(new HostedZone("ZPARENT", "example.com", false, 12, List.of("ns-1.awsdns-01.org")));
    }

    @Test
    void findZone_sameNameZonesOnNextPage_followsPagination() {
        wm.stubFor(zonesByName("example.com")
                .withQueryParam("hostedzoneid", absent())
                .willReturn(xml(zoneListPage("example.com.", "ZPUBLIC", zone("ZPRIVATE1", "example.com.", true, 2)))));
        // The next page starts where Route 53 said, NextDNSName passed back as given.
        wm.stubFor(zonesByName("example.com.")
                .withQueryParam("hostedzoneid", equalTo("ZPUBLIC"))
                .willReturn(xml(zoneList(zone("ZPUBLIC", "example.com.", false, 5)))));
        wm.stubFor(get("/2013-04-01/hostedzone/ZPUBLIC")
                .willReturn(xml(getZone(zone("ZPUBLIC", "example.com.", false, 5), "ns-1.awsdns-01.org"))));

        assertThat(provider.findZone("example.com")).map(HostedZone::id).contains("ZPUBLIC");
    }

    @Test
    void findZone_noZone_returnsEmptyAfterTryingParentsDownToTwoLabels() {
        wm.stubFor(get(urlPathEqualTo(BY_NAME)).willReturn(xml(zoneList(zone("ZOTHER", "example.net.", false, 3)))));

        assertThat(provider.findZone("a.b.example.org")).isEmpty();

        for (String candidate : List.of("a.b.example.org", "b.example.org", "example.org")) {
            wm.verify(1, getRequestedFor(urlPathEqualTo(BY_NAME)).withQueryParam("dnsname", equalTo(candidate)));
        }
        wm.verify(3, getRequestedFor(urlPathEqualTo(BY_NAME)));
    }

    @Test
    void findZone_neverAsksAboveTheRegistrableDomain() {
        wm.stubFor(get(urlPathEqualTo(BY_NAME)).willReturn(xml(zoneList(zone("ZOTHER", "example.net.", false, 3)))));

        assertThat(provider.findZone("a.b.c.d.example.co.uk")).isEmpty();

        for (String candidate : List.of("a.b.c.d.example.co.uk", "b.c.d.example.co.uk", "example.co.uk")) {
            wm.verify(1, getRequestedFor(urlPathEqualTo(BY_NAME)).withQueryParam("dnsname", equalTo(candidate)));
        }
        wm.verify(3, getRequestedFor(urlPathEqualTo(BY_NAME)));
    }

    @Test
    void findZone_deepName_findsTheLongestZoneUnderTheRegistrableDomainInOneListing() {
        wm.stubFor(get(urlPathEqualTo(BY_NAME))
                .atPriority(10)
                .willReturn(xml(zoneList(zone("ZOTHER", "example.net.", false, 3)))));
        // Route 53 lists the zones under example.com right after it, in reversed-label order; names
        // that merely start alike ("example-shop.com") sort among them.
        wm.stubFor(zonesByName("example.com")
                .willReturn(xml(zoneList(
                        zone("ZPARENT", "example.com.", false, 12),
                        zone("ZC", "c.example.com.", false, 2),
                        zone("ZBC", "b.c.example.com.", false, 4),
                        zone("ZZBC", "z.b.c.example.com.", false, 1),
                        zone("ZLIKE", "example-shop.com.", false, 1),
                        zone("ZNET", "example.net.", false, 3)))));
        wm.stubFor(get("/2013-04-01/hostedzone/ZBC")
                .willReturn(xml(getZone(zone("ZBC", "b.c.example.com.", false, 4), "ns-1.awsdns-01.org"))));

        assertThat(provider.findZone("x.y.z.a.b.c.example.com"))
                .map(HostedZone::id)
                .contains("ZBC");

        wm.verify(3, getRequestedFor(urlPathEqualTo(BY_NAME)));
        wm.verify(0, getRequestedFor(urlPathEqualTo(BY_NAME)).withQueryParam("dnsname", equalTo("c.example.com")));
        wm.verify(0, getRequestedFor(urlPathEqualTo(BY_NAME)).withQueryParam("dnsname", equalTo("com")));
    }

    @Test
    void findZone_accessDenied_throwsAccessDenied() {
        wm.stubFor(get(urlPathEqualTo(BY_NAME))
                .willReturn(error(
                        403,
                        "AccessDenied",
                        "User: arn:aws:iam::123456789012:user/dk is not authorized to perform: "
                                + "route53:ListHostedZonesByName")));

        assertThatThrownBy(() -> provider.findZone("example.com"))
                .isInstanceOf(ProviderAccessDeniedException.class)
                .hasMessageContaining("AccessDenied")
                .hasMessageContaining("not authorized");
        wm.verify(1, getRequestedFor(urlPathEqualTo(BY_NAME)));
    }

    @Test
    void findZone_credentialsCannotBeResolved_throwsAccessDeniedWithoutCallingRoute53() {
        provider.close();
        provider = provider(
                () -> {
                    throw SdkClientException.create("Unable to load credentials from any of the providers");
                },
                Duration.ofSeconds(10));

        assertThatThrownBy(() -> provider.findZone("example.com"))
                .isInstanceOf(ProviderAccessDeniedException.class)
                .hasMessageContaining("Unable to load credentials");
        wm.verify(0, anyRequestedFor(anyUrl()));
    }

    // ---- readRecords ----

    @Test
    void readRecords_decodesSplitTxtAndEscapedNamesAcrossPages() {
        String first = "v=DKIM1; k=rsa; p=" + "A".repeat(237);
        String second = "B".repeat(100);
        wm.stubFor(listRecords("example.com.")
                .withQueryParam("type", absent())
                .withQueryParam("identifier", absent())
                .willReturn(xml(recordPage(
                        "example.com.",
                        "TXT",
                        recordSet("example.com.", "MX", 300, "10 inbound-smtp.eu-west-1.amazonaws.com."),
                        recordSet("example.com.", "NS", 172800, "ns-1.awsdns-01.org.", "ns-2.awsdns-02.com."),
                        recordSet(
                                "example.com.",
                                "SOA",
                                900,
                                "ns-1.awsdns-01.org. awsdns-hostmaster." + "amazon.com. 1 7200 900 1209600 86400")))));
        wm.stubFor(listRecords("example.com.")
                .withQueryParam("type", equalTo("TXT"))
                .willReturn(xml(recordPage(
                        null,
                        null,
                        recordSet(
                                "example.com.",
                                "TXT",
                                300,
                                "\"" + first + "\" \"" + second + "\"",
                                "\"say \\\"hi\\\"\\010\""),
                        recordSet("\\052.example.com.", "CNAME", 60, "target.example.net.")))));
        wm.stubFor(listRecords("*.example.com.")
                .willReturn(xml(recordPage(
                        null,
                        null,
                        recordSet("\\052.example.com.", "CNAME", 60, "target.example.net."),
                        recordSet("www.example.com.", "A", 60, "192.0.2.1")))));

        List<RecordSet> records =
                provider.readRecords(ZONE_ID, List.of("Example.com.", "*.example.com", "example.com"));

        assertThat(records)
                .containsExactly(
                        new RecordSet(
                                "example.com", RecordType.MX, 300, List.of("10 inbound-smtp.eu-west-1.amazonaws.com")),
                        new RecordSet(
                                "example.com",
                                RecordType.NS,
                                172800,
                                List.of("ns-1.awsdns-01.org", "ns-2.awsdns-02.com")),
                        new RecordSet("example.com", RecordType.TXT, 300, List.of(first + second, "say \"hi\"\b")),
                        new RecordSet("*.example.com", RecordType.CNAME, 60, List.of("target.example.net")));
        wm.verify(getRequestedFor(urlPathEqualTo(RRSET_LIST))
                .withQueryParam("name", equalTo("example.com."))
                .withQueryParam("type", equalTo("TXT")));
        wm.verify(3, getRequestedFor(urlPathEqualTo(RRSET_LIST)));
    }

    @Test
    void readRecords_nameWithoutRecords_stopsAtTheFirstOtherName() {
        wm.stubFor(listRecords("_dmarc.example.com.")
                .willReturn(
                        xml(recordPage("x.example.com.", "A", recordSet("www.example.com.", "A", 60, "192.0.2.1")))));

        assertThat(provider.readRecords(ZONE_ID, List.of("_dmarc.example.com"))).isEmpty();
        wm.verify(1, getRequestedFor(urlPathEqualTo(RRSET_LIST)));
    }

    // ---- submit ----

    @Test
    void submit_sendsQuotedSplitTxtAndQualifiedMx_returnsChangeIdWithoutPrefix() {
        String dkim = "v=DKIM1; k=rsa; p=" + "x".repeat(282);
        assertThat(dkim).hasSize(300);
        wm.stubFor(post(RRSET_CHANGE).willReturn(xml(changeResponse("C2682N5HXP0BZ4", "PENDING"))));

        String changeId = provider.submit(
                "/hostedzone/" + ZONE_ID,
                List.of(
                        new RecordChange(
                                Action.UPSERT,
                                new RecordSet(
                                        "Example.com.",
                                        RecordType.TXT,
                                        300,
                                        List.of(dkim, "v=spf1 include:amazonses.com ~all"))),
                        new RecordChange(
                                Action.UPSERT,
                                new RecordSet(
                                        "mail.example.com",
                                        RecordType.MX,
                                        600,
                                        List.of("10 feedback-smtp.eu-west-1.amazonses.com"))),
                        new RecordChange(
                                Action.UPSERT,
                                new RecordSet("*.example.com", RecordType.CNAME, 60, List.of("old.example.net")))));

        assertThat(changeId).isEqualTo("C2682N5HXP0BZ4");
        String expectedTxt = "\"" + dkim.substring(0, 255) + "\" \"" + dkim.substring(255) + "\"";
        wm.verify(1, postRequestedFor(urlPathEqualTo(RRSET_CHANGE)).withRequestBody(equalToXml("""
                <ChangeResourceRecordSetsRequest xmlns="%s"><ChangeBatch><Changes>
                  <Change><Action>UPSERT</Action><ResourceRecordSet><Name>example.com.</Name>
                    <Type>TXT</Type><TTL>300</TTL><ResourceRecords>
                      <ResourceRecord><Value>%s</Value></ResourceRecord>
                      <ResourceRecord><Value>"v=spf1 include:amazonses.com ~all"</Value></ResourceRecord>
                    </ResourceRecords></ResourceRecordSet></Change>
                  <Change><Action>UPSERT</Action><ResourceRecordSet><Name>mail.example.com.</Name>
                    <Type>MX</Type><TTL>600</TTL><ResourceRecords>
                      <ResourceRecord><Value>10 feedback-smtp.eu-west-1.amazonses.com.</Value></ResourceRecord>
                    </ResourceRecords></ResourceRecordSet></Change>
                  <Change><Action>UPSERT</Action><ResourceRecordSet><Name>*.example.com.</Name>
                    <Type>CNAME</Type><TTL>60</TTL><ResourceRecords>
                      <ResourceRecord><Value>old.example.net.</Value></ResourceRecord>
                    </ResourceRecords></ResourceRecordSet></Change>
                </Changes></ChangeBatch></ChangeResourceRecordSetsRequest>""".formatted(
                        NS, expectedTxt))));
        wm.verify(postRequestedFor(urlPathEqualTo(RRSET_CHANGE))
                .withRequestBody(matchingXPath(
                        "//*[local-name()='Change'][1]//*[local-name()='Value'][1]/text()", equalTo(expectedTxt))));
    }

    @Test
    void submit_txtWithQuotes_escapesThem() {
        wm.stubFor(post(RRSET_CHANGE).willReturn(xml(changeResponse("C1", "PENDING"))));

        provider.submit(
                ZONE_ID,
                List.of(new RecordChange(
                        Action.UPSERT,
                        new RecordSet("example.com", RecordType.TXT, 300, List.of("a \"quoted\" word")))));

        wm.verify(postRequestedFor(urlPathEqualTo(RRSET_CHANGE))
                .withRequestBody(
                        matchingXPath("//*[local-name()='Value']/text()", equalTo("\"a \\\"quoted\\\" word\""))));
    }

    @Test
    void submit_invalidChangeBatch_throwsRejectedWithRoute53Message() {
        String message =
                "[Tried to create resource record set [name='x.example.com.', type='TXT'] " + "but it already exists]";
        wm.stubFor(post(RRSET_CHANGE).willReturn(error(400, "InvalidChangeBatch", message)));

        assertThatThrownBy(() -> provider.submit(ZONE_ID, List.of(txtCreate())))
                .isInstanceOfSatisfying(ProviderRejectedException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo("InvalidChangeBatch");
                    assertThat(e.providerMessage()).isEqualTo(message);
                    assertThat(e).hasMessageContaining(message).hasMessageContaining(ZONE_ID);
                });
        wm.verify(1, postRequestedFor(urlPathEqualTo(RRSET_CHANGE)));
    }

    @Test
    void submit_throttledOnce_succeedsOnRetry() {
        stubOnceThen("throttle", error(400, "Throttling", "Rate exceeded"));

        assertThat(provider.submit(ZONE_ID, List.of(txtCreate()))).isEqualTo("C2");
        wm.verify(2, postRequestedFor(urlPathEqualTo(RRSET_CHANGE)));
    }

    @Test
    void submit_priorRequestNotCompleteOnce_succeedsOnRetry() {
        stubOnceThen(
                "busy",
                error(
                        400,
                        "PriorRequestNotComplete",
                        "The request was rejected because Route 53 was still processing a prior request."));

        assertThat(provider.submit(ZONE_ID, List.of(txtCreate()))).isEqualTo("C2");
        wm.verify(2, postRequestedFor(urlPathEqualTo(RRSET_CHANGE)));
    }

    @Test
    void submit_throttledPersistently_throwsUnavailableWithRetryHint() {
        wm.stubFor(post(RRSET_CHANGE).willReturn(error(400, "Throttling", "Rate exceeded")));

        assertThatThrownBy(() -> provider.submit(ZONE_ID, List.of(txtCreate())))
                .isInstanceOfSatisfying(ProviderUnavailableException.class, e -> {
                    assertThat(e.retryAfter()).isEqualTo(Route53Errors.DEFAULT_RETRY_AFTER);
                    assertThat(e).hasMessageContaining("Throttling");
                });
        wm.verify(MAX_ATTEMPTS, postRequestedFor(urlPathEqualTo(RRSET_CHANGE)));
    }

    @Test
    void submit_serverErrorPersistently_throwsUnavailableWithRetryAfterHeader() {
        wm.stubFor(post(RRSET_CHANGE)
                .willReturn(error(503, "ServiceUnavailable", "Try later").withHeader("Retry-After", "1")));

        assertThatThrownBy(() -> provider.submit(ZONE_ID, List.of(txtCreate())))
                .isInstanceOfSatisfying(
                        ProviderUnavailableException.class,
                        e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(1)));
        wm.verify(MAX_ATTEMPTS, postRequestedFor(urlPathEqualTo(RRSET_CHANGE)));
    }

    @Test
    void submit_noAnswerInTime_throwsUnavailable() {
        provider.close();
        provider = provider(AwsTestCredentials.PROVIDER, Duration.ofMillis(300));
        wm.stubFor(post(RRSET_CHANGE)
                .willReturn(xml(changeResponse("C3", "PENDING")).withFixedDelay(2_000)));

        assertThatThrownBy(() -> provider.submit(ZONE_ID, List.of(txtCreate())))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("did not answer in time");
    }

    @Test
    void isInSync_unreadableAnswer_throwsUnavailable() {
        wm.stubFor(get("/2013-04-01/change/C4")
                .willReturn(aResponse().withStatus(200).withBody("<GetChangeResponse><ChangeInfo><Id>/change/C4")));

        assertThatThrownBy(() -> provider.isInSync("C4"))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("GetChange C4");
    }

    @Test
    void submit_noChanges_isRejectedBeforeCallingRoute53() {
        assertThatThrownBy(() -> provider.submit(ZONE_ID, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected: at least one");
        wm.verify(0, anyRequestedFor(anyUrl()));
    }

    // ---- isInSync ----

    @Test
    void isInSync_pendingThenInsync() {
        wm.stubFor(get("/2013-04-01/change/C2682N5HXP0BZ4")
                .inScenario("propagation")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(xml(getChange("C2682N5HXP0BZ4", "PENDING")))
                .willSetStateTo("propagated"));
        wm.stubFor(get("/2013-04-01/change/C2682N5HXP0BZ4")
                .inScenario("propagation")
                .whenScenarioStateIs("propagated")
                .willReturn(xml(getChange("C2682N5HXP0BZ4", "INSYNC"))));

        assertThat(provider.isInSync("C2682N5HXP0BZ4")).isFalse();
        assertThat(provider.isInSync("/change/C2682N5HXP0BZ4")).isTrue();
    }

    @Test
    void isInSync_unknownChange_throwsRejected() {
        wm.stubFor(get("/2013-04-01/change/CNOPE")
                .willReturn(error(404, "NoSuchChange", "A change with the specified change ID does not exist.")));

        assertThatThrownBy(() -> provider.isInSync("CNOPE"))
                .isInstanceOfSatisfying(
                        ProviderRejectedException.class,
                        e -> assertThat(e.errorCode()).isEqualTo("NoSuchChange"));
    }

    // ---- helpers ----

    private static Route53Provider provider(AwsCredentialsProvider credentials, Duration timeout) {
        return Route53Provider.create(Optional.of(URI.create(wm.baseUrl())), credentials, fastRetries(), timeout);
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

    private static RecordChange txtCreate() {
        return new RecordChange(Action.UPSERT, new RecordSet("x.example.com", RecordType.TXT, 300, List.of("hello")));
    }

    /** Stubs ChangeResourceRecordSets to fail once with {@code failure}, then to succeed as C2. */
    private static void stubOnceThen(String scenario, ResponseDefinitionBuilder failure) {
        wm.stubFor(post(RRSET_CHANGE)
                .inScenario(scenario)
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(failure)
                .willSetStateTo("recovered"));
        wm.stubFor(post(RRSET_CHANGE)
                .inScenario(scenario)
                .whenScenarioStateIs("recovered")
                .withRequestBody(containing("<Name>x.example.com.</Name>"))
                .willReturn(xml(changeResponse("C2", "PENDING"))));
    }

    private static MappingBuilder listRecords(String startName) {
        return get(urlPathEqualTo(RRSET_LIST)).withQueryParam("name", equalTo(startName));
    }
}
