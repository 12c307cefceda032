package dev.domainkeeper.hardening;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.domainkeeper.testing.Route53Stubs.changeResponse;
import static dev.domainkeeper.testing.Route53Stubs.getChange;
import static dev.domainkeeper.testing.Route53Stubs.getZone;
import static dev.domainkeeper.testing.Route53Stubs.recordPage;
import static dev.domainkeeper.testing.Route53Stubs.xml;
import static dev.domainkeeper.testing.Route53Stubs.zone;
import static dev.domainkeeper.testing.Route53Stubs.zoneList;
import static dev.domainkeeper.testing.SesStubs.created;
import static dev.domainkeeper.testing.SesStubs.empty;
import static dev.domainkeeper.testing.SesStubs.error;
import static dev.domainkeeper.testing.SesStubs.getAnyIdentity;
import static dev.domainkeeper.testing.SesStubs.identity;
import static dev.domainkeeper.testing.SesStubs.putAnyMailFrom;
import static dev.domainkeeper.testing.SesStubs.sendEmail;
import static dev.domainkeeper.testing.SesStubs.sent;
import static dev.domainkeeper.testing.SesStubs.statusOnly;
import static dev.domainkeeper.testing.SesStubs.tooManyRequests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import dev.domainkeeper.domain.RecordType;
import dev.domainkeeper.domains.VerificationSchedule;
import dev.domainkeeper.testing.AwsTestCredentials;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.LoopbackDnsServer;
import dev.domainkeeper.testing.Route53Stubs;
import dev.domainkeeper.testing.SesStubs;
import dev.domainkeeper.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a mixed load (adds, gets, CheckDNSProvider, ApplyDomainRecords, NORMAL and simulator test
 * sends) against the service on the aws backend while WireMock, standing in for SES v2 and Route 53,
 * throttles, fails with 5xx and answers too late, then recovers. Checks that clients only ever see
 * success or UNAVAILABLE with a retry hint, and that after recovery every added domain is provisioned
 * and every queued submission was accepted by SES exactly once.
 */
class AwsFaultsTest {
    private static final Logger log = LoggerFactory.getLogger(AwsFaultsTest.class);
    private static final String KEY = TestServer.BOOTSTRAP_KEY;
    private static final String SEND = SesStubs.SEND;
    private static final String IDENTITIES = SesStubs.IDENTITIES;
    private static final String ZONE_ID = "ZFAULTS";
    private static final String[] ROUTE53_NS = {"ns-1.awsdns-01.org", "ns-2.awsdns-02.com"};
    /** The SDK gives up on a call after this long (DOMAINKEEPER_AWS_TIMEOUT_MS) ... */
    private static final int AWS_TIMEOUT_MS = 800;
    /** ... and in the timeout phase the stubs answer only after this long. */
    private static final int LATE_MS = 2_000;

    private static final int THREADS = 6;
    /** Requests answered before each phase ends: healthy, throttling, 5xx, timeouts, recovered. */
    private static final int[] PHASE_ENDS = {40, 110, 180, 250, 300};

    private static final int SENDERS = 3;

    @RegisterExtension
    static final WireMockExtension ses = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1").containerThreads(40))
            .build();

    @RegisterExtension
    static final WireMockExtension route53 = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1").containerThreads(40))
            .build();

    @TempDir
    Path dir;

    LoopbackDnsServer dns;
    TestServer server;
    final List<StubMapping> sesFaults = new ArrayList<>();
    final List<StubMapping> route53Faults = new ArrayList<>();

    /** What one request of the load got. */
    record Outcome(String operation, int status, String retryAfter, String body) {}

    @BeforeEach
    void start() {
        dns = LoopbackDnsServer.start();
        for (String ns : ROUTE53_NS) {
            dns.add("example.com", RecordType.NS, ns);
        }
        stubHealthySes();
        stubHealthyRoute53();
        Map<String, String> env = new HashMap<>();
        env.put("DOMAINKEEPER_SES_BACKEND", "aws");
        env.put("DOMAINKEEPER_SES_ENDPOINT", ses.baseUrl());
        env.put("DOMAINKEEPER_ROUTE53_ENDPOINT", route53.baseUrl());
        env.put("AWS_REGION", "eu-west-1");
        env.put("DOMAINKEEPER_AWS_TIMEOUT_MS", Integer.toString(AWS_TIMEOUT_MS));
        env.put("DOMAINKEEPER_SES_MAX_RPS", "50");
        env.put("DOMAINKEEPER_TEST_EMAIL_BURST", "100000");
        env.put("DOMAINKEEPER_DNS_RESOLVERS", dns.hostAndPort());
        env.put("DOMAINKEEPER_DNS_TIMEOUT_MS", "1000");
        // Unverified domains are polled every 2 s (at most 5 s apart) so the verifier works through the faults too.
        VerificationSchedule quick = new VerificationSchedule(
                Duration.ofSeconds(2), Duration.ofMinutes(10), Duration.ofSeconds(5), Duration.ofDays(1));
        server = TestServer.start(
                dir,
                env,
                a -> a.withSchedule(quick, Duration.ofMillis(250)).withAwsCredentials(AwsTestCredentials.PROVIDER));
        server.grantZones("default", ZONE_ID);
    }

    @AfterEach
    void stop() {
        server.close();
        dns.close();
    }

    @Test
    void throttling5xxAndTimeouts_answerUnavailableWithAHint_andEverythingCompletesAfterRecovery() throws Exception {
        List<String> senders = new ArrayList<>();
        for (int i = 0; i < SENDERS; i++) {
            senders.add(verifiedSender("send" + i + "-" + System.nanoTime() + ".example.com"));
        }
        List<String> addedIds = new CopyOnWriteArrayList<>();
        Set<String> attemptedNames = ConcurrentHashMap.newKeySet();
        Map<String, String> submissionRecipients = new ConcurrentHashMap<>();
        List<Outcome> outcomes = new CopyOnWriteArrayList<>();
        AtomicInteger issued = new AtomicInteger();
        AtomicInteger answered = new AtomicInteger();
        String run = Long.toString(System.nanoTime(), 36);

        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        List<Future<?>> load = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            load.add(pool.submit(() -> {
                for (int i = issued.getAndIncrement();
                        i < PHASE_ENDS[PHASE_ENDS.length - 1];
                        i = issued.getAndIncrement()) {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    String sender = senders.get(random.nextInt(senders.size()));
                    String someDomain = addedIds.isEmpty() ? sender : addedIds.get(random.nextInt(addedIds.size()));
                    Outcome o = switch (i % 6) {
                        case 0 -> {
                            String name = "f" + i + "-" + run + ".example.com";
                            attemptedNames.add(name);
                            Outcome added = call("add", "POST", "/domains", "{\"domain\":\"" + name + "\"}");
                            if (added.status() == 200) {
                                addedIds.add(Json.parse(added.body())
                                        .get("domain")
                                        .get("id")
                                        .asText());
                            }
                            yield added;
                        }
                        case 1 -> call("get", "GET", "/domains/" + someDomain, null);
                        case 2 -> call("check", "GET", "/domains/" + someDomain + "/dns-provider", null);
                        case 3 -> call("apply", "POST", "/domains/" + someDomain + "/apply-records", "{}");
                        case 4 -> {
                            String to = "n" + i + "-" + run + "@example.org";
                            Outcome queued = call(
                                    "normal",
                                    "POST",
                                    "/domains/test-email",
                                    "{\"id\":\"" + sender + "\",\"test_type\":\"NORMAL\",\"to_email\":\"" + to + "\"}");
                            if (queued.status() == 200) {
                                submissionRecipients.put(
                                        Json.parse(queued.body())
                                                .get("submission_id")
                                                .asText(),
                                        to);
                            }
                            yield queued;
                        }
                        default ->
                            call(
                                    "simulator",
                                    "POST",
                                    "/domains/test-email",
                                    "{\"id\":\"" + sender + "\",\"test_type\":\"SIMULATOR_SUCCESS\"}");
                    };
                    outcomes.add(o);
                    answered.incrementAndGet();
                }
                return null;
            }));
        }

        awaitAnswered(answered, PHASE_ENDS[0]);
        throttle();
        awaitAnswered(answered, PHASE_ENDS[1]);
        failWith5xx();
        awaitAnswered(answered, PHASE_ENDS[2]);
        answerLate();
        awaitAnswered(answered, PHASE_ENDS[3]);
        clearFaults();
        for (Future<?> f : load) {
            f.get();
        }
        pool.shutdown();

        logSummary(outcomes);
        // Clients see success or UNAVAILABLE with a retry hint; never a 500 or another error, since every input is
        // valid.
        assertThat(outcomes).allSatisfy(o -> assertThat(o.status()).as("%s", o).isIn(200, 503));
        assertThat(outcomes)
                .filteredOn(o -> o.status() == 503)
                .allSatisfy(
                        o -> assertThat(o.retryAfter()).as("%s", o).isNotNull().matches("[1-9][0-9]*"))
                .extracting(Outcome::operation)
                .contains("add", "check", "apply", "simulator");
        assertThat(outcomes)
                .filteredOn(o -> o.status() == 200)
                .extracting(Outcome::operation)
                .contains("add", "get", "check", "apply", "normal", "simulator");

        // After recovery the verifier finishes the adds that stopped half-way, and the worker sends what is queued.
        makeEverythingDue();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> {
                    assertThat(unfinishedDomains()).isEmpty();
                    assertThat(submissionStatuses(submissionRecipients.keySet()).values())
                            .containsOnly("SENT");
                });

        Map<String, String> provisioning = provisioningByName();
        assertThat(provisioning).containsKeys(attemptedNames.toArray(String[]::new));
        assertThat(provisioning.values()).containsOnly("READY");
        assertThat(identitiesCreatedAtSes()).isSubsetOf(provisioning.keySet());
        Map<String, Integer> accepted = acceptedSendsByRecipient();
        assertThat(submissionRecipients).isNotEmpty();
        assertThat(submissionRecipients.values())
                .allSatisfy(to -> assertThat(accepted.get(to)).as(to).isEqualTo(1));
    }

    // ---- load ----

    private Outcome call(String operation, String method, String path, String body) {
        HttpResponse<String> r = server.http(method, path, KEY, body);
        return new Outcome(
                operation, r.statusCode(), r.headers().firstValue("retry-after").orElse(null), r.body());
    }

    private static void awaitAnswered(AtomicInteger answered, int count) {
        await().atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> answered.get() >= count);
    }

    private String verifiedSender(String name) {
        HttpResponse<String> r = server.http("POST", "/domains", KEY, "{\"domain\":\"" + name + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        String id = Json.parse(r.body()).get("domain").get("id").asText();
        server.server()
                .database()
                .jdbi()
                .useHandle(h -> h.createUpdate("UPDATE domains SET "
                                + "verification_status = 'SUCCESS', dkim_status = 'SUCCESS', "
                                + "mail_from_status = 'SUCCESS' "
                                + "WHERE id = :id")
                        .bind("id", id)
                        .execute());
        return id;
    }

    private static void logSummary(List<Outcome> outcomes) {
        Map<String, Map<Integer, Integer>> table = new TreeMap<>();
        for (Outcome o : outcomes) {
            table.computeIfAbsent(o.operation(), k -> new TreeMap<>()).merge(o.status(), 1, Integer::sum);
        }
        log.info("Fault load outcomes (operation -> status -> count): {}", table);
    }

    // ---- WireMock: healthy stubs ----

    private static void stubHealthySes() {
        sesStubs(0).forEach(b -> ses.stubFor(b.atPriority(5)));
    }

    private static void stubHealthyRoute53() {
        route53Stubs(0).forEach(b -> route53.stubFor(b.atPriority(5)));
    }

    /** SES v2 as it answers when healthy, each answer {@code delayMs} late. */
    private static List<MappingBuilder> sesStubs(int delayMs) {
        Function<ResponseDefinitionBuilder, ResponseDefinitionBuilder> late = r -> r.withFixedDelay(delayMs);
        return List.of(
                SesStubs.createIdentity()
                        .willReturn(late.apply(created("t1", "t2", "t3").response())),
                putAnyMailFrom().willReturn(late.apply(empty())),
                getAnyIdentity().willReturn(late.apply(identity("PENDING").response())),
                // The senders are verified at SES, so refreshes keep them sendable (at equal priority the later stub
                // wins).
                get(urlPathMatching(IDENTITIES + "/send[^/]+"))
                        .willReturn(late.apply(identity("SUCCESS").response())),
                sendEmail().willReturn(late.apply(sent("0100018c-fault-000000"))));
    }

    /** Route 53 with one public zone, example.com, answering {@code delayMs} late. */
    private static List<MappingBuilder> route53Stubs(int delayMs) {
        String exampleZone = zone(ZONE_ID, "example.com.", false, 2);
        Function<String, ResponseDefinitionBuilder> late = body -> xml(body).withFixedDelay(delayMs);
        return List.of(
                get(urlPathEqualTo(Route53Stubs.BY_NAME)).willReturn(late.apply(zoneList(exampleZone))),
                get(urlPathEqualTo("/2013-04-01/hostedzone/" + ZONE_ID))
                        .willReturn(late.apply(getZone(exampleZone, ROUTE53_NS))),
                get(urlPathEqualTo("/2013-04-01/hostedzone/" + ZONE_ID + "/rrset"))
                        .willReturn(late.apply(recordPage(null, null))),
                post(urlPathEqualTo("/2013-04-01/hostedzone/" + ZONE_ID + "/rrset/"))
                        .willReturn(late.apply(changeResponse("CFAULTS", "PENDING"))),
                get(urlPathMatching("/2013-04-01/change/.+")).willReturn(late.apply(getChange("CFAULTS", "INSYNC"))));
    }

    // ---- WireMock: faults (priority 1 beats the healthy stubs; removing them recovers) ----

    private void throttle() {
        clearFaults();
        sesFault(any(urlPathMatching("/v2/.*")).willReturn(tooManyRequests("Too Many Requests")));
        route53Fault(any(urlPathMatching("/2013-04-01/.*"))
                .willReturn(Route53Stubs.error(400, "Throttling", "Rate exceeded")));
    }

    private void failWith5xx() {
        clearFaults();
        sesFault(any(urlPathMatching("/v2/.*")).willReturn(error(500, "InternalFailure", "Internal failure")));
        // A load balancer's answer: not Route 53's XML at all.
        route53Fault(any(urlPathMatching("/2013-04-01/.*"))
                .willReturn(aResponse()
                        .withStatus(503)
                        .withHeader("Content-Type", "text/html")
                        .withBody("<html><body>503 Service Unavailable</body></html>")));
    }

    /**
     * Answers every call after the SDK has given up on it. SES and Route 53 still do the work (the
     * identity is created, the change submitted), except SendEmail, which answers a late 503: a
     * message SES accepted after the caller stopped waiting would be sent again (SES has no
     * idempotency key), which is the documented at-least-once window, not what this test measures.
     */
    private void answerLate() {
        clearFaults();
        sesStubs(LATE_MS).forEach(this::sesFault);
        sesFault(sendEmail().willReturn(statusOnly(503, "Service Unavailable").withFixedDelay(LATE_MS)));
        route53Stubs(LATE_MS).forEach(this::route53Fault);
    }

    private void sesFault(MappingBuilder stub) {
        sesFaults.add(ses.stubFor(stub.atPriority(1)));
    }

    private void route53Fault(MappingBuilder stub) {
        route53Faults.add(route53.stubFor(stub.atPriority(1)));
    }

    private void clearFaults() {
        sesFaults.forEach(ses::removeStub);
        route53Faults.forEach(route53::removeStub);
        sesFaults.clear();
        route53Faults.clear();
    }

    // ---- checks after recovery ----

    private void makeEverythingDue() {
        server.server().database().jdbi().useHandle(h -> {
            h.execute("UPDATE domains SET next_check_at = 0 WHERE provisioning <> 'READY' OR ses_sync_needed");
            h.execute("UPDATE submissions SET next_attempt_at = 0 WHERE status = 'QUEUED'");
        });
    }

    private List<String> unfinishedDomains() {
        return server.server()
                .database()
                .jdbi()
                .withHandle(
                        h -> h.createQuery("SELECT name FROM domains WHERE provisioning <> 'READY' OR ses_sync_needed")
                                .mapTo(String.class)
                                .list());
    }

    private Map<String, String> provisioningByName() {
        Map<String, String> byName = new HashMap<>();
        server.server()
                .database()
                .jdbi()
                .useHandle(h -> h.createQuery("SELECT name, provisioning FROM domains")
                        .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
                        .forEach(e -> byName.put(e.getKey(), e.getValue())));
        return byName;
    }

    private Map<String, String> submissionStatuses(Set<String> ids) {
        Map<String, String> statuses = new HashMap<>();
        for (String id : ids) {
            HttpResponse<String> r = server.http("GET", "/submissions/" + id, KEY, null);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            statuses.put(
                    id, Json.parse(r.body()).get("submission").get("status").asText());
        }
        return statuses;
    }

    /** Returns the domains SES was asked to create an identity for. */
    private static Set<String> identitiesCreatedAtSes() {
        Set<String> names = new HashSet<>();
        for (ServeEvent e : ses.getAllServeEvents()) {
            if (e.getRequest().getMethod().getName().equals("POST")
                    && e.getRequest().getUrl().equals(IDENTITIES)) {
                names.add(Json.parse(e.getRequest().getBodyAsString())
                        .get("EmailIdentity")
                        .asText());
            }
        }
        return names;
    }

    /** Counts, per recipient, the SendEmail requests SES answered with success. */
    private static Map<String, Integer> acceptedSendsByRecipient() {
        Map<String, Integer> counts = new HashMap<>();
        for (ServeEvent e : ses.getAllServeEvents()) {
            if (e.getRequest().getUrl().equals(SEND) && e.getResponse().getStatus() == 200) {
                JsonNode to = Json.parse(e.getRequest().getBodyAsString())
                        .get("Destination")
                        .get("ToAddresses");
                to.forEach(address -> counts.merge(address.asText(), 1, Integer::sum));
            }
        }
        return counts;
    }
}
