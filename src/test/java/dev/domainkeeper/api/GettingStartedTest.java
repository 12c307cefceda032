package dev.domainkeeper.api;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.domainkeeper.testing.Route53Stubs.changeResponse;
import static dev.domainkeeper.testing.Route53Stubs.getChange;
import static dev.domainkeeper.testing.Route53Stubs.getZone;
import static dev.domainkeeper.testing.Route53Stubs.recordPage;
import static dev.domainkeeper.testing.Route53Stubs.xml;
import static dev.domainkeeper.testing.Route53Stubs.zone;
import static dev.domainkeeper.testing.Route53Stubs.zoneList;
import static dev.domainkeeper.testing.Route53Stubs.zonesByName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.domainkeeper.domain.RecordType;
import dev.domainkeeper.proto.common.v1.MessageClass;
import dev.domainkeeper.proto.domains.v1.AddDomainRequest;
import dev.domainkeeper.proto.domains.v1.ApplyDomainRecordsRequest;
import dev.domainkeeper.proto.domains.v1.ApplyDomainRecordsResponse;
import dev.domainkeeper.proto.domains.v1.DNSValidationResult;
import dev.domainkeeper.proto.domains.v1.DomainsServiceGrpc;
import dev.domainkeeper.proto.domains.v1.GetDomainRequest;
import dev.domainkeeper.proto.domains.v1.SendTestEmailRequest;
import dev.domainkeeper.proto.domains.v1.SendTestEmailResponse;
import dev.domainkeeper.proto.domains.v1.TestEmailType;
import dev.domainkeeper.proto.submissions.v1.GetSubmissionRequest;
import dev.domainkeeper.proto.submissions.v1.SubmissionsServiceGrpc;
import dev.domainkeeper.testing.AwsTestCredentials;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.LoopbackDnsServer;
import dev.domainkeeper.testing.MutableClock;
import dev.domainkeeper.testing.Route53ChangeBatch;
import dev.domainkeeper.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Walks the "Getting started" list of {@code domains.v1.DomainsService} end to end, once per protocol
 * (gRPC, gRPC-Web, HTTP/JSON): AddDomain; GetDomain with {@code include_dns_validation} to see the
 * records; publish them (by hand on a loopback DNS server, or through ApplyDomainRecords to a
 * Route 53 stub whose change batch is then served by that DNS server); poll GetDomain until
 * {@code verification_status} and {@code dkim_status} are SUCCESS; SendTestEmail to the mailbox
 * simulator and, type NORMAL, through the submission pipeline to SENT.
 *
 * <p>The sandbox SES backend verifies a domain when its DKIM CNAMEs resolve through
 * {@code DOMAINKEEPER_DNS_RESOLVERS}. GetDomain refreshes the statuses at most once per 5 s per
 * domain, so each poll first moves the server's clock past that window, as a client polling every
 * few seconds would be.
 */
class GettingStartedTest {
    @RegisterExtension
    static final LoopbackDnsServer dns = LoopbackDnsServer.start();

    @RegisterExtension
    static final WireMockExtension route53 = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"))
            .build();

    private static final String KEY = TestServer.BOOTSTRAP_KEY;
    /** A little more than GetDomain's refresh window. */
    private static final Duration POLL_EVERY = Duration.ofSeconds(6);

    private static final String[] ROUTE53_NS = {
        "ns-1.awsdns-01.org", "ns-2.awsdns-02.com", "ns-3.awsdns-03.net", "ns-4.awsdns-04.co.uk"
    };

    @TempDir
    static Path dir;

    static MutableClock clock;
    static TestServer server;

    @BeforeAll
    static void start() {
        clock = new MutableClock(Instant.now());
        server = TestServer.start(
                dir,
                Map.of(
                        "DOMAINKEEPER_DNS_RESOLVERS",
                        dns.hostAndPort(),
                        "DOMAINKEEPER_DNS_TIMEOUT_MS",
                        "1000",
                        "DOMAINKEEPER_ROUTE53_ENDPOINT",
                        route53.baseUrl(),
                        // The walk drives the submission worker and the Route 53 change tracker itself.
                        "DOMAINKEEPER_BACKGROUND_WORKERS",
                        "false"),
                a -> a.withClock(clock).withAwsCredentials(AwsTestCredentials.PROVIDER));
        server.grantZones("default"); // The operator lets the bootstrap account use every zone.
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    // ---- the walks ----

    @ParameterizedTest(name = "{0}")
    @EnumSource(Protocol.class)
    void gettingStarted_recordsPublishedByHand_verifiesAndSends(Protocol protocol) {
        Api api = protocol.api(server, KEY);
        String name = protocol.label() + ".by-hand.example.com";

        // 1. AddDomain registers the domain.
        Domain added = api.addDomain(name);
        // 2. GetDomain with include_dns_validation shows the records and that none is published yet.
        Domain planned = recordsToPublish(api, added);

        // 3. Configure the records at the DNS provider.
        for (PlannedRecord r : planned.dnsRecords()) {
            String value = r.type().equals("MX") ? r.priority() + " " + r.value() : r.value();
            dns.add(r.name(), RecordType.valueOf(r.type()), value);
        }
        assertAllValid(api.getDomain(added.id(), true));

        // 4. Poll GetDomain until verified; 5. send test emails.
        verifyAndSend(api, added.id(), name);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Protocol.class)
    void gettingStarted_recordsAppliedToRoute53_verifiesAndSends(Protocol protocol) {
        Api api = protocol.api(server, KEY);
        String name = protocol.label() + ".route53.example.com";
        String zoneId = "Z" + protocol.name().replace("_", "");
        String rrset = "/2013-04-01/hostedzone/" + zoneId + "/rrset";
        String changeId = "C" + zoneId;
        route53.stubFor(zonesByName(name).willReturn(xml(zoneList(zone(zoneId, name + ".", false, 2)))));
        route53.stubFor(get("/2013-04-01/hostedzone/" + zoneId)
                .willReturn(xml(getZone(zone(zoneId, name + ".", false, 2), ROUTE53_NS))));
        route53.stubFor(get(urlPathEqualTo(rrset)).willReturn(xml(recordPage(null, null))));
        route53.stubFor(post(rrset + "/").willReturn(xml(changeResponse(changeId, "PENDING"))));

        Domain added = api.addDomain(name);
        Domain planned = recordsToPublish(api, added);

        // 3. ApplyDomainRecords publishes the records to Route 53.
        Applied applied = api.applyDomainRecords(added.id());

        assertThat(applied.applyStatus()).isEqualTo("APPLYING");
        assertThat(applied.provider()).isEqualTo("ROUTE53");
        assertThat(applied.changeId()).isEqualTo(changeId);
        assertThat(applied.recordsFailed()).isEmpty();
        assertThat(applied.dnsValidation().statuses())
                .as("Route 53 does not serve the change yet")
                .hasSameSizeAs(planned.dnsRecords())
                .containsOnly("MISSING");
        assertThat(applied.dnsValidation().allValid()).isFalse();
        List<LoggedRequest> submitted = route53.findAll(postRequestedFor(urlPathEqualTo(rrset + "/")));
        assertThat(submitted).hasSize(1);
        String batch = submitted.get(0).getBodyAsString();
        assertThat(Route53ChangeBatch.parse(batch))
                .as("one UPSERT per record set planned")
                .extracting(c -> c.action() + " " + c.name() + " " + c.type())
                .containsExactlyInAnyOrderElementsOf(planned.dnsRecords().stream()
                        .map(r -> "UPSERT " + r.name() + ". " + r.type())
                        .distinct()
                        .toList());

        // Route 53 reports the change in sync and serves exactly what was submitted.
        route53.stubFor(get("/2013-04-01/change/" + changeId).willReturn(xml(getChange(changeId, "INSYNC"))));
        Route53ChangeBatch.serve(batch, dns);
        server.server().applyTracker().runOnce();

        Domain published = api.getDomain(added.id(), true);
        assertAllValid(published);
        assertThat(published.applyStatus()).isEqualTo("APPLIED");

        verifyAndSend(api, added.id(), name);
    }

    // ---- the steps the walks share ----

    /** Step 2: GetDomain with include_dns_validation; checks that nothing is published yet. */
    private static Domain recordsToPublish(Api api, Domain added) {
        assertThat(added.verificationStatus()).isEqualTo("PENDING");
        assertThat(added.dkimStatus()).isEqualTo("PENDING");
        assertThat(added.canSend()).isFalse();
        assertThat(added.dnsValidation())
                .as("only GetDomain checks DNS, and only when asked")
                .isEmpty();

        Domain withValidation = api.getDomain(added.id(), true);

        assertThat(withValidation.dnsRecords()).isEqualTo(added.dnsRecords());
        assertThat(withValidation.dnsRecords())
                .extracting(PlannedRecord::purpose)
                .containsExactly("DKIM", "DKIM", "DKIM", "MAIL_FROM_MX", "MAIL_FROM_SPF", "SPF", "DMARC");
        Validation validation = withValidation.dnsValidation().orElseThrow();
        assertThat(validation.statuses()).hasSameSizeAs(added.dnsRecords()).containsOnly("MISSING");
        assertThat(validation.allValid()).isFalse();
        clock.advance(POLL_EVERY);
        Domain refreshed = api.getDomain(added.id(), false);
        assertThat(refreshed.dnsValidation()).isEmpty();
        assertThat(refreshed.dkimStatus())
                .as("nothing published, nothing verified")
                .isEqualTo("PENDING");
        return withValidation;
    }

    private static void assertAllValid(Domain d) {
        Validation validation = d.dnsValidation().orElseThrow();
        assertThat(validation.statuses()).hasSameSizeAs(d.dnsRecords()).containsOnly("VALID");
        assertThat(validation.allValid()).isTrue();
        assertThat(validation.warnings()).isEmpty();
    }

    /** Steps 4 and 5: poll GetDomain until verified, then send test emails both ways. */
    private static void verifyAndSend(Api api, String id, String name) {
        Domain verified = await().atMost(Duration.ofSeconds(30))
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(100))
                .until(
                        () -> {
                            clock.advance(POLL_EVERY);
                            return api.getDomain(id, false);
                        },
                        d -> d.verificationStatus().equals("SUCCESS")
                                && d.dkimStatus().equals("SUCCESS"));
        assertThat(verified.canSend()).isTrue();

        Sent simulated = api.sendTestEmail(id, "SIMULATOR_SUCCESS", null, null);

        assertThat(simulated.messageId()).isNotEmpty();
        assertThat(simulated.note()).contains("success@simulator.amazonses.com");
        assertThat(simulated.submissionId())
                .as("a simulator send is not queued")
                .isEmpty();

        Sent queued = api.sendTestEmail(id, "NORMAL", "someone@example.org", "MARKETING");

        assertThat(queued.messageId()).as("known once the worker has sent it").isEmpty();
        String submissionId = queued.submissionId().orElseThrow();
        assertThat(submissionId).startsWith("sub_");
        Tracked waiting = api.getSubmission(submissionId);
        assertThat(waiting.status()).isEqualTo("QUEUED");
        assertThat(waiting.messageClass()).isEqualTo("MARKETING");
        assertThat(waiting.fromEmail()).isEqualTo("test@" + name);
        assertThat(waiting.toEmail()).isEqualTo("someone@example.org");

        server.server().submissionWorker().runOnce();

        Tracked sent = await().atMost(Duration.ofSeconds(30))
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> api.getSubmission(submissionId), s -> s.status().equals("SENT"));
        assertThat(sent.messageId()).isNotEmpty().isNotEqualTo(simulated.messageId());
        assertThat(sent.error()).isEmpty();
    }

    // ---- what the walks see, whatever the protocol ----

    /** A record of {@code dns_records}; enums by their names. */
    record PlannedRecord(String type, String name, String value, int priority, String purpose) {}

    /** {@code dns_validation}: {@code all_valid} and each record's status, in the order of {@code dns_records}. */
    record Validation(boolean allValid, List<String> statuses, List<String> warnings) {}

    record Domain(
            String id,
            List<PlannedRecord> dnsRecords,
            String verificationStatus,
            String dkimStatus,
            boolean canSend,
            String applyStatus,
            Optional<Validation> dnsValidation) {}

    /** The documented top-level fields of ApplyDomainRecordsResponse. */
    record Applied(
            String applyStatus,
            String provider,
            String changeId,
            Validation dnsValidation,
            List<String> recordsFailed) {}

    record Sent(String messageId, String note, Optional<String> submissionId) {}

    record Tracked(
            String status, String messageId, String messageClass, String fromEmail, String toEmail, String error) {}

    /** The calls of the walk on one protocol. */
    interface Api {
        Domain addDomain(String name);

        Domain getDomain(String id, boolean includeDnsValidation);

        Applied applyDomainRecords(String id);

        /** {@code toEmail} and {@code messageClass} may be null (not sent). */
        Sent sendTestEmail(String id, String testType, String toEmail, String messageClass);

        Tracked getSubmission(String id);
    }

    enum Protocol {
        GRPC,
        GRPC_WEB,
        HTTP_JSON;

        String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        Api api(TestServer server, String key) {
            return this == HTTP_JSON ? new HttpJsonApi(server, key) : new GrpcApi(server, key, this == GRPC_WEB);
        }
    }

    /** Calls the generated stubs, over gRPC or gRPC-Web. */
    static final class GrpcApi implements Api {
        private final DomainsServiceGrpc.DomainsServiceBlockingStub domains;
        private final SubmissionsServiceGrpc.SubmissionsServiceBlockingStub submissions;

        GrpcApi(TestServer server, String key, boolean web) {
            domains = server.grpc(DomainsServiceGrpc.DomainsServiceBlockingStub.class, key, web);
            submissions = server.grpc(SubmissionsServiceGrpc.SubmissionsServiceBlockingStub.class, key, web);
        }

        @Override
        public Domain addDomain(String name) {
            return domain(domains.addDomain(
                            AddDomainRequest.newBuilder().setDomain(name).build())
                    .getDomain());
        }

        @Override
        public Domain getDomain(String id, boolean includeDnsValidation) {
            GetDomainRequest.Builder request = GetDomainRequest.newBuilder().setId(id);
            if (includeDnsValidation) {
                request.setIncludeDnsValidation(true);
            }
            return domain(domains.getDomain(request.build()).getDomain());
        }

        @Override
        public Applied applyDomainRecords(String id) {
            ApplyDomainRecordsResponse r = domains.applyDomainRecords(
                    ApplyDomainRecordsRequest.newBuilder().setId(id).build());
            assertThat(r.hasDnsApplyState()).isTrue();
            assertThat(r.hasDnsValidation()).isTrue();
            return new Applied(
                    r.getDnsApplyState().getStatus().name(),
                    r.getDnsApplyState().getProvider().name(),
                    r.getDnsApplyState().getChangeId(),
                    validation(r.getDnsValidation()),
                    r.getRecordsFailedList());
        }

        @Override
        public Sent sendTestEmail(String id, String testType, String toEmail, String messageClass) {
            SendTestEmailRequest.Builder request =
                    SendTestEmailRequest.newBuilder().setId(id).setTestType(TestEmailType.valueOf(testType));
            if (toEmail != null) {
                request.setToEmail(toEmail);
            }
            if (messageClass != null) {
                request.setMessageClass(MessageClass.valueOf(messageClass));
            }
            SendTestEmailResponse r = domains.sendTestEmail(request.build());
            return new Sent(
                    r.getMessageId(),
                    r.getNote(),
                    r.hasSubmissionId() ? Optional.of(r.getSubmissionId()) : Optional.empty());
        }

        @Override
        public Tracked getSubmission(String id) {
            var s = submissions
                    .getSubmission(GetSubmissionRequest.newBuilder().setId(id).build())
                    .getSubmission();
            return new Tracked(
                    s.getStatus().name(),
                    s.getMessageId(),
                    s.getMessageClass().name(),
                    s.getFromEmail(),
                    s.getToEmail(),
                    s.getError());
        }

        private static Domain domain(dev.domainkeeper.proto.domains.v1.Domain d) {
            List<PlannedRecord> records = d.getDnsRecordsList().stream()
                    .map(r -> new PlannedRecord(
                            r.getType().name(),
                            r.getName(),
                            r.getValue(),
                            r.getPriority(),
                            r.getPurpose().name()))
                    .toList();
            return new Domain(
                    d.getId(),
                    records,
                    d.getVerificationStatus().name(),
                    d.getDkimStatus().name(),
                    d.getCanSend(),
                    d.getDnsApplyState().getStatus().name(),
                    d.hasDnsValidation() ? Optional.of(validation(d.getDnsValidation())) : Optional.empty());
        }

        private static Validation validation(DNSValidationResult v) {
            return new Validation(
                    v.getAllValid(),
                    v.getRecordsList().stream().map(c -> c.getStatus().name()).toList(),
                    v.getWarningsList());
        }
    }

    /** Sends JSON with the documented snake_case names, and reads the answers by those names only. */
    static final class HttpJsonApi implements Api {
        private final TestServer server;
        private final String key;

        HttpJsonApi(TestServer server, String key) {
            this.server = server;
            this.key = key;
        }

        @Override
        public Domain addDomain(String name) {
            return domain(field(call("POST", "/domains", "{\"domain\":" + Json.quote(name) + "}"), "domain"));
        }

        @Override
        public Domain getDomain(String id, boolean includeDnsValidation) {
            return domain(field(
                    call("GET", "/domains/" + id + (includeDnsValidation ? "?include_dns_validation=true" : ""), null),
                    "domain"));
        }

        @Override
        public Applied applyDomainRecords(String id) {
            JsonNode r = call("POST", "/domains/" + id + "/apply-records", "{}");
            JsonNode state = field(r, "dns_apply_state");
            return new Applied(
                    text(state, "status"),
                    text(state, "provider"),
                    text(state, "change_id"),
                    validation(field(r, "dns_validation")),
                    texts(field(r, "records_failed")));
        }

        @Override
        public Sent sendTestEmail(String id, String testType, String toEmail, String messageClass) {
            StringBuilder body =
                    new StringBuilder("{\"id\":" + Json.quote(id) + ",\"test_type\":" + Json.quote(testType));
            if (toEmail != null) {
                body.append(",\"to_email\":").append(Json.quote(toEmail));
            }
            if (messageClass != null) {
                body.append(",\"message_class\":").append(Json.quote(messageClass));
            }
            JsonNode r = call("POST", "/domains/test-email", body.append('}').toString());
            return new Sent(
                    text(r, "message_id"),
                    text(r, "note"),
                    r.has("submission_id") ? Optional.of(text(r, "submission_id")) : Optional.empty());
        }

        @Override
        public Tracked getSubmission(String id) {
            JsonNode s = field(call("GET", "/submissions/" + id, null), "submission");
            return new Tracked(
                    text(s, "status"),
                    text(s, "message_id"),
                    text(s, "message_class"),
                    text(s, "from_email"),
                    text(s, "to_email"),
                    text(s, "error"));
        }

        private JsonNode call(String method, String path, String body) {
            HttpResponse<String> response = server.http(method, path, key, body);
            assertThat(response.statusCode())
                    .as("%s %s: %s", method, path, response.body())
                    .isEqualTo(200);
            return Json.parse(response.body());
        }

        private static Domain domain(JsonNode d) {
            List<PlannedRecord> records = new ArrayList<>();
            for (JsonNode r : field(d, "dns_records")) {
                records.add(new PlannedRecord(
                        text(r, "type"),
                        text(r, "name"),
                        text(r, "value"),
                        field(r, "priority").asInt(),
                        text(r, "purpose")));
            }
            return new Domain(
                    text(d, "id"),
                    records,
                    text(d, "verification_status"),
                    text(d, "dkim_status"),
                    field(d, "can_send").asBoolean(),
                    text(field(d, "dns_apply_state"), "status"),
                    d.has("dns_validation") ? Optional.of(validation(d.get("dns_validation"))) : Optional.empty());
        }

        private static Validation validation(JsonNode v) {
            List<String> statuses = new ArrayList<>();
            for (JsonNode check : field(v, "records")) {
                statuses.add(text(check, "status"));
            }
            return new Validation(field(v, "all_valid").asBoolean(), statuses, texts(field(v, "warnings")));
        }

        /** Returns the field {@code name}, failing when the body does not carry it under that name. */
        private static JsonNode field(JsonNode node, String name) {
            assertThat(node.has(name)).as("field %s in %s", name, node).isTrue();
            return node.get(name);
        }

        /** Returns the strings of {@code array}, failing on anything else (such as the rich form of a record). */
        private static List<String> texts(JsonNode array) {
            assertThat(array.isArray()).as("%s is an array", array).isTrue();
            List<String> out = new ArrayList<>();
            for (JsonNode n : array) {
                assertThat(n.isTextual()).as("%s is a string", n).isTrue();
                out.add(n.asText());
            }
            return out;
        }

        private static String text(JsonNode node, String name) {
            JsonNode value = field(node, name);
            assertThat(value.isTextual())
                    .as("field %s in %s is a string", name, node)
                    .isTrue();
            return value.asText();
        }
    }
}
