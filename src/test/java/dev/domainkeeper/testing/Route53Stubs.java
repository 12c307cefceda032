package dev.domainkeeper.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import dev.domainkeeper.domain.RecordType;

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

    /**
     * Makes {@code dns} serve what a ChangeResourceRecordSets body upserts: each record set replaces
     * the records of its name and type, as Route 53 would publish them.
     */
    public static void serve(String changeBatchXml, LoopbackDnsServer dns) {
        try {
            var document = javax.xml.parsers.DocumentBuilderFactory.newInstance()
                    .newDocumentBuilder()
                    .parse(new org.xml.sax.InputSource(new java.io.StringReader(changeBatchXml)));
            var xpath = javax.xml.xpath.XPathFactory.newInstance().newXPath();
            var sets = (org.w3c.dom.NodeList) xpath.evaluate(
                    "//Change[Action='UPSERT']/ResourceRecordSet", document, javax.xml.xpath.XPathConstants.NODESET);
            for (int i = 0; i < sets.getLength(); i++) {
                var set = sets.item(i);
                String name = xpath.evaluate("Name", set).replaceAll("\\.$", "");
                RecordType type = RecordType.valueOf(xpath.evaluate("Type", set));
                dns.remove(name, type);
                var values = (org.w3c.dom.NodeList) xpath.evaluate(
                        "ResourceRecords/ResourceRecord/Value", set, javax.xml.xpath.XPathConstants.NODESET);
                for (int j = 0; j < values.getLength(); j++) {
                    String value = values.item(j).getTextContent();
                    switch (type) {
                        case TXT -> dns.addTxt(name, quotedStrings(value));
                        case MX -> dns.add(name, type, value.replaceAll("\\.$", ""));
                        default -> dns.add(name, type, value.replaceAll("\\.$", ""));
                    }
                }
            }
        } catch (Exception e) {
            throw new AssertionError("cannot read the change batch " + changeBatchXml, e);
        }
    }

    /** Splits a TXT value in Route 53's form ({@code "a" "b"}) into its strings. */
    private static String[] quotedStrings(String value) {
        java.util.List<String> out = new java.util.ArrayList<>();
        var m = java.util.regex.Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(value);
        while (m.find()) {
            out.add(m.group(1).replace("\\\"", "\""));
        }
        return out.toArray(String[]::new);
    }

    private static String escapeXml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
