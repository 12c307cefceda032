package dev.domainkeeper.dnshosting.cloudflare;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.domainkeeper.dnshosting.DnsProvider;
import dev.domainkeeper.dnshosting.HostedZone;
import dev.domainkeeper.dnshosting.ProviderAccessDeniedException;
import dev.domainkeeper.dnshosting.ProviderRejectedException;
import dev.domainkeeper.dnshosting.ProviderUnavailableException;
import dev.domainkeeper.dnshosting.RecordChange;
import dev.domainkeeper.dnshosting.RecordSet;
import dev.domainkeeper.domain.HostNames;
import dev.domainkeeper.domain.RecordType;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Publishes records to Cloudflare DNS through its API v4 with an API token: zones by
 * {@code GET /zones?name=}, records by {@code GET /zones/{id}/dns_records} page by page, and a
 * change as one {@code POST /zones/{id}/dns_records/batch} (Cloudflare runs a batch in one
 * transaction: all of it or none). Records are always written {@code proxied: false}: a proxied
 * CNAME would answer with Cloudflare's addresses instead of the DKIM target. A 429 (with its
 * {@code Retry-After}) and 5xx answers are UNAVAILABLE, a refused token FAILED_PRECONDITION with
 * Cloudflare's own reason. Cloudflare serves a change once it accepts it, so a change is in sync
 * when submitted.
 */
public final class CloudflareProvider implements DnsProvider {
    /** Cloudflare's API v4 base address. */
    public static final URI API = URI.create("https://api.cloudflare.com/client/v4");

    static final String NAME = "Cloudflare";
    private static final int PER_PAGE = 100;
    private static final int MAX_PAGES = 100;
    private static final int ATTEMPTS = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final String token;
    private final Duration timeout;
    private final HttpClient http;

    private CloudflareProvider(URI base, String token, Duration timeout, HttpClient http) {
        this.base = requireNonNull(base, "base");
        this.token = requireNonNull(token, "token");
        this.timeout = requireNonNull(timeout, "timeout");
        this.http = requireNonNull(http, "http");
    }

    /** Creates a provider talking to {@code base} (Cloudflare's {@link #API}, or a stub) with {@code token}. */
    public static CloudflareProvider create(URI base, String token, Duration timeout, HttpClient http) {
        return new CloudflareProvider(base, token, timeout, http);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void checkAccess() {
        JsonNode result = call("GET", "/user/tokens/verify", null).path("result");
        String status = result.path("status").asText("");
        if (!status.equals("active")) {
            throw new ProviderAccessDeniedException(
                    NAME,
                    "the API token is " + (status.isEmpty() ? "not usable" : status) + " (expected: active)",
                    null);
        }
    }

    @Override
    public Optional<HostedZone> findZone(String domain) {
        String name = HostNames.normalize(domain);
        while (name.indexOf('.') > 0) {
            JsonNode zones = call("GET", "/zones?name=" + encode(name), null).path("result");
            for (JsonNode z : zones) {
                if (HostNames.normalize(z.path("name").asText()).equals(name)) {
                    List<String> ns = new ArrayList<>();
                    z.path("name_servers").forEach(n -> ns.add(HostNames.normalize(n.asText())));
                    return Optional.of(new HostedZone(z.path("id").asText(), name, false, 0, ns));
                }
            }
            name = name.substring(name.indexOf('.') + 1);
        }
        return Optional.empty();
    }

    @Override
    public List<RecordSet> readRecords(String zoneId, Collection<String> names) {
        Set<String> wanted = new LinkedHashSet<>();
        names.forEach(n -> wanted.add(HostNames.normalize(n)));
        Map<String, List<JsonNode>> byKey = new LinkedHashMap<>();
        for (JsonNode r : allRecords(zoneId)) {
            String name = HostNames.normalize(r.path("name").asText());
            Optional<RecordType> type = type(r);
            if (wanted.contains(name) && type.isPresent()) {
                byKey.computeIfAbsent(name + " " + type.get(), k -> new ArrayList<>())
                        .add(r);
            }
        }
        List<RecordSet> sets = new ArrayList<>();
        for (String name : wanted) {
            for (RecordType type : RecordType.values()) {
                List<JsonNode> records = byKey.get(name + " " + type);
                if (records != null) {
                    sets.add(new RecordSet(
                            name,
                            type,
                            records.get(0).path("ttl").asLong(1),
                            records.stream().map(r -> value(type, r)).toList()));
                }
            }
        }
        return sets;
    }

    /**
     * Submits the changes as one batch: a value already there stays, records of the set that are
     * no longer wanted are rewritten (PUT) to the new values, further new values are created (POST),
     * and leftovers deleted, so each record set ends exactly as planned; a DELETE change deletes the
     * records of its name and type that hold its values, and no other.
     */
    @Override
    public String submit(String zoneId, List<RecordChange> changes) {
        if (changes.isEmpty()) {
            throw new IllegalArgumentException("changes: none (expected: at least one)");
        }
        List<JsonNode> existing = allRecords(zoneId);
        ArrayNode deletes = JSON.createArrayNode();
        ArrayNode puts = JSON.createArrayNode();
        ArrayNode posts = JSON.createArrayNode();
        for (RecordChange change : changes) {
            RecordSet set = change.recordSet();
            if (change.action() == RecordChange.Action.DELETE) {
                // Only the records holding the set's values go; one someone added since stays.
                for (JsonNode r : existing) {
                    if (HostNames.normalize(r.path("name").asText()).equals(set.name())
                            && type(r).equals(Optional.of(set.type()))
                            && set.values().contains(value(set.type(), r))) {
                        deletes.addObject().put("id", r.path("id").asText());
                    }
                }
                continue;
            }
            List<String> toWrite = new ArrayList<>(set.values());
            List<JsonNode> spare = new ArrayList<>();
            for (JsonNode r : existing) {
                if (HostNames.normalize(r.path("name").asText()).equals(set.name())
                        && type(r).equals(Optional.of(set.type()))) {
                    boolean right = r.path("ttl").asLong() == ttl(set.ttl())
                            && !r.path("proxied").asBoolean(false)
                            && toWrite.remove(value(set.type(), r));
                    if (!right) {
                        spare.add(r); // Rewritten to a value still to write, or deleted.
                    }
                }
            }
            for (int i = 0; i < toWrite.size(); i++) {
                ObjectNode record = record(set, toWrite.get(i));
                if (i < spare.size()) {
                    record.put("id", spare.get(i).path("id").asText());
                    puts.add(record);
                } else {
                    posts.add(record);
                }
            }
            for (int i = toWrite.size(); i < spare.size(); i++) {
                deletes.addObject().put("id", spare.get(i).path("id").asText());
            }
        }
        if (deletes.isEmpty() && puts.isEmpty() && posts.isEmpty()) {
            return "batch-unchanged";
        }
        ObjectNode body = JSON.createObjectNode();
        body.set("deletes", deletes);
        body.set("puts", puts);
        body.set("posts", posts);
        JsonNode result = call("POST", "/zones/" + encode(zoneId) + "/dns_records/batch", body.toString())
                .path("result");
        for (String part : List.of("posts", "puts")) {
            for (JsonNode r : result.path(part)) {
                return "batch-" + r.path("id").asText();
            }
        }
        return "batch-" + zoneId;
    }

    /** Cloudflare serves a change as soon as it accepts it. */
    @Override
    public boolean isInSync(String changeId) {
        return true;
    }

    @Override
    public boolean confirmsOnSubmit() {
        return true;
    }

    private List<JsonNode> allRecords(String zoneId) {
        List<JsonNode> all = new ArrayList<>();
        for (int page = 1; page <= MAX_PAGES; page++) {
            JsonNode answer = call(
                    "GET", "/zones/" + encode(zoneId) + "/dns_records?page=" + page + "&per_page=" + PER_PAGE, null);
            answer.path("result").forEach(all::add);
            int totalPages = answer.path("result_info").path("total_pages").asInt(1);
            if (page >= totalPages || answer.path("result").isEmpty()) {
                return all;
            }
        }
        return all;
    }

    private static Optional<RecordType> type(JsonNode r) {
        try {
            return Optional.of(RecordType.valueOf(r.path("type").asText()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Returns a record's value in {@link RecordSet}'s form. */
    private static String value(RecordType type, JsonNode r) {
        String content = r.path("content").asText();
        return switch (type) {
            case MX -> r.path("priority").asInt() + " " + HostNames.normalize(content);
            case TXT -> TxtContent.parse(content);
            case CNAME, NS -> HostNames.normalize(content);
            default -> content;
        };
    }

    private static ObjectNode record(RecordSet set, String value) {
        ObjectNode r = JSON.createObjectNode();
        r.put("type", set.type().name());
        r.put("name", set.name());
        r.put("ttl", ttl(set.ttl()));
        if (set.type() == RecordType.MX) {
            String[] parts = value.split(" ", 2);
            r.put("priority", Integer.parseInt(parts[0]));
            r.put("content", parts[1]);
        } else if (set.type() == RecordType.TXT) {
            r.put("content", TxtContent.format(value));
        } else {
            r.put("content", value);
        }
        // Never through Cloudflare's proxy: DKIM, MAIL FROM and DMARC must answer as published.
        r.put("proxied", false);
        return r;
    }

    /** Cloudflare's lowest TTL outside Enterprise is 60 s (1 means automatic). */
    private static long ttl(long ttl) {
        return Math.max(60, ttl);
    }

    private JsonNode call(String method, String pathAndQuery, String body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/+$", "") + pathAndQuery))
                .timeout(timeout)
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(body, UTF_8))
                .build();
        String what = method + " " + pathAndQuery.replaceAll("\\?.*", "");
        for (int attempt = 1; ; attempt++) {
            HttpResponse<String> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofString(UTF_8));
            } catch (IOException e) {
                if (attempt < ATTEMPTS) {
                    pause(attempt);
                    continue;
                }
                throw new ProviderUnavailableException(NAME, what + " failed: " + e, Duration.ofSeconds(5), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ProviderUnavailableException(NAME, "interrupted", Duration.ofSeconds(1), e);
            }
            int status = response.statusCode();
            if (status == 429) {
                throw new ProviderUnavailableException(
                        NAME, what + " was rate limited (429): " + reason(response.body()), retryAfter(response), null);
            }
            if (status >= 500) {
                if (attempt < ATTEMPTS) {
                    pause(attempt);
                    continue;
                }
                throw new ProviderUnavailableException(
                        NAME,
                        what + " answered " + status + ": " + reason(response.body()),
                        Duration.ofSeconds(5),
                        null);
            }
            JsonNode answer = parse(response.body(), what);
            if (status == 401 || status == 403) {
                throw new ProviderAccessDeniedException(NAME, what + " (" + status + "): " + reason(answer), null);
            }
            if (status >= 300 || !answer.path("success").asBoolean(false)) {
                JsonNode first = answer.path("errors").path(0);
                String code = first.path("code").asText(Integer.toString(status));
                // Cloudflare's authentication errors (9106, 9109, 10000) can also come with status 400.
                if (code.equals("9106") || code.equals("9109") || code.equals("10000")) {
                    throw new ProviderAccessDeniedException(NAME, what + ": " + reason(answer), null);
                }
                throw new ProviderRejectedException(NAME, code, reason(answer), what + ": " + reason(answer), null);
            }
            return answer;
        }
    }

    private static JsonNode parse(String body, String what) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new ProviderUnavailableException(NAME, what + " answered unreadable JSON", Duration.ofSeconds(5), e);
        }
    }

    private static String reason(String body) {
        try {
            return reason(JSON.readTree(body));
        } catch (IOException e) {
            return "no readable reason";
        }
    }

    /** Returns Cloudflare's own explanation: each error's code and message. */
    private static String reason(JsonNode answer) {
        List<String> parts = new ArrayList<>();
        for (JsonNode e : answer.path("errors")) {
            parts.add(e.path("message").asText()
                    + (e.has("code") ? " (code " + e.path("code").asText() + ")" : ""));
        }
        return parts.isEmpty() ? "no reason given" : String.join("; ", parts);
    }

    private static Duration retryAfter(HttpResponse<String> response) {
        return response.headers()
                .firstValue("Retry-After")
                .flatMap(v -> {
                    try {
                        return Optional.of(Duration.ofSeconds(Math.max(1, Long.parseLong(v.trim()))));
                    } catch (NumberFormatException e) {
                        return Optional.empty();
                    }
                })
                .orElse(Duration.ofSeconds(30));
    }

    private static void pause(int attempt) {
        try {
            Thread.sleep(100L * attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, UTF_8);
    }
}
