package dev.domainkeeper.api;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.domainkeeper.testing.Route53Stubs.changeResponse;
import static dev.domainkeeper.testing.Route53Stubs.getZone;
import static dev.domainkeeper.testing.Route53Stubs.recordPage;
import static dev.domainkeeper.testing.Route53Stubs.xml;
import static dev.domainkeeper.testing.Route53Stubs.zone;
import static dev.domainkeeper.testing.Route53Stubs.zoneList;
import static dev.domainkeeper.testing.Route53Stubs.zonesByName;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import dev.domainkeeper.proto.common.v1.MessageClass;
import dev.domainkeeper.proto.domains.v1.Domains;
import dev.domainkeeper.testing.AwsTestCredentials;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.LoopbackDnsServer;
import dev.domainkeeper.testing.MutableClock;
import dev.domainkeeper.testing.TestServer;
import dev.domainkeeper.testing.WebhookTesting;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Holds the published documentation of DomainsService as data, its tables of RPCs, request and
 * response fields and their types, and checks the compiled descriptors and the HTTP/JSON answers
 * against them. A documented name that disappears or changes type fails here.
 *
 * <p>Type notation as the documentation writes it: {@code string}, {@code bool}, {@code int32}, a
 * message or enum name ({@code common.v1.MessageClass} qualified), a trailing {@code ?} for an
 * optional field (proto3 presence), a trailing {@code []} for a list.
 */
class ContractTest {
    /** Each row: RPC, request or response, field, documented type. */
    static final String DOCUMENTED = """
            AddDomain          request  domain                  string
            AddDomain          request  dmarc_policy            DMARCPolicyType?
            AddDomain          request  dmarc_report_email      string?
            AddDomain          request  send_enabled            bool?
            AddDomain          request  receive_enabled         bool?
            AddDomain          request  dmarc_enabled           bool?
            AddDomain          request  spf_mode                SPFMode?
            AddDomain          request  spf_value               string?
            AddDomain          response domain                  Domain
            GetDomain          request  id                      string
            GetDomain          request  include_dns_validation  bool?
            GetDomain          request  include_dns_propagation bool?
            GetDomain          response domain                  Domain
            ListDomains        request  page_size               int32?
            ListDomains        request  page_token              string?
            ListDomains        response domains                 Domain[]
            ListDomains        response next_page_token         string
            UpdateDomain       request  id                      string
            UpdateDomain       request  dmarc_policy            DMARCPolicyType?
            UpdateDomain       request  dmarc_report_email      string?
            UpdateDomain       request  send_enabled            bool?
            UpdateDomain       request  receive_enabled         bool?
            UpdateDomain       request  dmarc_enabled           bool?
            UpdateDomain       request  spf_mode                SPFMode?
            UpdateDomain       request  spf_value               string?
            UpdateDomain       response domain                  Domain
            RemoveDomain       request  id                      string
            CheckDNSProvider   request  id                      string
            CheckDNSProvider   response has_access              bool
            CheckDNSProvider   response provider_type           DNSProviderType?
            CheckDNSProvider   response route53                 Route53HostedZone?
            ApplyDomainRecords request  id                      string
            ApplyDomainRecords response dns_apply_state         DNSApplyState?
            ApplyDomainRecords response dns_validation          DNSValidationResult?
            ApplyDomainRecords response records_failed          string[]
            SendTestEmail      request  from_email              string?
            SendTestEmail      request  id                      string?
            SendTestEmail      request  to_email                string?
            SendTestEmail      request  test_type               TestEmailType
            SendTestEmail      request  message_class           common.v1.MessageClass?
            SendTestEmail      response message_id              string
            SendTestEmail      response note                    string
            SendTestEmail      response submission_id           string?
            """;

    /** The RPCs the documentation lists, in its order; RemoveDomainResponse has no documented field. */
    static final List<String> RPCS = List.of(
            "AddDomain",
            "GetDomain",
            "ListDomains",
            "UpdateDomain",
            "RemoveDomain",
            "CheckDNSProvider",
            "ApplyDomainRecords",
            "SendTestEmail");

    /** The enum values the documentation names, by type. */
    static final Map<String, List<String>> DOCUMENTED_VALUES = Map.of(
            "domains.v1.DMARCPolicyType", List.of("NONE"),
            "domains.v1.SPFMode", List.of("CREATE_IF_MISSING", "FORCE_VALUE"),
            "domains.v1.VerificationStatus", List.of("SUCCESS"),
            "domains.v1.TestEmailType", List.of("NORMAL"),
            "domains.v1.DNSProviderType", List.of("ROUTE53"),
            "common.v1.MessageClass", List.of("TRANSACTIONAL"));

    record Row(String rpc, boolean request, String field, String type) {
        boolean optional() {
            return type.endsWith("?");
        }

        boolean list() {
            return type.endsWith("[]");
        }

        String baseType() {
            return type.replaceAll("(\\?|\\[])$", "");
        }

        @Override
        public String toString() {
            return rpc + (request ? "Request." : "Response.") + field + " " + type;
        }
    }

    static List<Row> rows() {
        return DOCUMENTED
                .lines()
                .filter(l -> !l.isBlank())
                .map(l -> {
                    String[] p = l.trim().split("\\s+");
                    return new Row(p[0], p[1].equals("request"), p[2], p[3]);
                })
                .toList();
    }

    private static final ServiceDescriptor SERVICE = Domains.getDescriptor().findServiceByName("DomainsService");

    @Test
    void service_hasEveryDocumentedRpc_withRequestAndResponseNamedAfterIt() {
        assertThat(SERVICE.getFullName()).isEqualTo("domains.v1.DomainsService");
        for (String rpc : RPCS) {
            MethodDescriptor m = SERVICE.findMethodByName(rpc);
            assertThat(m).as(rpc).isNotNull();
            assertThat(m.getInputType().getFullName()).isEqualTo("domains.v1." + rpc + "Request");
            assertThat(m.getOutputType().getFullName()).isEqualTo("domains.v1." + rpc + "Response");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void documentedField_existsWithItsNameAndType(Row row) {
        MethodDescriptor m = SERVICE.findMethodByName(row.rpc());
        Descriptor message = row.request() ? m.getInputType() : m.getOutputType();
        FieldDescriptor f = message.findFieldByName(row.field());

        assertThat(f).as("%s: the field exists", row).isNotNull();
        assertThat(f.isRepeated()).as("%s: a list", row).isEqualTo(row.list());
        assertThat(typeName(f)).as("%s: its type", row).isEqualTo(row.baseType());
        if (f.getJavaType() != FieldDescriptor.JavaType.MESSAGE && !row.list()) {
            // Presence changes generated code (e.g. *string in Go, hasX() in Java), so it must match too.
            assertThat(f.hasPresence()).as("%s: optional", row).isEqualTo(row.optional());
        }
        assertThat(f.getJsonName())
                .as("%s: lowerCamelCase JSON name accepted too", row)
                .isEqualTo(lowerCamel(row.field()));
    }

    @Test
    void documentedTypesAndEnumValues_existUnderTheirNames() {
        FileDescriptor domains = Domains.getDescriptor();
        for (String message : List.of(
                "Domain",
                "Route53HostedZone",
                "DNSApplyState",
                "DNSValidationResult",
                "DNSPropagation",
                "DNSNameServerCheck")) {
            assertThat(domains.findMessageTypeByName(message)).as(message).isNotNull();
        }
        DOCUMENTED_VALUES.forEach((type, values) -> {
            var e = type.startsWith("common.v1.")
                    ? MessageClass.getDescriptor()
                    : domains.findEnumTypeByName(type.substring("domains.v1.".length()));
            assertThat(e).as(type).isNotNull();
            assertThat(e.getFullName()).isEqualTo(type);
            values.forEach(
                    v -> assertThat(e.findValueByName(v)).as(type + "." + v).isNotNull());
        });
    }

    private static String typeName(FieldDescriptor f) {
        return switch (f.getJavaType()) {
            case STRING -> "string";
            case BOOLEAN -> "bool";
            case INT -> "int32";
            case LONG -> "int64";
            case ENUM ->
                qualified(f.getEnumType().getFullName(), f.getEnumType().getName());
            case MESSAGE ->
                qualified(f.getMessageType().getFullName(), f.getMessageType().getName());
            default -> f.getJavaType().name();
        };
    }

    /** Names types of the service's own package simply, others with their package, as the documentation does. */
    private static String qualified(String fullName, String simpleName) {
        return fullName.startsWith("domains.v1.") ? simpleName : fullName;
    }

    private static String lowerCamel(String snake) {
        StringBuilder out = new StringBuilder();
        boolean upper = false;
        for (char c : snake.toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }

    /** The same names over HTTP/JSON, against the running service. */
    @Nested
    class OverHttpJson {

        @RegisterExtension
        static final WireMockExtension route53 = WireMockExtension.newInstance()
                .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"))
                .build();

        private static final String KEY = TestServer.BOOTSTRAP_KEY;

        @TempDir
        Path dir;

        LoopbackDnsServer dns;
        MutableClock clock;
        TestServer server;

        @BeforeEach
        void start() {
            dns = LoopbackDnsServer.start();
            clock = new MutableClock(Instant.now());
            Map<String, String> env = new LinkedHashMap<>();
            env.put("DOMAINKEEPER_ROUTE53_ENDPOINT", route53.baseUrl());
            env.put("DOMAINKEEPER_DNS_RESOLVERS", dns.hostAndPort());
            env.put("DOMAINKEEPER_DNS_TIMEOUT_MS", "1000");
            env.put("DOMAINKEEPER_BACKGROUND_WORKERS", "false");
            env.put("DOMAINKEEPER_SECRETS_KEY", WebhookTesting.SECRETS_KEY);
            env.put("DOMAINKEEPER_WEBHOOKS_ALLOW_HTTP", "true");
            env.put("DOMAINKEEPER_WEBHOOKS_ALLOW_PRIVATE", "true");
            server =
                    TestServer.start(dir, env, a -> a.withClock(clock).withAwsCredentials(AwsTestCredentials.PROVIDER));
            server.grantZones("default", "ZCONTRACT");
            String zoneXml = zone("ZCONTRACT", "contract.example.com.", false, 2);
            route53.stubFor(zonesByName("contract.example.com").willReturn(xml(zoneList(zoneXml))));
            route53.stubFor(
                    get("/2013-04-01/hostedzone/ZCONTRACT").willReturn(xml(getZone(zoneXml, "ns-1.awsdns-01.org"))));
            route53.stubFor(get(urlPathEqualTo("/2013-04-01/hostedzone/ZCONTRACT/rrset"))
                    .willReturn(xml(recordPage(null, null))));
            route53.stubFor(
                    post("/2013-04-01/hostedzone/ZCONTRACT/rrset/").willReturn(xml(changeResponse("C1", "PENDING"))));
        }

        @AfterEach
        void stop() {
            server.close();
            dns.close();
        }

        @Test
        void everyRpc_overHttpJson_takesAndAnswersTheDocumentedNames() {
            JsonNode added = call("AddDomain", "POST", "/domains", """
                    {"domain":"contract.example.com","dmarc_policy":"QUARANTINE","dmarc_report_email":"d@example.com",
                     "send_enabled":true,"receive_enabled":false,"dmarc_enabled":true,"spf_mode":"FORCE_VALUE",
                     "spf_value":"v=spf1 include:amazonses.com -all","dkim_key_length":"RSA_1024_BIT"}""");
            String id = added.get("domain").get("id").asText();
            assertThat(added.get("domain").get("dmarc_policy").asText()).isEqualTo("QUARANTINE");
            assertThat(added.get("domain").get("dkim_key_length").asText()).isEqualTo("RSA_1024_BIT");
            assertThat(added.get("domain").get("spf_value").asText()).isEqualTo("v=spf1 include:amazonses.com -all");

            JsonNode got = call("GetDomain", "GET", "/domains/" + id + "?include_dns_validation=true", null);
            assertThat(got.get("domain").get("dns_validation").get("records")).isNotEmpty();
            JsonNode spread = call(
                    "GetDomain",
                    "GET",
                    "/domains/" + id + "?include_dns_validation=true&include_dns_propagation=true",
                    null);
            // The loopback resolver holds no NS records: each record says its zone was not found.
            assertThat(spread.get("domain").get("dns_validation").get("records"))
                    .isNotEmpty()
                    .allSatisfy(
                            c -> assertThat(c.get("propagation").get("error").asText())
                                    .startsWith("no NS records at"));

            JsonNode page = call("ListDomains", "GET", "/domains?page_size=1&page_token=", null);
            assertThat(page.get("domains")).hasSize(1);

            JsonNode updated = call("UpdateDomain", "PATCH", "/domains/" + id, """
                    {"dmarc_policy":"REJECT","dmarc_report_email":"","send_enabled":true,"receive_enabled":true,
                     "dmarc_enabled":true,"spf_mode":"CREATE_IF_MISSING","spf_value":""}""");
            assertThat(updated.get("domain").get("dmarc_policy").asText()).isEqualTo("REJECT");
            assertThat(updated.get("domain").get("receive_enabled").asBoolean()).isTrue();

            JsonNode provider = call("CheckDNSProvider", "GET", "/domains/" + id + "/dns-provider", null);
            assertThat(provider.get("provider_type").asText()).isEqualTo("ROUTE53");
            assertThat(provider.get("route53").get("id").asText()).isEqualTo("ZCONTRACT");

            JsonNode applied = call("ApplyDomainRecords", "POST", "/domains/" + id + "/apply-records", "{}");
            assertThat(applied.get("dns_apply_state").get("status").asText()).isEqualTo("APPLYING");

            verify(id, got.get("domain").get("dns_records"));
            JsonNode simulator = call(
                    "SendTestEmail",
                    "POST",
                    "/domains/test-email",
                    "{\"id\":\"" + id + "\",\"test_type\":\"SIMULATOR_SUCCESS\",\"message_class\":\"TRANSACTIONAL\"}");
            assertThat(simulator.has("submission_id"))
                    .as("no submission for a simulator send")
                    .isFalse();
            JsonNode normal = call(
                    "SendTestEmail",
                    "POST",
                    "/domains/test-email",
                    "{\"from_email\":\"hello@"
                            + "contract.example.com\",\"to_email\":\"someone@example.org\",\"test_type\":\"NORMAL\"}");
            assertThat(normal.get("submission_id").asText()).startsWith("sub_");

            HttpResponse<String> removed = server.http("DELETE", "/domains/" + id, KEY, null);
            assertThat(removed.statusCode()).as(removed.body()).isEqualTo(200);
            assertThat(server.http("GET", "/domains/" + id, KEY, null).statusCode())
                    .isEqualTo(404);
        }

        @Test
        void openApiDocument_parsesWithAnIndependentParser_andListsEveryHttpRule() {
            HttpResponse<String> response = server.http("GET", "/openapi.json", null, null);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("content-type"))
                    .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));

            SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(response.body(), null, null);

            assertThat(parsed.getMessages()).as("parser messages").isEmpty();
            OpenAPI api = parsed.getOpenAPI();
            assertThat(api.getOpenapi()).isEqualTo("3.1.0");
            assertThat(api.getPaths().keySet())
                    .containsExactlyInAnyOrder(
                            "/domains",
                            "/domains/{id}",
                            "/domains/{id}/dns-provider",
                            "/domains/{id}/apply-records",
                            "/domains/{id}/rotate-dkim-key",
                            "/domains/test-email",
                            "/submissions/{id}",
                            "/dns-connections",
                            "/dns-connections/{id}",
                            "/dns-connections/route53/role-setup",
                            "/domains/{id}/records",
                            "/webhooks",
                            "/webhooks/{id}",
                            "/webhooks/{id}/rotate-secret",
                            "/webhooks/{id}/test",
                            "/webhooks/{id}/deliveries");
            List<String> operations = new ArrayList<>();
            api.getPaths()
                    .values()
                    .forEach(item -> item.readOperations().forEach(o -> operations.add(o.getOperationId())));
            assertThat(operations)
                    .containsExactlyInAnyOrder(
                            "AddDomain",
                            "GetDomain",
                            "ListDomains",
                            "UpdateDomain",
                            "RemoveDomain",
                            "CheckDNSProvider",
                            "ApplyDomainRecords",
                            "SendTestEmail",
                            "GetSubmission",
                            "ExportDomainRecords",
                            "RotateDKIMKey",
                            "CreateDnsConnection",
                            "ListDnsConnections",
                            "GetDnsConnection",
                            "DeleteDnsConnection",
                            "GetRoute53RoleSetup",
                            "CreateWebhook",
                            "ListWebhooks",
                            "GetWebhook",
                            "UpdateWebhook",
                            "DeleteWebhook",
                            "RotateWebhookSecret",
                            "SendTestWebhook",
                            "ListWebhookDeliveries");
            assertThat(api.getComponents().getSchemas().get("domains.v1.Domain").getDescription())
                    .as("descriptions come from the .proto comments")
                    .startsWith("Domain is a sending (and optionally receiving) domain");
            assertThat(api.getComponents()
                            .getSchemas()
                            .get("domains.v1.SendTestEmailRequest")
                            .getProperties())
                    .containsKeys("id", "from_email", "to_email", "test_type", "message_class");
        }

        @Test
        void everyOperationInTheOpenApiDocument_answersAsItSays() {
            JsonNode doc =
                    Json.parse(server.http("GET", "/openapi.json", null, null).body());
            JsonNode schemas = doc.get("components").get("schemas");
            Map<String, String> bodies = new LinkedHashMap<>();
            bodies.put(
                    "AddDomain",
                    "{\"domain\":\"contract.example.com\",\"dmarc_policy\":\"QUARANTINE\","
                            + "\"dkim_key_length\":\"RSA_2048_BIT\"}");
            bodies.put("UpdateDomain", "{\"dmarc_policy\":\"REJECT\"}");
            bodies.put("ApplyDomainRecords", "{\"dry_run\":false}");
            bodies.put("SendTestEmail", "{\"id\":\"$id\",\"test_type\":\"NORMAL\",\"to_email\":\"a@example.org\"}");
            bodies.put(
                    "CreateWebhook",
                    "{\"url\":\"http://127.0.0.1:9/hook\",\"event_types\":[\"domain.verified\"],"
                            + "\"description\":\"contract\"}");
            bodies.put("UpdateWebhook", "{\"description\":\"changed\",\"enabled\":true}");
            bodies.put("RotateWebhookSecret", "{}");
            bodies.put("SendTestWebhook", "{}");
            // In an order that gives every call what it needs; RemoveDomain last.
            List<String> order = List.of(
                    "AddDomain",
                    "GetDomain",
                    "ListDomains",
                    "UpdateDomain",
                    "CheckDNSProvider",
                    "ApplyDomainRecords",
                    "SendTestEmail",
                    "GetSubmission",
                    "CreateWebhook",
                    "ListWebhooks",
                    "GetWebhook",
                    "UpdateWebhook",
                    "RotateWebhookSecret",
                    "SendTestWebhook",
                    "ListWebhookDeliveries",
                    "DeleteWebhook",
                    "RemoveDomain");
            Map<String, String> ids = new LinkedHashMap<>();
            for (String operationId : order) {
                String[] found = operation(doc, operationId);
                String path = found[0];
                JsonNode op = doc.get("paths").get(path).get(found[1]);
                StringBuilder query = new StringBuilder();
                for (JsonNode parameter : op.path("parameters")) {
                    String name = parameter.get("name").asText();
                    if (parameter.get("in").asText().equals("path")) {
                        String value = ids.get(
                                operationId.equals("GetSubmission")
                                        ? "submission"
                                        : operationId.contains("Webhook") ? "webhook" : "domain");
                        path = path.replace("{" + name + "}", value);
                    } else {
                        query.append(query.isEmpty() ? "?" : "&")
                                .append(name)
                                .append('=')
                                .append(exampleQueryValue(resolve(schemas, parameter.get("schema"))));
                    }
                }
                String body = bodies.containsKey(operationId)
                        ? bodies.get(operationId).replace("$id", ids.getOrDefault("domain", ""))
                        : null;
                if (body != null) {
                    JsonNode bodySchema = resolve(
                            schemas,
                            op.get("requestBody")
                                    .get("content")
                                    .get("application/json")
                                    .get("schema"));
                    Json.parse(body)
                            .fieldNames()
                            .forEachRemaining(
                                    f -> assertThat(bodySchema.get("properties").has(f))
                                            .as("%s body field %s is in the document", operationId, f)
                                            .isTrue());
                }
                if (operationId.equals("SendTestEmail")) {
                    verify(
                            ids.get("domain"),
                            Json.parse(server.http("GET", "/domains/" + ids.get("domain"), KEY, null)
                                            .body())
                                    .get("domain")
                                    .get("dns_records"));
                }
                HttpResponse<String> response =
                        server.http(found[1].toUpperCase(java.util.Locale.ROOT), path + query, KEY, body);
                assertThat(response.statusCode())
                        .as("%s %s: %s", operationId, path, response.body())
                        .isEqualTo(200);
                JsonNode json = Json.parse(response.body());
                JsonNode responseSchema = op.get("responses")
                        .get("200")
                        .get("content")
                        .get("application/json")
                        .get("schema");
                conforms(schemas, responseSchema, json, operationId);
                if (operationId.equals("AddDomain")) {
                    ids.put("domain", json.get("domain").get("id").asText());
                } else if (operationId.equals("SendTestEmail")) {
                    ids.put("submission", json.get("submission_id").asText());
                } else if (operationId.equals("CreateWebhook")) {
                    ids.put("webhook", json.get("webhook").get("id").asText());
                }
            }
        }

        private static String[] operation(JsonNode doc, String operationId) {
            for (var path = doc.get("paths").fields(); path.hasNext(); ) {
                var entry = path.next();
                for (var verb = entry.getValue().fields(); verb.hasNext(); ) {
                    var v = verb.next();
                    if (v.getValue().get("operationId").asText().equals(operationId)) {
                        return new String[] {entry.getKey(), v.getKey()};
                    }
                }
            }
            throw new AssertionError(operationId + " is not in the OpenAPI document");
        }

        private static String exampleQueryValue(JsonNode schema) {
            return switch (schema.path("type").asText()) {
                case "boolean" -> "true";
                case "integer" -> "10";
                default -> "";
            };
        }

        private static JsonNode resolve(JsonNode schemas, JsonNode schema) {
            JsonNode ref = schema.get("$ref");
            return ref == null ? schema : schemas.get(ref.asText().substring("#/components/schemas/".length()));
        }

        /** Checks {@code value} against {@code schema}: types, enum values, required and no unlisted field. */
        private static void conforms(JsonNode schemas, JsonNode schema, JsonNode value, String where) {
            JsonNode s = resolve(schemas, schema);
            switch (s.path("type").asText()) {
                case "object" -> {
                    assertThat(value.isObject())
                            .as("%s is an object: %s", where, value)
                            .isTrue();
                    JsonNode properties = s.path("properties");
                    value.fieldNames()
                            .forEachRemaining(f -> assertThat(properties.has(f))
                                    .as("%s.%s is in the document", where, f)
                                    .isTrue());
                    s.path("required")
                            .forEach(r -> assertThat(value.has(r.asText()))
                                    .as("%s.%s is always there, as the document says", where, r.asText())
                                    .isTrue());
                    value.fields()
                            .forEachRemaining(e -> conforms(
                                    schemas, properties.get(e.getKey()), e.getValue(), where + "." + e.getKey()));
                }
                case "array" -> {
                    assertThat(value.isArray()).as("%s is an array", where).isTrue();
                    value.forEach(v -> conforms(schemas, s.get("items"), v, where + "[]"));
                }
                case "string" -> {
                    assertThat(value.isTextual())
                            .as("%s is a string: %s", where, value)
                            .isTrue();
                    if (s.has("enum")) {
                        List<String> allowed = new ArrayList<>();
                        s.get("enum").forEach(e -> allowed.add(e.asText()));
                        assertThat(allowed).as("%s values", where).contains(value.asText());
                    }
                }
                case "boolean" ->
                    assertThat(value.isBoolean()).as("%s is a boolean", where).isTrue();
                case "integer" ->
                    assertThat(value.isIntegralNumber())
                            .as("%s is an integer", where)
                            .isTrue();
                case "number" ->
                    assertThat(value.isNumber()).as("%s is a number", where).isTrue();
                default -> throw new AssertionError(where + ": unexpected schema " + s);
            }
        }

        /**
         * Calls {@code rpc} and checks every documented response field that is not optional, and the
         * optional ones present.
         */
        private JsonNode call(String rpc, String method, String path, String body) {
            HttpResponse<String> response = server.http(method, path, KEY, body);
            assertThat(response.statusCode()).as("%s: %s", rpc, response.body()).isEqualTo(200);
            JsonNode json = Json.parse(response.body());
            for (Row row : rows()) {
                if (!row.rpc().equals(rpc) || row.request()) {
                    continue;
                }
                JsonNode value = json.get(row.field());
                if (value == null) {
                    assertThat(row.optional())
                            .as("%s: missing from %s", row, response.body())
                            .isTrue();
                    continue;
                }
                assertThat(jsonKind(value)).as("%s in %s", row, response.body()).isEqualTo(expectedKind(row));
                if (row.list()) {
                    value.forEach(v -> assertThat(jsonKind(v))
                            .as("%s element", row)
                            .isEqualTo(expectedKind(new Row(row.rpc(), false, row.field(), row.baseType()))));
                }
            }
            return json;
        }

        private static String expectedKind(Row row) {
            if (row.list()) {
                return "array";
            }
            return switch (row.baseType()) {
                case "string" -> "string";
                case "bool" -> "boolean";
                case "int32" -> "number";
                default ->
                    Stream.of(
                                            "DMARCPolicyType",
                                            "SPFMode",
                                            "DNSProviderType",
                                            "TestEmailType",
                                            "common.v1.MessageClass")
                                    .anyMatch(row.baseType()::equals)
                            ? "string"
                            : "object";
            };
        }

        private static String jsonKind(JsonNode n) {
            return n.isArray()
                    ? "array"
                    : n.isObject()
                            ? "object"
                            : n.isBoolean()
                                    ? "boolean"
                                    : n.isNumber()
                                            ? "number"
                                            : n.isTextual()
                                                    ? "string"
                                                    : n.getNodeType().name();
        }

        /** Publishes the DKIM CNAMEs and lets the sandbox see them, so that the domain can send. */
        private void verify(String id, JsonNode records) {
            List<String> dkim = new ArrayList<>();
            for (JsonNode r : records) {
                if (r.get("purpose").asText().equals("DKIM")) {
                    dns.addCname(r.get("name").asText(), r.get("value").asText());
                    dkim.add(r.get("name").asText());
                }
            }
            assertThat(dkim).hasSize(3);
            clock.advance(Duration.ofSeconds(6));
            JsonNode domain = Json.parse(
                            server.http("GET", "/domains/" + id, KEY, null).body())
                    .get("domain");
            assertThat(domain.get("verification_status").asText()).isEqualTo("SUCCESS");
            assertThat(domain.get("dkim_status").asText()).isEqualTo("SUCCESS");
        }
    }
}
