package dev.domainkeeper.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;

/** Builds WireMock stubs in Route 53's REST-XML wire shapes (docs/AWS.md, "Route 53 wire shapes"). */
public final class Route53Stubs {
    /** The Route 53 XML namespace. */
    public static final String NS = "https://route53.amazonaws.com/doc/2013-04-01/";
    /** The ListHostedZonesByName path. */
    public static final String BY_NAME = "/2013-04-01/hostedzonesbyname";

    private Route53Stubs() {}

    public static MappingBuilder zonesByName(String dnsName) {
        return get(urlPathEqualTo(BY_NAME)).withQueryParam("dnsname", equalTo(dnsName));
    }

    public static ResponseDefinitionBuilder xml(String body) {
        return aResponse()
                .withStatus(200)
                .withHeader("Content-Type", "text/xml")
                .withBody(body);
    }

    /** Returns a Route 53 error as AWS sends it (docs/AWS.md, "Route 53 errors"). */
    public static ResponseDefinitionBuilder error(int status, String code, String message) {
        return aResponse()
                .withStatus(status)
                .withHeader("Content-Type", "text/xml")
                .withBody("""
                <?xml version="1.0"?>
                <ErrorResponse xmlns="%s"><Error><Type>Sender</Type><Code>%s</Code>
                <Message>%s</Message></Error><RequestId>a1b2c3</RequestId></ErrorResponse>\
                """.formatted(NS, code, message));
    }

    public static String zone(String id, String name, boolean privateZone, int count) {
        return """
                <HostedZone><Id>/hostedzone/%s</Id><Name>%s</Name><CallerReference>ref-%s</CallerReference>
                <Config><Comment>c</Comment><PrivateZone>%s</PrivateZone></Config>
                <ResourceRecordSetCount>%d</ResourceRecordSetCount></HostedZone>\
                """.formatted(id, name, id, privateZone, count);
    }

    public static String zoneList(String... zones) {
        return """
                <?xml version="1.0"?>
                <ListHostedZonesByNameResponse xmlns="%s"><HostedZones>%s</HostedZones>
                <DNSName>ignored</DNSName><IsTruncated>false</IsTruncated><MaxItems>20</MaxItems>
                </ListHostedZonesByNameResponse>""".formatted(NS, String.join("", zones));
    }

    public static String zoneListPage(String nextName, String nextZoneId, String... zones) {
        return """
                <?xml version="1.0"?>
                <ListHostedZonesByNameResponse xmlns="%s"><HostedZones>%s</HostedZones>
                <DNSName>ignored</DNSName><IsTruncated>true</IsTruncated><NextDNSName>%s</NextDNSName>
                <NextHostedZoneId>%s</NextHostedZoneId><MaxItems>1</MaxItems>
                </ListHostedZonesByNameResponse>""".formatted(NS, String.join("", zones), nextName, nextZoneId);
    }

    public static String getZone(String zone, String... nameServers) {
        StringBuilder ns = new StringBuilder();
        for (String server : nameServers) {
            ns.append("<NameServer>").append(server).append("</NameServer>");
        }
        return """
                <?xml version="1.0"?>
                <GetHostedZoneResponse xmlns="%s">%s
                <DelegationSet><NameServers>%s</NameServers></DelegationSet></GetHostedZoneResponse>\
                """.formatted(NS, zone, ns);
    }

    public static String recordSet(String name, String type, long ttl, String... values) {
        StringBuilder records = new StringBuilder();
        for (String value : values) {
            records.append("<ResourceRecord><Value>").append(escapeXml(value)).append("</Value></ResourceRecord>");
        }
        return """
                <ResourceRecordSet><Name>%s</Name><Type>%s</Type><TTL>%d</TTL>
                <ResourceRecords>%s</ResourceRecords></ResourceRecordSet>\
                """.formatted(escapeXml(name), type, ttl, records);
    }

    /** Returns a ListResourceRecordSets page; truncated when {@code nextName} is given. */
    public static String recordPage(String nextName, String nextType, String... sets) {
        String next = nextName == null
                ? "<IsTruncated>false</IsTruncated>"
                : "<IsTruncated>true</IsTruncated><NextRecordName>" + nextName + "</NextRecordName><NextRecordType>"
                        + nextType + "</NextRecordType>";
        return """
                <?xml version="1.0"?>
                <ListResourceRecordSetsResponse xmlns="%s"><ResourceRecordSets>%s</ResourceRecordSets>
                %s<MaxItems>50</MaxItems></ListResourceRecordSetsResponse>\
                """.formatted(NS, String.join("", sets), next);
    }

    public static String changeResponse(String id, String status) {
        return """
                <?xml version="1.0"?>
                <ChangeResourceRecordSetsResponse xmlns="%s"><ChangeInfo><Id>/change/%s</Id>
                <Status>%s</Status><SubmittedAt>2024-01-01T00:00:00.000Z</SubmittedAt></ChangeInfo>
                </ChangeResourceRecordSetsResponse>""".formatted(NS, id, status);
    }

    public static String getChange(String id, String status) {
        return """
                <?xml version="1.0"?>
                <GetChangeResponse xmlns="%s"><ChangeInfo><Id>/change/%s</Id><Status>%s</Status>
                <SubmittedAt>2024-01-01T00:00:00.000Z</SubmittedAt></ChangeInfo></GetChangeResponse>\
                """.formatted(NS, id, status);
    }

    private static String escapeXml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
