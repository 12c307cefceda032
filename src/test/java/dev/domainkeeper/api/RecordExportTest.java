package dev.domainkeeper.api;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.domainkeeper.testing.CloudflareStubs.TOKEN;
import static dev.domainkeeper.testing.CloudflareStubs.record;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.domainkeeper.testing.CloudflareStubs;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Master;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * Exports a domain's records as code (GET /domains/{id}/records?format=...) with the SPF merged
 * against the zone at Cloudflare (WireMock), and parses each format back.
 */
class RecordExportTest {
    @RegisterExtension
    static final WireMockExtension wm = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"))
            .build();

    private static final String KEY = TestServer.BOOTSTRAP_KEY;
    private static final String MERGED = "v=spf1 include:_spf.google.com include:amazonses.com ~all";

    @TempDir
    Path dir;

    TestServer server;
    String id;

    @BeforeEach
    void start() {
        server = TestServer.start(
                dir,
                Map.of(
                        "DOMAINKEEPER_BACKGROUND_WORKERS", "false",
                        "DOMAINKEEPER_CLOUDFLARE_ENDPOINT", wm.baseUrl(),
                        "DOMAINKEEPER_SECRETS_KEY", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="),
                a -> a);
        CloudflareStubs.stubAccount(wm, "example.com");
        CloudflareStubs.stubRecords(
                wm,
                List.of(
                        record("r-spf", "TXT", "example.com", "\"v=spf1 include:_spf.google.com ~all\"", null),
                        record("r-dmarc", "TXT", "_dmarc.example.com", "v=DMARC1; p=reject", null)),
                100);
        ok(server.http(
                "POST",
                "/dns-connections",
                KEY,
                "{\"kind\":\"CLOUDFLARE\",\"zones\":[\"example.com\"],\"cloudflare\":{\"api_token\":\"" + TOKEN
                        + "\"}}"));
        id = ok(server.http("POST", "/domains", KEY, "{\"domain\":\"example.com\",\"spf_mode\":\"MERGE\"}"))
                .get("domain")
                .get("id")
                .asText();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private String export(String format) {
        JsonNode r = ok(server.http("GET", "/domains/" + id + "/records?format=" + format, KEY, null));
        assertThat(r.get("format").asText()).isEqualTo(format);
        assertThat(r.get("zone").asText()).isEqualTo("example.com");
        return r.get("content").asText();
    }

    @Test
    void bind_parsesAsAZoneFile_withTheMergedSpfAndTheStricterDmarc() throws Exception {
        String zone = export("bind");

        List<Record> records = new ArrayList<>();
        try (Master master = new Master(new ByteArrayInputStream(zone.getBytes(StandardCharsets.UTF_8)))) {
            for (Record r = master.nextRecord(); r != null; r = master.nextRecord()) {
                records.add(r);
            }
        }
        assertThat(records).filteredOn(r -> r.getType() == Type.CNAME).hasSize(3);
        assertThat(records)
                .filteredOn(
                        r -> r.getType() == Type.TXT && r.getName().toString().equals("example.com."))
                .singleElement()
                .satisfies(r -> assertThat(String.join("", ((TXTRecord) r).getStrings()))
                        .isEqualTo(MERGED));
        assertThat(records)
                .filteredOn(r -> r.getName().toString().equals("_dmarc.example.com."))
                .singleElement()
                .satisfies(r -> assertThat(String.join("", ((TXTRecord) r).getStrings()))
                        .isEqualTo("v=DMARC1; p=reject"));
        assertThat(records).filteredOn(r -> r.getType() == Type.MX).hasSize(1);
        assertThat(wm.getAllServeEvents())
                .noneMatch(e -> e.getRequest().getMethod().getName().equals("POST"));
    }

    @Test
    void octodns_parsesAsYaml_withRelativeNamesAndEscapedSemicolons() throws Exception {
        JsonNode yaml = new YAMLMapper().readTree(export("octodns"));

        assertThat(yaml.get("").get(0).get("type").asText()).isEqualTo("TXT");
        assertThat(yaml.get("").get(0).get("values").get(0).asText()).isEqualTo(MERGED);
        assertThat(yaml.get("_dmarc").get(0).get("values").get(0).asText()).isEqualTo("v=DMARC1\\; p=reject");
        assertThat(yaml.get("mail").findValuesAsText("type")).containsExactlyInAnyOrder("MX", "TXT");
        JsonNode mx = null;
        for (JsonNode r : yaml.get("mail")) {
            if (r.get("type").asText().equals("MX")) {
                mx = r;
            }
        }
        assertThat(mx.get("values").get(0).get("exchange").asText()).endsWith("amazonses.com.");
        assertThat(mx.get("values").get(0).get("preference").asInt()).isEqualTo(10);
        List<String> names = new ArrayList<>();
        yaml.fieldNames().forEachRemaining(names::add);
        assertThat(names).filteredOn(n -> n.endsWith("._domainkey")).hasSize(3);
    }

    @Test
    void dnscontrol_isOneDBlockWithBalancedCallsAndEveryRecord() {
        String js = export("dnscontrol");

        assertThat(js)
                .startsWith("D(\"example.com\", REG_NONE, DnsProvider(DSP_MY_PROVIDER),\n")
                .endsWith("END);\n");
        assertBalanced(js);
        assertThat(js).contains("TXT(\"@\", \"" + MERGED + "\", TTL(");
        assertThat(count(js, "CNAME(\"")).isEqualTo(3);
        assertThat(count(js, "MX(\"mail\", 10, \"")).isEqualTo(1);
    }

    @Test
    void terraform_hasOneResourcePerRecordSetWithBalancedBlocks() {
        String hcl = export("terraform");

        assertBalanced(hcl);
        Matcher m = Pattern.compile("resource \"aws_route53_record\" \"([a-z0-9_]+)\" \\{")
                .matcher(hcl);
        List<String> names = new ArrayList<>();
        while (m.find()) {
            names.add(m.group(1));
        }
        assertThat(names).hasSize(7).doesNotHaveDuplicates();
        assertThat(hcl).contains("records = [\"" + MERGED + "\"]");
        assertThat(hcl).contains("zone_id = var.zone_id");
    }

    @Test
    void unknownFormat_isRefusedNamingTheField() {
        HttpResponse<String> r = server.http("GET", "/domains/" + id + "/records?format=yaml", KEY, null);

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(Json.parse(r.body()).get("message").asText()).startsWith("format:");
    }

    /** Checks that quotes pair up and brackets nest, outside string literals. */
    private static void assertBalanced(String code) {
        java.util.ArrayDeque<Character> open = new java.util.ArrayDeque<>();
        boolean inString = false;
        for (int i = 0; i < code.length(); i++) {
            char c = code.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if ("([{".indexOf(c) >= 0) {
                open.push(c);
            } else if (")]}".indexOf(c) >= 0) {
                assertThat(open).as("closing %s at %d", c, i).isNotEmpty();
                assertThat("([{".indexOf(open.pop())).isEqualTo(")]}".indexOf(c));
            }
        }
        assertThat(inString).as("an unterminated string").isFalse();
        assertThat(open).as("unclosed brackets").isEmpty();
    }

    private static int count(String s, String part) {
        return s.split(Pattern.quote(part), -1).length - 1;
    }

    private static JsonNode ok(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.parse(r.body());
    }
}
