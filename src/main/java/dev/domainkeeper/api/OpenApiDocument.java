package dev.domainkeeper.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.api.AnnotationsProto;
import com.google.api.HttpRule;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.SourceCodeInfo;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.ExtensionRegistry;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.domainkeeper.proto.dnsconnections.v1.Dnsconnections;
import dev.domainkeeper.proto.domains.v1.Domains;
import dev.domainkeeper.proto.submissions.v1.Submissions;
import dev.domainkeeper.proto.webhooks.v1.Webhooks;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Builds the OpenAPI 3.1 document of the HTTP/JSON API from the compiled .proto descriptors and their
 * {@code google.api.http} rules, so it cannot drift from what the server transcodes. Descriptions come
 * from the .proto comments, read from the descriptor set the build writes with source info.
 *
 * <p>JSON names are the proto field names (the server preserves them); 64-bit integers are strings and
 * timestamps RFC 3339 strings, as protobuf JSON writes them. In responses, every field without
 * presence (scalars that are not {@code optional}, lists) is always there and listed as required;
 * in requests nothing is required by the schema (the server names a missing field in its error).
 */
public final class OpenApiDocument {
    /** Where the build puts the descriptor set with comments. */
    static final String DESCRIPTOR_SET = "/META-INF/armeria/grpc/domainkeeper.dsc";

    private static final Pattern PATH_VARIABLE = Pattern.compile("\\{([a-z_][a-z0-9_.]*)(=[^}]*)?}");
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final Map<String, String> comments;
    private final ObjectNode schemas = JSON.objectNode();

    private OpenApiDocument(Map<String, String> comments) {
        this.comments = comments;
    }

    /** Returns the OpenAPI document of every HTTP rule of the API's services, as pretty JSON. */
    public static String json() {
        ObjectNode doc = build(List.of(
                Domains.getDescriptor().findServiceByName("DomainsService"),
                Submissions.getDescriptor().findServiceByName("SubmissionsService"),
                Dnsconnections.getDescriptor().findServiceByName("DnsConnectionsService"),
                Webhooks.getDescriptor().findServiceByName("WebhooksService")));
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode build(List<ServiceDescriptor> services) {
        OpenApiDocument builder = new OpenApiDocument(readComments());
        return builder.document(services);
    }

    private ObjectNode document(List<ServiceDescriptor> services) {
        ObjectNode doc = JSON.objectNode();
        doc.put("openapi", "3.1.0");
        doc.putObject("info")
                .put("title", "Domainkeeper API")
                .put("version", "v1")
                .put(
                        "description",
                        "The HTTP/JSON form of the Domainkeeper gRPC API (the same calls are served "
                                + "as gRPC and gRPC-Web on the same port). Every call needs `Authorization: Bearer "
                                + "<api key>`. Errors are JSON objects with `code` (the google.rpc.Code number), "
                                + "`grpc-code` and `message`.");
        doc.putArray("security").addObject().putArray("bearer");
        ArrayNode tags = doc.putArray("tags");
        ObjectNode paths = doc.putObject("paths");
        for (ServiceDescriptor service : services) {
            tags.addObject().put("name", service.getName()).put("description", comment(service));
            for (MethodDescriptor method : service.getMethods()) {
                if (method.getOptions().hasExtension(AnnotationsProto.http)) {
                    operation(paths, service, method, method.getOptions().getExtension(AnnotationsProto.http));
                }
            }
        }
        ObjectNode components = doc.putObject("components");
        components.set("schemas", schemas);
        schemas.set("Error", errorSchema());
        components
                .putObject("securitySchemes")
                .putObject("bearer")
                .put("type", "http")
                .put("scheme", "bearer")
                .put("description", "An API key (`dk_...`) of the account the call acts for.");
        return doc;
    }

    private void operation(ObjectNode paths, ServiceDescriptor service, MethodDescriptor method, HttpRule rule) {
        String verb;
        String template;
        switch (rule.getPatternCase()) {
            case GET -> {
                verb = "get";
                template = rule.getGet();
            }
            case POST -> {
                verb = "post";
                template = rule.getPost();
            }
            case PATCH -> {
                verb = "patch";
                template = rule.getPatch();
            }
            case PUT -> {
                verb = "put";
                template = rule.getPut();
            }
            case DELETE -> {
                verb = "delete";
                template = rule.getDelete();
            }
            default -> throw new IllegalStateException("unsupported HTTP rule on " + method.getFullName());
        }
        Descriptor input = method.getInputType();
        List<String> pathFields = new ArrayList<>();
        Matcher m = PATH_VARIABLE.matcher(template);
        StringBuilder path = new StringBuilder();
        while (m.find()) {
            pathFields.add(m.group(1));
            m.appendReplacement(path, Matcher.quoteReplacement("{" + m.group(1) + "}"));
        }
        m.appendTail(path);

        String route = path.toString();
        ObjectNode op = (paths.has(route) ? (ObjectNode) paths.get(route) : paths.putObject(route)).putObject(verb);
        op.put("operationId", method.getName());
        op.putArray("tags").add(service.getName());
        op.put("summary", method.getName());
        op.put("description", comment(method));
        ArrayNode parameters = JSON.arrayNode();
        for (String name : pathFields) {
            FieldDescriptor f = requireNonNull(input.findFieldByName(name), name);
            parameters
                    .addObject()
                    .put("name", name)
                    .put("in", "path")
                    .put("required", true)
                    .put("description", comment(f))
                    .set("schema", fieldSchema(f));
        }
        String body = rule.getBody();
        if (body.isEmpty()) {
            for (FieldDescriptor f : input.getFields()) {
                if (!pathFields.contains(f.getName()) && f.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
                    parameters
                            .addObject()
                            .put("name", f.getName())
                            .put("in", "query")
                            .put("required", false)
                            .put(
                                    "description",
                                    comment(f) + " Also accepted in lowerCamelCase (" + f.getJsonName() + ").")
                            .set("schema", fieldSchema(f));
                }
            }
        } else {
            String schemaName = pathFields.isEmpty() ? messageRef(input) : bodySchema(input, pathFields);
            op.putObject("requestBody")
                    .put("required", true)
                    .putObject("content")
                    .putObject("application/json")
                    .putObject("schema")
                    .put("$ref", schemaName);
        }
        if (!parameters.isEmpty()) {
            op.set("parameters", parameters);
        }
        ObjectNode responses = op.putObject("responses");
        responses
                .putObject("200")
                .put("description", "The " + method.getOutputType().getName() + ".")
                .putObject("content")
                .putObject("application/json")
                .putObject("schema")
                .put("$ref", messageRef(method.getOutputType()));
        responses
                .putObject("default")
                .put(
                        "description",
                        "An error: 400 INVALID_ARGUMENT or FAILED_PRECONDITION, "
                                + "401 UNAUTHENTICATED, 404 NOT_FOUND, 409 ALREADY_EXISTS or ABORTED, 429 "
                                + "RESOURCE_EXHAUSTED, 503 UNAVAILABLE (with a retry-after header), 500 INTERNAL.")
                .putObject("content")
                .putObject("application/json")
                .putObject("schema")
                .put("$ref", "#/components/schemas/Error");
    }

    /** Returns a reference to the schema of {@code message}, defining it (and what it uses) on first use. */
    private String messageRef(Descriptor message) {
        String name = message.getFullName();
        if (!schemas.has(name)) {
            schemas.putObject(name); // Placeholder first: messages may refer to each other.
            schemas.set(name, messageSchema(message, List.of()));
        }
        return "#/components/schemas/" + name;
    }

    private String bodySchema(Descriptor message, List<String> without) {
        String name = message.getFullName() + ".Body";
        if (!schemas.has(name)) {
            ObjectNode schema = messageSchema(message, without);
            schema.put(
                    "description",
                    comment(message) + " (The request body: the path carries " + String.join(", ", without) + ".)");
            schemas.set(name, schema);
        }
        return "#/components/schemas/" + name;
    }

    private ObjectNode messageSchema(Descriptor message, List<String> without) {
        ObjectNode schema = JSON.objectNode();
        schema.put("type", "object");
        schema.put("description", comment(message));
        ObjectNode properties = schema.putObject("properties");
        ArrayNode required = JSON.arrayNode();
        for (FieldDescriptor f : message.getFields()) {
            if (without.contains(f.getName())) {
                continue;
            }
            ObjectNode property = fieldSchema(f);
            property.put("description", comment(f));
            properties.set(f.getName(), property);
            if (!f.hasPresence()) {
                required.add(f.getName());
            }
        }
        // The server writes every field without presence, default values included; request messages
        // (only ever sent by clients) require nothing.
        if (!required.isEmpty() && !message.getName().endsWith("Request")) {
            schema.set("required", required);
        }
        return schema;
    }

    private ObjectNode fieldSchema(FieldDescriptor f) {
        ObjectNode single = singleSchema(f);
        if (!f.isRepeated()) {
            return single;
        }
        ObjectNode array = JSON.objectNode();
        array.put("type", "array");
        array.set("items", single);
        return array;
    }

    private ObjectNode singleSchema(FieldDescriptor f) {
        ObjectNode s = JSON.objectNode();
        switch (f.getType()) {
            case STRING -> s.put("type", "string");
            case BOOL -> s.put("type", "boolean");
            case INT32, SINT32, SFIXED32, UINT32, FIXED32 ->
                s.put("type", "integer").put("format", "int32");
            case INT64, SINT64, SFIXED64, UINT64, FIXED64 ->
                s.put("type", "string").put("format", "int64");
            case DOUBLE, FLOAT -> s.put("type", "number");
            case BYTES -> s.put("type", "string").put("format", "byte");
            case ENUM -> s.put("$ref", enumRef(f.getEnumType()));
            case MESSAGE -> {
                if (f.getMessageType().getFullName().equals("google.protobuf.Timestamp")) {
                    s.put("type", "string").put("format", "date-time");
                } else {
                    s.put("$ref", messageRef(f.getMessageType()));
                }
            }
            default ->
                throw new IllegalStateException("unsupported field type " + f.getType() + " of " + f.getFullName());
        }
        return s;
    }

    private String enumRef(EnumDescriptor e) {
        String name = e.getFullName();
        if (!schemas.has(name)) {
            ObjectNode s = schemas.putObject(name);
            s.put("type", "string");
            StringBuilder description = new StringBuilder(comment(e));
            ArrayNode values = s.putArray("enum");
            for (EnumValueDescriptor v : e.getValues()) {
                values.add(v.getName());
                description.append("\n- `").append(v.getName()).append("`: ").append(comment(v));
            }
            s.put("description", description.toString());
        }
        return "#/components/schemas/" + name;
    }

    private static ObjectNode errorSchema() {
        ObjectNode s = JSON.objectNode();
        s.put("type", "object");
        s.put("description", "An error answer.");
        ObjectNode p = s.putObject("properties");
        p.putObject("code").put("type", "integer").put("description", "The google.rpc.Code number, e.g. 3.");
        p.putObject("grpc-code")
                .put("type", "string")
                .put("description", "The gRPC status name, e.g. " + "INVALID_ARGUMENT.");
        p.putObject("message")
                .put("type", "string")
                .put(
                        "description",
                        "What is wrong; starts with the name " + "of the field at fault when there is one.");
        s.putArray("required").add("code").add("message");
        return s;
    }

    // ---- Comments from the descriptor set's source info ----

    private String comment(ServiceDescriptor s) {
        return lookup(s.getFile(), path(6, s.getIndex()));
    }

    private String comment(MethodDescriptor m) {
        return lookup(m.getFile(), path(6, m.getService().getIndex(), 2, m.getIndex()));
    }

    private String comment(Descriptor d) {
        return lookup(d.getFile(), messagePath(d));
    }

    private String comment(FieldDescriptor f) {
        return lookup(f.getFile(), messagePath(f.getContainingType()) + "." + 2 + "." + f.getIndex());
    }

    private String comment(EnumDescriptor e) {
        return lookup(e.getFile(), enumPath(e));
    }

    private String comment(EnumValueDescriptor v) {
        return lookup(v.getFile(), enumPath(v.getType()) + "." + 2 + "." + v.getIndex());
    }

    private static String messagePath(Descriptor d) {
        return d.getContainingType() == null
                ? path(4, d.getIndex())
                : messagePath(d.getContainingType()) + "." + 3 + "." + d.getIndex();
    }

    private static String enumPath(EnumDescriptor e) {
        return e.getContainingType() == null
                ? path(5, e.getIndex())
                : messagePath(e.getContainingType()) + "." + 4 + "." + e.getIndex();
    }

    private static String path(int... parts) {
        return java.util.Arrays.stream(parts).mapToObj(Integer::toString).collect(Collectors.joining("."));
    }

    private String lookup(FileDescriptor file, String path) {
        return comments.getOrDefault(file.getName() + ":" + path, "");
    }

    /** Reads the leading comment of every element of every file in the descriptor set, by file and path. */
    private static Map<String, String> readComments() {
        Map<String, String> out = new HashMap<>();
        try (InputStream in = OpenApiDocument.class.getResourceAsStream(DESCRIPTOR_SET)) {
            if (in == null) {
                throw new IllegalStateException(DESCRIPTOR_SET + " is missing from the classpath (built by mvn)");
            }
            FileDescriptorSet set = FileDescriptorSet.parseFrom(in, ExtensionRegistry.getEmptyRegistry());
            for (FileDescriptorProto file : set.getFileList()) {
                for (SourceCodeInfo.Location l : file.getSourceCodeInfo().getLocationList()) {
                    if (l.hasLeadingComments()) {
                        String key = file.getName() + ":"
                                + l.getPathList().stream().map(String::valueOf).collect(Collectors.joining("."));
                        out.put(
                                key,
                                l.getLeadingComments()
                                        .lines()
                                        .map(String::strip)
                                        .collect(Collectors.joining(" "))
                                        .strip());
                    }
                }
            }
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(DESCRIPTOR_SET + " is not a descriptor set", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
