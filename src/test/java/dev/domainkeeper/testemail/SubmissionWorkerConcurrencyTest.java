package dev.domainkeeper.testemail;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.domainkeeper.accounts.AccountService;
import dev.domainkeeper.api.EventJson;
import dev.domainkeeper.domain.ApplyState;
import dev.domainkeeper.domain.DkimSetup;
import dev.domainkeeper.domain.Domain;
import dev.domainkeeper.domain.DomainName;
import dev.domainkeeper.domain.DomainSettings;
import dev.domainkeeper.domain.IdentityStatus;
import dev.domainkeeper.domain.MessageClass;
import dev.domainkeeper.domain.Submission;
import dev.domainkeeper.events.EventRecorder;
import dev.domainkeeper.ses.SesAccess;
import dev.domainkeeper.ses.aws.AwsSesGateway;
import dev.domainkeeper.store.AccountStore;
import dev.domainkeeper.store.Database;
import dev.domainkeeper.store.DomainStore;
import dev.domainkeeper.store.SubmissionStore;
import dev.domainkeeper.testing.AwsTestCredentials;
import dev.domainkeeper.testing.Databases;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.SesStubs;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;

/**
 * Runs two submission workers, each with its own connection pool (as two nodes would), on one
 * database against WireMock SES, and checks that every queued submission reaches SES exactly once.
 * The PostgreSQL case fails under CI when PostgreSQL is missing.
 */
class SubmissionWorkerConcurrencyTest {
    private static final int SUBMISSIONS = 500;
    private static final String SEND = SesStubs.SEND;

    @RegisterExtension
    static final WireMockExtension wm = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1").containerThreads(20))
            .build();

    @TempDir
    Path dir;

    static List<Databases.Kind> kinds() {
        return Databases.kinds();
    }

    private Database open(Databases.Kind kind, String sqliteUrl, String schema) {
        return kind == Databases.Kind.POSTGRES
                ? Database.open(Databases.POSTGRES_URL, Databases.POSTGRES_USER, null, schema)
                : Database.open(sqliteUrl, null, null, null);
    }

    private static SubmissionWorker worker(Database db, AwsSesGateway ses) {
        DomainStore domains = new DomainStore(db);
        return new SubmissionWorker(
                new SubmissionStore(db.jdbi(), db.isPostgres()),
                domains,
                SesAccess.unmetered(ses),
                new TestEmailComposer(Map.of()),
                new EventRecorder(domains, new EventJson(), Clock.systemUTC()),
                Clock.systemUTC());
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void twoWorkers_500QueuedSubmissions_eachIsSentExactlyOnce(Databases.Kind kind) throws Exception {
        if (kind == Databases.Kind.POSTGRES) {
            Databases.requirePostgres();
        }
        String schema = Databases.freshSchema();
        String sqliteUrl = Databases.sqliteUrl(dir);
        wm.stubFor(SesStubs.sendEmail()
                .willReturn(SesStubs.sent("0100-{{randomValue length=24 type='ALPHANUMERIC'}}-000000")
                        .withTransformers("response-template")));
        try (Database first = open(kind, sqliteUrl, schema);
                Database second = open(kind, sqliteUrl, schema);
                AwsSesGateway ses = AwsSesGateway.create(
                        "us-east-1",
                        Optional.of(URI.create(wm.baseUrl())),
                        AwsTestCredentials.PROVIDER,
                        Optional.empty(),
                        Optional.empty(),
                        AwsRetryStrategy.standardRetryStrategy(),
                        Duration.ofSeconds(20))) {
            String account = new AccountService(new AccountStore(first.jdbi()), Clock.systemUTC())
                    .createAccount("two-workers")
                    .accountId();
            Instant now = Instant.now().minusSeconds(1);
            Domain domain = new Domain(
                    "dom_concurrency",
                    account,
                    new DomainName("two.example.com"),
                    "us-east-1",
                    DomainSettings.defaults(new DomainName("two.example.com")),
                    new Domain.SesState(
                            Domain.Provisioning.READY,
                            IdentityStatus.SUCCESS,
                            IdentityStatus.SUCCESS,
                            IdentityStatus.SUCCESS,
                            new DkimSetup(List.of("a", "b", "c"), "dkim.amazonses.com"),
                            now),
                    new Domain.CheckSchedule(false, now.plusSeconds(3600), 0),
                    ApplyState.none(),
                    now,
                    now,
                    0);
            new DomainStore(first).insert(domain, "test", Instant.EPOCH);
            SubmissionStore store = new SubmissionStore(first.jdbi(), first.isPostgres());
            for (int i = 0; i < SUBMISSIONS; i++) {
                store.insert(Submission.queued(
                        "sub_" + i,
                        account,
                        domain.id(),
                        "test@two.example.com",
                        "r" + i + "@example.org",
                        MessageClass.TRANSACTIONAL,
                        now));
            }
            List<SubmissionWorker> workers = List.of(worker(first, ses), worker(second, ses));

            ExecutorService threads = Executors.newFixedThreadPool(2);
            List<Future<Integer>> claimed;
            try {
                claimed = threads.invokeAll(
                        workers.stream()
                                .map(w -> (Callable<Integer>) () -> {
                                    int total = 0;
                                    for (int n = w.runOnce(); n > 0; n = w.runOnce()) {
                                        total += n;
                                    }
                                    return total;
                                })
                                .toList(),
                        5,
                        TimeUnit.MINUTES);
            } finally {
                threads.shutdownNow();
            }

            int byFirst = claimed.get(0).get();
            int bySecond = claimed.get(1).get();
            wm.verify(SUBMISSIONS, postRequestedFor(urlPathEqualTo(SEND)));
            Map<String, Long> sendsPerRecipient = wm.getAllServeEvents().stream()
                    .map(ServeEvent::getRequest)
                    .filter(r -> r.getUrl().equals(SEND))
                    .map(r -> Json.parse(r.getBodyAsString()))
                    .map(body ->
                            body.get("Destination").get("ToAddresses").get(0).asText())
                    .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
            assertThat(sendsPerRecipient)
                    .hasSize(SUBMISSIONS)
                    .allSatisfy((to, count) ->
                            assertThat(count).as("sends to %s", to).isEqualTo(1));
            assertThat(byFirst + bySecond)
                    .as("claims (first %s, second %s)", byFirst, bySecond)
                    .isEqualTo(SUBMISSIONS);
            Map<String, Object> states = first.jdbi()
                    .withHandle(h -> h.createQuery(
                                    "SELECT COUNT(*) AS n, COUNT(DISTINCT message_id) AS ids, MIN(status) AS lo, "
                                            + "MAX(status) AS hi, MAX(attempts) AS attempts FROM submissions")
                            .mapToMap()
                            .one());
            assertThat(states).containsEntry("lo", "SENT").containsEntry("hi", "SENT");
            assertThat(((Number) states.get("ids")).intValue()).isEqualTo(SUBMISSIONS);
            assertThat(((Number) states.get("attempts")).intValue()).isEqualTo(1);
        }
    }
}
