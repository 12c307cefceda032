package dev.domainkeeper.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.domainkeeper.domain.RecordType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stubs Cloudflare's API v4 in WireMock with its real wire shapes: the
 * {@code {"success":..,"errors":[],"messages":[],"result":..,"result_info":..}} envelope, zones with
 * their name servers, paged DNS records, token verification and the batch endpoint.
 */
public final class CloudflareStubs {
    public static final String TOKEN = "cf-token-Sn3lZJTBX6kkg7OdcBUAxOO963GEIyGQqnFTOFYY";
    public static final String ZONE_ID = "023e105f4ecef8ad9ca31a8372d0c353";
    public static final List<String> NAME_SERVERS = List.of("ada.ns.cloudflare.com", "bob.ns.cloudflare.com");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> KNOWN_TYPES =
            java.util.Arrays.stream(RecordType.values()).map(Enum::name).toList();

    private CloudflareStubs() {}

    /** An envelope around {@code result}. */
    public static ObjectNode envelope(JsonNode result, int page, int totalPages, int totalCount) {
        ObjectNode o = JSON.createObjectNode();
        o.put("success", true);
        o.putArray("errors");
        o.putArray("messages");
        o.set("result", result);
        if (result.isArray()) {
            o.putObject("result_info")
                    .put("page", page)
                    .put("per_page", 100)
                    .put("total_pages", totalPages)
                    .put("count", result.size())
                    .put("total_count", totalCount);
        }
        return o;
    }

    /** A failed answer with Cloudflare's error list. */
    public static ResponseDefinitionBuilder failure(int status, int code, String message) {
        ObjectNode o = JSON.createObjectNode();
        o.put("success", false);
        o.putArray("errors").addObject().put("code", code).put("message", message);
        o.putArray("messages");
        o.putNull("result");
        return aResponse()
                .withStatus(status)
                .withHeader("Content-Type", "application/json")
                .withBody(o.toString());
    }

    public static ResponseDefinitionBuilder json(JsonNode body) {
        return aResponse().withHeader("Content-Type", "application/json").withBody(body.toString());
    }

    /** Stubs a valid token, the zone {@code zone} and no other zone. */
    public static void stubAccount(WireMockExtension wm, String zone) {
        wm.stubFor(authorized(get("/user/tokens/verify"))
                .willReturn(json(envelope(
                        JSON.createObjectNode()
                                .put("id", "ed17574386854bf78a67040be0a770b0")
                                .put("status", "active"),
                        1,
                        1,
                        1))));
        wm.stubFor(authorized(get(urlPathEqualTo("/zones")))
                .atPriority(10)
                .willReturn(json(envelope(JSON.createArrayNode(), 1, 0, 0))));
        ArrayNode zones = JSON.createArrayNode();
        ObjectNode z = zones.addObject();
        z.put("id", ZONE_ID).put("name", zone).put("status", "active");
        ArrayNode ns = z.putArray("name_servers");
        NAME_SERVERS.forEach(ns::add);
        wm.stubFor(authorized(get(urlPathEqualTo("/zones")))
                .withQueryParam("name", equalTo(zone))
                .atPriority(1)
                .willReturn(json(envelope(zones, 1, 1, 1))));
    }

    /** A DNS record as Cloudflare lists it. */
    public static ObjectNode record(String id, String type, String name, String content, Integer priority) {
        ObjectNode r = JSON.createObjectNode();
        r.put("id", id).put("type", type).put("name", name).put("content", content);
        if (priority != null) {
            r.put("priority", priority);
        }
        r.put("proxiable", type.equals("CNAME")).put("proxied", false).put("ttl", 300);
        r.put("zone_id", ZONE_ID);
        return r;
    }

    /** Stubs the zone's records, split into pages of {@code perPage}. */
    public static void stubRecords(WireMockExtension wm, List<ObjectNode> records, int perPage) {
        int pages = Math.max(1, (records.size() + perPage - 1) / perPage);
        for (int page = 1; page <= pages; page++) {
            ArrayNode result = JSON.createArrayNode();
            records.subList((page - 1) * perPage, Math.min(records.size(), page * perPage))
                    .forEach(result::add);
            wm.stubFor(authorized(get(urlPathEqualTo("/zones/" + ZONE_ID + "/dns_records")))
                    .withQueryParam("page", equalTo(Integer.toString(page)))
                    .willReturn(json(envelope(result, page, pages, records.size()))));
        }
    }

    /** Stubs the batch endpoint to accept any batch. */
    public static void stubBatch(WireMockExtension wm) {
        ObjectNode result = JSON.createObjectNode();
        result.putArray("deletes");
        result.putArray("patches");
        result.putArray("puts");
        result.putArray("posts").addObject().put("id", "372e67954025e0ba6aaa6d586b9e0b59");
        wm.stubFor(authorized(post("/zones/" + ZONE_ID + "/dns_records/batch"))
                .willReturn(json(envelope(result, 1, 1, 1))));
    }

    public static MappingBuilder authorized(MappingBuilder b) {
        return b.withHeader("Authorization", equalTo("Bearer " + TOKEN));
    }

    /**
     * Returns what the zone lists after {@code batch}: the records listed before, with the batch's
     * deletes, puts and posts applied (a posted record gets the id {@code new-N}).
     */
    public static List<ObjectNode> after(List<ObjectNode> before, JsonNode batch) {
        Map<String, ObjectNode> byId = new LinkedHashMap<>();
        before.forEach(r -> byId.put(r.get("id").asText(), r));
        batch.path("deletes").forEach(d -> byId.remove(d.get("id").asText()));
        batch.path("puts").forEach(p -> byId.put(p.get("id").asText(), (ObjectNode) p));
        int n = 0;
        for (JsonNode p : batch.path("posts")) {
            String id = "new-" + n++;
            byId.put(id, ((ObjectNode) p.deepCopy()).put("id", id));
        }
        return new java.util.ArrayList<>(byId.values());
    }

    /**
     * Serves on {@code dns} what the zone holds after {@code batch}: the records listed before, with
     * the batch's deletes, puts and posts applied.
     */
    public static void serve(List<ObjectNode> before, JsonNode batch, LoopbackDnsServer dns) {
        Map<String, ObjectNode> byId = new LinkedHashMap<>();
        after(before, batch).forEach(r -> byId.put(r.get("id").asText(), r));
        byId.values().removeIf(r -> !KNOWN_TYPES.contains(r.get("type").asText())); // The validator asks no others.
        List<String> served = new ArrayList<>();
        for (ObjectNode r : byId.values()) {
            String key = r.get("name").asText() + " " + r.get("type").asText();
            if (!served.contains(key)) {
                dns.remove(
                        r.get("name").asText(), RecordType.valueOf(r.get("type").asText()));
                served.add(key);
            }
        }
        for (ObjectNode r : byId.values()) {
            String name = r.get("name").asText();
            String content = r.get("content").asText();
            switch (r.get("type").asText()) {
                case "MX" -> dns.addMx(name, r.get("priority").asInt(), content);
                case "TXT" -> dns.addTxt(name, unquote(content));
                case "CNAME" -> dns.addCname(name, content);
                default -> dns.add(name, RecordType.valueOf(r.get("type").asText()), content);
            }
        }
    }

    private static String unquote(String content) {
        String c = content.trim();
        if (c.startsWith("\"") && c.endsWith("\"")) {
            return c.substring(1, c.length() - 1).replace("\" \"", "");
        }
        return content;
    }
}
