package dev.domainkeeper.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.domainkeeper.accounts.AccountService;
import dev.domainkeeper.proto.domains.v1.AddDomainRequest;
import dev.domainkeeper.proto.domains.v1.DMARCPolicyType;
import dev.domainkeeper.proto.domains.v1.DomainsServiceGrpc;
import dev.domainkeeper.proto.domains.v1.GetDomainRequest;
import dev.domainkeeper.proto.domains.v1.RecordPurpose;
import dev.domainkeeper.proto.domains.v1.RemoveDomainRequest;
import dev.domainkeeper.proto.domains.v1.RemoveDomainResponse;
import dev.domainkeeper.proto.domains.v1.UpdateDomainRequest;
import dev.domainkeeper.proto.domains.v1.VerificationStatus;
import dev.domainkeeper.store.AccountStore;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.Rpc;
import dev.domainkeeper.testing.TestServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Drives the five lifecycle RPCs through real HTTP/JSON and gRPC calls on the sandbox backend. The
 * HTTP/JSON tests check the JSON mapping too (field names, camelCase aliases, bad bodies, PATCH with
 * only the fields present, query parameters); the others call the typed gRPC stubs.
 */
class DomainLifecycleTest {
    @TempDir
    static Path dir;

    static TestServer server;
    static AccountService accounts;
    String key;

    @BeforeAll
    static void start() {
        server = TestServer.start(dir, Map.of("DOMAINKEEPER_BACKGROUND_WORKERS", "false"), UnaryOperator.identity());
        accounts =
                new AccountService(new AccountStore(server.server().database().jdbi()), Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void newAccount() {
        key = accounts.createAccount("acct-" + System.nanoTime()).key();
    }

    private static String unique(String base) {
        return "t" + Long.toString(System.nanoTime(), 36) + "." + base;
    }

    private JsonNode add(String json) {
        HttpResponse<String> r = server.http("POST", "/domains", key, json);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.parse(r.body()).get("domain");
    }

    private long domainRows() {
        return server.server()
                .database()
                .jdbi()
                .withHandle(h -> h.createQuery("SELECT COUNT(*) FROM domains")
                        .mapTo(Long.class)
                        .one());
    }

    @Test
    void addDomain_defaults_andPlannedRecords() {
        String name = unique("example.com");
        JsonNode d = add("{\"domain\":\"  " + name.toUpperCase() + ". \"}");

        assertThat(d.get("id").asText()).startsWith("dom_");
        assertThat(d.get("domain").asText()).isEqualTo(name);
        assertThat(d.get("verification_status").asText()).isEqualTo("PENDING");
        assertThat(d.get("dkim_status").asText()).isEqualTo("PENDING");
        assertThat(d.get("send_enabled").asBoolean()).isTrue();
        assertThat(d.get("receive_enabled").asBoolean()).isFalse();
        assertThat(d.get("dmarc_enabled").asBoolean()).isTrue();
        assertThat(d.get("dmarc_policy").asText()).isEqualTo("NONE");
        assertThat(d.get("spf_mode").asText()).isEqualTo("CREATE_IF_MISSING");
        assertThat(d.get("mail_from_domain").asText()).isEqualTo("mail." + name);
        assertThat(d.get("region").asText()).isEqualTo("us-east-1");
        assertThat(d.has("dns_apply_state")).isTrue();
        assertThat(d.get("created_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");

        List<String> purposes = new ArrayList<>();
        d.get("dns_records").forEach(r -> purposes.add(r.get("purpose").asText()));
        assertThat(purposes).containsExactly("DKIM", "DKIM", "DKIM", "MAIL_FROM_MX", "MAIL_FROM_SPF", "SPF", "DMARC");
        JsonNode dkim = d.get("dns_records").get(0);
        assertThat(dkim.get("type").asText()).isEqualTo("CNAME");
        assertThat(dkim.get("name").asText()).matches("[a-z0-9]{32}\\._domainkey\\." + name.replace(".", "\\."));
        assertThat(dkim.get("value").asText()).matches("[a-z0-9]{32}\\.dkim\\.amazonses\\.com");
        JsonNode mx = d.get("dns_records").get(3);
        assertThat(mx.get("value").asText()).isEqualTo("feedback-smtp.us-east-1.amazonses.com");
        assertThat(mx.get("priority").asInt()).isEqualTo(10);
        assertThat(d.get("dns_records").get(6).get("value").asText()).isEqualTo("v=DMARC1; p=none");
    }

    @Test
    void addDomain_receivingAndDmarcOptions_planInboundMxAndRua() {
        String name = unique("example.org");
        JsonNode d = add("{\"domain\":\"" + name + "\",\"receive_enabled\":true,\"dmarcPolicy\":\"QUARANTINE\","
                + "\"dmarc_report_email\":\"dmarc@" + name + "\",\"spf_mode\":\"SKIP\"}");

        List<String> purposes = new ArrayList<>();
        d.get("dns_records").forEach(r -> purposes.add(r.get("purpose").asText()));
        assertThat(purposes)
                .containsExactly("DKIM", "DKIM", "DKIM", "MAIL_FROM_MX", "MAIL_FROM_SPF", "DMARC", "INBOUND_MX");
        assertThat(d.get("dns_records").get(5).get("value").asText())
                .isEqualTo("v=DMARC1; p=quarantine; rua=mailto:dmarc@" + name);
        assertThat(d.get("dns_records").get(6).get("value").asText()).isEqualTo("inbound-smtp.us-east-1.amazonaws.com");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "{\"domain\":\"exa mple.com\"}|domain:",
                "{\"domain\":\"\"}|domain:",
                "{\"domain\":\"co.uk\"}|domain:",
                "{\"domain\":\"localhost\"}|domain:",
                "{\"domain\":\"1.2.3.4\"}|domain:",
                "{\"domain\":\"ok-domain.com\",\"spf_value\":\"v=spf1 -all\"}|spf_value:",
                "{\"domain\":\"ok-domain.com\",\"spf_mode\":\"FORCE_VALUE\"}|spf_value:",
                "{\"domain\":\"ok-domain.com\",\"spf_mode\":\"FORCE_VALUE\",\"spf_value\":\"hello\"}|spf_value:",
                "{\"domain\":\"ok-domain.com\",\"dmarc_report_email\":\"not-an-email\"}|dmarc_report_email:",
                "{\"domain\":\"ok-domain.com\",\"mail_from_domain\":\"other.com\"}|mail_from_domain:",
                "{\"domain\":\"ok-domain.com\",\"mail_from_domain\":\"ok-domain.com\"}|mail_from_domain:",
                "{\"domain\":\"ok-domain.com\",\"region\":\"mars\"}|region:",
                "{\"domain\":\"ok-domain.com\",\"dmarc_policy\":\"STRICT\"}|dmarc_policy",
                "{\"domain\":\"ok-domain.com\",\"spf_mode\":7}|spf_mode",
                "{\"domain\":42,\"receive_enabled\":\"maybe\"}|body:",
                "{not json|body:"
            })
    void addDomain_badInput_is400NamingTheField_andChangesNothing(String body, String field) {
        long before = domainRows();

        HttpResponse<String> r = server.http("POST", "/domains", key, body);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(Json.parse(r.body()).get("message").asText()).contains(field);
        assertThat(domainRows()).isEqualTo(before);
    }

    @Test
    void addDomain_nameHeldByAnyAccount_isAlreadyExists() {
        String name = unique("taken.com");
        add("{\"domain\":\"" + name + "\"}");
        String other = accounts.createAccount("other-" + System.nanoTime()).key();

        HttpResponse<String> same = server.http("POST", "/domains", key, "{\"domain\":\"" + name + "\"}");
        HttpResponse<String> foreign =
                server.http("POST", "/domains", other, "{\"domain\":\"" + name.toUpperCase() + "\"}");

        assertThat(same.statusCode()).isEqualTo(409);
        assertThat(foreign.statusCode()).isEqualTo(409);
        assertThat(foreign.body()).contains("ALREADY_EXISTS").contains("domain:");
    }

    @Test
    void getDomain_unknownAndForeignIds_lookTheSame() {
        String id = add("{\"domain\":\"" + unique("mine.com") + "\"}").get("id").asText();
        String other = accounts.createAccount("other-" + System.nanoTime()).key();

        StatusRuntimeException foreign =
                Rpc.failure(() -> Rpc.domains(server, other).getDomain(get(id)));
        StatusRuntimeException unknown =
                Rpc.failure(() -> Rpc.domains(server, other).getDomain(get("dom_doesnotexist000000")));

        assertThat(foreign.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(unknown.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(foreign.getStatus().getDescription().replace(id, "X"))
                .isEqualTo(unknown.getStatus().getDescription().replace("dom_doesnotexist000000", "X"));
        assertThat(Rpc.domains(server, key).getDomain(get(id)).getDomain().getId())
                .isEqualTo(id);
    }

    private static GetDomainRequest get(String id) {
        return GetDomainRequest.newBuilder().setId(id).build();
    }

    @Test
    void grpc_addGetUpdate_roundTrip() {
        var stub = server.grpc(DomainsServiceGrpc.DomainsServiceBlockingStub.class, key);
        String name = unique("grpc-example.com");
        var added = stub.addDomain(AddDomainRequest.newBuilder().setDomain(name).build())
                .getDomain();

        var updated = stub.updateDomain(UpdateDomainRequest.newBuilder()
                        .setId(added.getId())
                        .setDmarcPolicy(DMARCPolicyType.REJECT)
                        .setReceiveEnabled(true)
                        .build())
                .getDomain();
        var got = stub.getDomain(
                        GetDomainRequest.newBuilder().setId(added.getId()).build())
                .getDomain();

        assertThat(added.getVerificationStatus()).isEqualTo(VerificationStatus.PENDING);
        assertThat(updated.getDmarcPolicy()).isEqualTo(DMARCPolicyType.REJECT);
        assertThat(got.getReceiveEnabled()).isTrue();
        assertThat(got.getSendEnabled()).isTrue();
        assertThat(got.getDnsRecordsList())
                .anySatisfy(r -> assertThat(r.getPurpose()).isEqualTo(RecordPurpose.INBOUND_MX));
        assertThat(got.getDnsRecordsList())
                .anySatisfy(r -> assertThat(r.getValue()).isEqualTo("v=DMARC1; p=reject"));
        assertThatThrownBy(() -> stub.getDomain(
                        GetDomainRequest.newBuilder().setId("dom_nope").build()))
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }

    @Test
    void updateDomain_onlyPresentFieldsChange_andBadInputChangesNothing() {
        JsonNode d = add("{\"domain\":\"" + unique("upd.com") + "\",\"dmarc_policy\":\"QUARANTINE\"}");
        String id = d.get("id").asText();

        HttpResponse<String> r = server.http("PATCH", "/domains/" + id, key, "{\"send_enabled\":false}");
        JsonNode u = Json.parse(r.body()).get("domain");
        assertThat(u.get("send_enabled").asBoolean()).isFalse();
        assertThat(u.get("dmarc_policy").asText()).isEqualTo("QUARANTINE");
        assertThat(u.get("dmarc_enabled").asBoolean()).isTrue();

        HttpResponse<String> bad = server.http(
                "PATCH", "/domains/" + id, key, "{\"dmarc_policy\":\"REJECT\",\"dmarc_report_email\":\"nope\"}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("dmarc_report_email");
        JsonNode after = Json.parse(
                        server.http("GET", "/domains/" + id, key, null).body())
                .get("domain");
        assertThat(after.get("dmarc_policy").asText()).isEqualTo("QUARANTINE");

        HttpResponse<String> spf = server.http(
                "PATCH",
                "/domains/" + id,
                key,
                "{\"spf_mode\":\"FORCE_VALUE\",\"spf_value\":\"v=spf1 include:amazonses.com -all\"}");
        assertThat(spf.statusCode()).as(spf.body()).isEqualTo(200);
        JsonNode forced = Json.parse(spf.body()).get("domain");
        assertThat(forced.get("dns_records").findValuesAsText("value")).contains("v=spf1 include:amazonses.com -all");

        HttpResponse<String> back = server.http("PATCH", "/domains/" + id, key, "{\"spf_mode\":\"MERGE\"}");
        assertThat(Json.parse(back.body()).get("domain").get("spf_value").asText())
                .isEmpty();

        assertThat(server.http("PATCH", "/domains/dom_unknown", key, "{\"send_enabled\":true}")
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    void updateDomain_concurrentChangesOfDifferentFields_areAllKept() throws Exception {
        String id = add("{\"domain\":\"" + unique("race.com") + "\"}").get("id").asText();
        List<String> patches = List.of(
                "{\"dmarc_policy\":\"REJECT\"}",
                "{\"receive_enabled\":true}",
                "{\"dmarc_report_email\":\"r@race.com\"}",
                "{\"send_enabled\":false}",
                "{\"spf_mode\":\"MERGE\"}",
                "{\"mail_from_domain\":\"bounce.x\"}");
        String fixedMailFrom = "{\"mail_from_domain\":\"bounce."
                + Json.parse(server.http("GET", "/domains/" + id, key, null).body())
                        .get("domain")
                        .get("domain")
                        .asText()
                + "\"}";
        List<String> all = new ArrayList<>(patches.subList(0, 5));
        all.add(fixedMailFrom);
        List<Thread> threads = new ArrayList<>();
        List<Integer> codes = java.util.Collections.synchronizedList(new ArrayList<>());
        for (String p : all) {
            Thread t = new Thread(() ->
                    codes.add(server.http("PATCH", "/domains/" + id, key, p).statusCode()));
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }

        assertThat(codes).containsOnly(200);
        JsonNode d = Json.parse(server.http("GET", "/domains/" + id, key, null).body())
                .get("domain");
        assertThat(d.get("dmarc_policy").asText()).isEqualTo("REJECT");
        assertThat(d.get("receive_enabled").asBoolean()).isTrue();
        assertThat(d.get("dmarc_report_email").asText()).isEqualTo("r@race.com");
        assertThat(d.get("send_enabled").asBoolean()).isFalse();
        assertThat(d.get("spf_mode").asText()).isEqualTo("MERGE");
        assertThat(d.get("mail_from_domain").asText()).startsWith("bounce.");
    }

    @Test
    void removeDomain_deletesIdentityAndRow_andNameCanBeAddedAgain() {
        String name = unique("gone.com");
        String id = add("{\"domain\":\"" + name + "\"}").get("id").asText();
        var stub = Rpc.domains(server, key);
        RemoveDomainRequest remove = RemoveDomainRequest.newBuilder().setId(id).build();

        RemoveDomainResponse r = stub.removeDomain(remove);

        assertThat(r.getId()).isEqualTo(id);
        assertThat(Rpc.failure(() -> stub.getDomain(get(id))).getStatus().getCode())
                .isEqualTo(Status.Code.NOT_FOUND);
        assertThat(Rpc.failure(() -> stub.removeDomain(remove)).getStatus().getCode())
                .isEqualTo(Status.Code.NOT_FOUND);
        long identities = server.server()
                .database()
                .jdbi()
                .withHandle(h -> h.createQuery("SELECT COUNT(*) FROM sandbox_identities WHERE domain = :d")
                        .bind("d", name)
                        .mapTo(Long.class)
                        .one());
        assertThat(identities).isZero();
        String other = accounts.createAccount("again-" + System.nanoTime()).key();
        assertThat(Rpc.domains(server, other)
                        .addDomain(AddDomainRequest.newBuilder().setDomain(name).build())
                        .getDomain()
                        .getDomain())
                .isEqualTo(name);
    }

    @Test
    void listDomains_pagesInCreationOrder_withoutDuplicatesWhileChanging() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            ids.add(add("{\"domain\":\"" + unique("page" + i + ".com") + "\"}")
                    .get("id")
                    .asText());
        }

        JsonNode p1 =
                Json.parse(server.http("GET", "/domains?page_size=3", key, null).body());
        // Between pages: one seen domain is removed, a new one is added.
        server.http("DELETE", "/domains/" + ids.get(0), key, null);
        String late =
                add("{\"domain\":\"" + unique("late.com") + "\"}").get("id").asText();
        String t1 = p1.get("next_page_token").asText();
        JsonNode p2 = Json.parse(server.http("GET", "/domains?page_size=3&page_token=" + t1, key, null)
                .body());
        String t2 = p2.get("next_page_token").asText();
        JsonNode p3 = Json.parse(server.http("GET", "/domains?pageSize=3&pageToken=" + t2, key, null)
                .body());

        List<String> seen = new ArrayList<>();
        for (JsonNode p : List.of(p1, p2, p3)) {
            p.get("domains").forEach(d -> seen.add(d.get("id").asText()));
        }
        assertThat(p1.get("domains")).hasSize(3);
        assertThat(p3.get("next_page_token").asText()).isEmpty();
        Set<String> unique = new HashSet<>(seen);
        assertThat(unique).hasSameSizeAs(seen);
        List<String> expected = new ArrayList<>(ids);
        expected.add(late);
        assertThat(seen).containsExactlyElementsOf(expected);
    }

    @Test
    void listDomains_pageSizeRules_andBadTokens() {
        for (int i = 0; i < 3; i++) {
            add("{\"domain\":\"" + unique("ps" + i + ".com") + "\"}");
        }
        JsonNode all = Json.parse(
                server.http("GET", "/domains?page_size=1000", key, null).body());
        assertThat(all.get("domains")).hasSize(3);
        assertThat(all.get("next_page_token").asText()).isEmpty();

        HttpResponse<String> negative = server.http("GET", "/domains?page_size=-1", key, null);
        assertThat(negative.statusCode()).isEqualTo(400);
        assertThat(negative.body()).contains("page_size");

        String token = Json.parse(
                        server.http("GET", "/domains?page_size=1", key, null).body())
                .get("next_page_token")
                .asText();
        String other = accounts.createAccount("tok-" + System.nanoTime()).key();
        for (String bad : List.of(
                token.substring(0, token.length() - 3), token.replace('.', 'x'), "garbage", token.substring(1))) {
            HttpResponse<String> r = server.http("GET", "/domains?page_token=" + bad, key, null);
            assertThat(r.statusCode()).as(bad).isEqualTo(400);
            assertThat(r.body()).contains("page_token");
        }
        HttpResponse<String> foreign = server.http("GET", "/domains?page_token=" + token, other, null);
        assertThat(foreign.statusCode()).isEqualTo(400);
    }
}
