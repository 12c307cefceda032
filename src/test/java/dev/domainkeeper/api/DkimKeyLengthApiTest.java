package dev.domainkeeper.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Timestamp;
import dev.domainkeeper.domain.DkimKeyLength;
import dev.domainkeeper.proto.domains.v1.AddDomainRequest;
import dev.domainkeeper.proto.domains.v1.DKIMKeyLength;
import dev.domainkeeper.proto.domains.v1.DMARCPolicyType;
import dev.domainkeeper.proto.domains.v1.Domain;
import dev.domainkeeper.proto.domains.v1.DomainsServiceGrpc.DomainsServiceBlockingStub;
import dev.domainkeeper.proto.domains.v1.GetDomainRequest;
import dev.domainkeeper.proto.domains.v1.ListDomainsRequest;
import dev.domainkeeper.proto.domains.v1.UpdateDomainRequest;
import dev.domainkeeper.ses.DkimSigning;
import dev.domainkeeper.ses.ForwardingSesGateway;
import dev.domainkeeper.ses.sandbox.SandboxSesGateway;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.MutableClock;
import dev.domainkeeper.testing.Rpc;
import dev.domainkeeper.testing.TestServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DKIM key length end to end on the sandbox backend: chosen at AddDomain, shown on the Domain,
 * changed by UpdateDomain at most once a day (FAILED_PRECONDITION naming {@code dkim_key_length} and the
 * next allowed time, with nothing changed), over gRPC and HTTP/JSON, and out of reach of other accounts.
 */
class DkimKeyLengthApiTest {
    private static final Instant START = Instant.parse("2026-03-01T09:00:00Z");

    @TempDir
    static Path dir;

    static final MutableClock clock = new MutableClock(START);
    /** How many times SES was asked to change a key length. */
    static final AtomicInteger keyLengthPuts = new AtomicInteger();

    static TestServer server;
    String key;
    DomainsServiceBlockingStub domains;

    @BeforeAll
    static void start() {
        server = TestServer.start(
                dir,
                Map.of("DOMAINKEEPER_BACKGROUND_WORKERS", "false"),
                a -> a.withClock(clock).withSesDecorator(ses -> new ForwardingSesGateway(ses) {
                    @Override
                    protected void beforeCall(String operation) {
                        if (operation.equals("putDkimKeyLength")) {
                            keyLengthPuts.incrementAndGet();
                        }
                    }
                }));
    }

    @BeforeEach
    void newAccount() {
        key = server.newAccountKey("owner");
        domains = Rpc.domains(server, key);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String unique(String base) {
        return "t" + Long.toString(System.nanoTime(), 36) + "." + base;
    }

    private Domain add(DKIMKeyLength length) {
        return domains.addDomain(AddDomainRequest.newBuilder()
                        .setDomain(unique("example.com"))
                        .setDkimKeyLength(length)
                        .build())
                .getDomain();
    }

    private Domain get(String id) {
        return domains.getDomain(GetDomainRequest.newBuilder().setId(id).build())
                .getDomain();
    }

    private static UpdateDomainRequest keyLength(String id, DKIMKeyLength length) {
        return UpdateDomainRequest.newBuilder()
                .setId(id)
                .setDkimKeyLength(length)
                .build();
    }

    private static Instant instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }

    @Test
    void addWith1024_changeWithinADayIsRefusedAndChangesNothing_aDayLaterItIsMade() {
        Instant addedAt = clock.instant();
        Domain added = add(DKIMKeyLength.RSA_1024_BIT);

        assertThat(added.getDkimKeyLength()).isEqualTo(DKIMKeyLength.RSA_1024_BIT);
        assertThat(added.getDkimNextKeyLength()).isEqualTo(DKIMKeyLength.RSA_1024_BIT);
        assertThat(instant(added.getDkimLastKeyGeneratedAt())).isEqualTo(addedAt);
        assertThat(instant(added.getDkimNextKeyChangeAllowedAt())).isEqualTo(addedAt.plus(Duration.ofHours(24)));

        clock.advance(Duration.ofHours(1));
        Domain before = get(added.getId());
        int puts = keyLengthPuts.get();
        StatusRuntimeException tooSoon =
                Rpc.failure(() -> domains.updateDomain(keyLength(added.getId(), DKIMKeyLength.RSA_2048_BIT).toBuilder()
                        .setDmarcPolicy(DMARCPolicyType.REJECT)
                        .build()));

        assertThat(tooSoon.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(tooSoon.getStatus().getDescription())
                .startsWith("dkim_key_length:")
                .contains(addedAt.plus(Duration.ofHours(24)).toString());
        assertThat(get(added.getId())).as("nothing of the request changed").isEqualTo(before);
        assertThat(keyLengthPuts.get())
                .as("refused by the stored time, before SES is asked")
                .isEqualTo(puts);

        clock.advance(Duration.ofHours(23));
        Instant changedAt = clock.instant();
        Domain changed = domains.updateDomain(keyLength(added.getId(), DKIMKeyLength.RSA_2048_BIT))
                .getDomain();

        // The sandbox generates the new key pair at once: current and next are both the new length.
        assertThat(changed.getDkimKeyLength()).isEqualTo(DKIMKeyLength.RSA_2048_BIT);
        assertThat(changed.getDkimNextKeyLength()).isEqualTo(DKIMKeyLength.RSA_2048_BIT);
        assertThat(instant(changed.getDkimLastKeyGeneratedAt()))
                .isEqualTo(changedAt)
                .isAfter(addedAt);
        assertThat(instant(changed.getDkimNextKeyChangeAllowedAt())).isEqualTo(changedAt.plus(Duration.ofHours(24)));
        assertThat(get(added.getId()).getDkimKeyLength()).isEqualTo(DKIMKeyLength.RSA_2048_BIT);
    }

    @Test
    void theLengthTheDomainAlreadyHas_andUnspecified_changeNothing_evenWithinADay() {
        Domain added = add(DKIMKeyLength.RSA_1024_BIT);
        clock.advance(Duration.ofHours(1));
        int puts = keyLengthPuts.get();

        Domain same = domains.updateDomain(keyLength(added.getId(), DKIMKeyLength.RSA_1024_BIT))
                .getDomain();
        Domain unspecified = domains.updateDomain(keyLength(added.getId(), DKIMKeyLength.DKIM_KEY_LENGTH_UNSPECIFIED))
                .getDomain();

        for (Domain d : new Domain[] {same, unspecified}) {
            assertThat(d.getDkimKeyLength()).isEqualTo(DKIMKeyLength.RSA_1024_BIT);
            assertThat(d.getDkimNextKeyLength()).isEqualTo(DKIMKeyLength.RSA_1024_BIT);
            assertThat(d.getDkimLastKeyGeneratedAt()).isEqualTo(added.getDkimLastKeyGeneratedAt());
        }
        assertThat(keyLengthPuts.get()).as("SES not asked").isEqualTo(puts);
    }

    @Test
    void addWithoutALength_getsRsa2048() {
        Domain added = domains.addDomain(AddDomainRequest.newBuilder()
                        .setDomain(unique("example.com"))
                        .build())
                .getDomain();

        assertThat(added.getDkimKeyLength()).isEqualTo(DKIMKeyLength.RSA_2048_BIT);
        assertThat(added.getDkimNextKeyLength()).isEqualTo(DKIMKeyLength.RSA_2048_BIT);
    }

    @Test
    void sesRefusingTheChange_reachesTheClientAsItself() {
        Domain added = add(DKIMKeyLength.RSA_1024_BIT);
        // As for a domain added before the generation time was kept: only SES knows it changed recently.
        server.server()
                .database()
                .jdbi()
                .useHandle(
                        h -> h.execute("UPDATE domains SET dkim_key_generated_at = NULL WHERE id = ?", added.getId()));
        clock.advance(Duration.ofHours(2));
        Domain before = get(added.getId());
        assertThat(before.hasDkimNextKeyChangeAllowedAt()).isFalse();

        StatusRuntimeException refused =
                Rpc.failure(() -> domains.updateDomain(keyLength(added.getId(), DKIMKeyLength.RSA_2048_BIT)));

        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(refused.getStatus().getDescription())
                .startsWith("dkim_key_length:")
                .contains(instant(added.getDkimNextKeyChangeAllowedAt()).toString())
                .doesNotContain("SES refused the change");
        assertThat(get(added.getId())).isEqualTo(before);
    }

    @Test
    void unknownValues_areInvalidArgumentNamingTheField_andChangeNothing() {
        Domain added = add(DKIMKeyLength.RSA_1024_BIT);
        clock.advance(Duration.ofHours(25));
        Domain before = get(added.getId());

        StatusRuntimeException grpc = Rpc.failure(() -> domains.updateDomain(UpdateDomainRequest.newBuilder()
                .setId(added.getId())
                .setDkimKeyLengthValue(7)
                .setDmarcPolicy(DMARCPolicyType.REJECT)
                .build()));
        HttpResponse<String> json =
                server.http("PATCH", "/domains/" + added.getId(), key, "{\"dkim_key_length\":\"RSA_4096_BIT\"}");
        String name = unique("example.com");
        HttpResponse<String> jsonAdd =
                server.http("POST", "/domains", key, "{\"domain\":\"" + name + "\",\"dkim_key_length\":\"RSA_512\"}");
        StatusRuntimeException grpcAdd = Rpc.failure(() -> domains.addDomain(AddDomainRequest.newBuilder()
                .setDomain(name)
                .setDkimKeyLengthValue(3)
                .build()));

        assertThat(grpc.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(grpc.getStatus().getDescription()).startsWith("dkim_key_length:");
        assertThat(grpcAdd.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(grpcAdd.getStatus().getDescription()).startsWith("dkim_key_length:");
        for (HttpResponse<String> r : List.of(json, jsonAdd)) {
            assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
            assertThat(Json.parse(r.body()).get("message").asText()).startsWith("dkim_key_length:");
        }
        assertThat(get(added.getId())).isEqualTo(before);
        assertThat(domains.listDomains(ListDomainsRequest.getDefaultInstance()).getDomainsList())
                .as("no domain added")
                .extracting(Domain::getId)
                .containsExactly(added.getId());
    }

    @Test
    void overHttpJson_theLengthIsTakenAndShownByItsName() {
        HttpResponse<String> added = server.http(
                "POST",
                "/domains",
                key,
                "{\"domain\":\"" + unique("example.com") + "\",\"dkim_key_length\":\"RSA_1024_BIT\"}");
        assertThat(added.statusCode()).as(added.body()).isEqualTo(200);
        JsonNode domain = Json.parse(added.body()).get("domain");
        assertThat(domain.get("dkim_key_length").asText()).isEqualTo("RSA_1024_BIT");
        assertThat(domain.get("dkim_next_key_length").asText()).isEqualTo("RSA_1024_BIT");
        Instant generated =
                Instant.parse(domain.get("dkim_last_key_generated_at").asText());
        assertThat(Instant.parse(domain.get("dkim_next_key_change_allowed_at").asText()))
                .isEqualTo(generated.plus(Duration.ofHours(24)));
        String path = "/domains/" + domain.get("id").asText();

        HttpResponse<String> tooSoon = server.http("PATCH", path, key, "{\"dkim_key_length\":\"RSA_2048_BIT\"}");
        assertThat(tooSoon.statusCode()).as(tooSoon.body()).isEqualTo(400);
        assertThat(Json.parse(tooSoon.body()).get("grpc-code").asText()).isEqualTo("FAILED_PRECONDITION");
        assertThat(Json.parse(tooSoon.body()).get("message").asText())
                .startsWith("dkim_key_length:")
                .contains(generated.plus(Duration.ofHours(24)).toString());

        clock.advance(Duration.ofHours(24));
        HttpResponse<String> changed = server.http("PATCH", path, key, "{\"dkimKeyLength\":\"RSA_2048_BIT\"}");
        assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
        assertThat(Json.parse(changed.body())
                        .get("domain")
                        .get("dkim_key_length")
                        .asText())
                .isEqualTo("RSA_2048_BIT");
    }

    /** The attack: another account knows the domain's id and tries to change its key length. */
    @Test
    void anotherAccount_cannotChangeTheKeyLength_andLearnsNothing() {
        Domain added = add(DKIMKeyLength.RSA_1024_BIT);
        clock.advance(Duration.ofHours(25)); // The owner could change it now.
        Domain before = get(added.getId());
        DomainsServiceBlockingStub mallory = Rpc.domains(server, server.newAccountKey("mallory"));

        StatusRuntimeException foreign =
                Rpc.failure(() -> mallory.updateDomain(keyLength(added.getId(), DKIMKeyLength.RSA_2048_BIT)));
        StatusRuntimeException unknown = Rpc.failure(
                () -> mallory.updateDomain(keyLength("dom_doesnotexist000000", DKIMKeyLength.RSA_2048_BIT)));
        HttpResponse<String> overJson = server.http(
                "PATCH",
                "/domains/" + added.getId(),
                server.newAccountKey("eve"),
                "{\"dkim_key_length\":\"RSA_2048_BIT\"}");

        assertThat(foreign.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(foreign.getStatus().getDescription().replace(added.getId(), "X"))
                .isEqualTo(unknown.getStatus().getDescription().replace("dom_doesnotexist000000", "X"));
        assertThat(overJson.statusCode()).as(overJson.body()).isEqualTo(404);
        assertThat(get(added.getId())).isEqualTo(before);
        SandboxSesGateway ses = new SandboxSesGateway(
                server.server().database().jdbi(), (name, type) -> new CompletableFuture<>(), clock);
        assertThat(ses.getDkimSigning(added.getRegion(), added.getDomain()))
                .as("SES was not asked")
                .isEqualTo(new DkimSigning(
                        DkimKeyLength.RSA_1024_BIT,
                        DkimKeyLength.RSA_1024_BIT,
                        instant(added.getDkimLastKeyGeneratedAt())));
    }
}
