package dev.domainkeeper.server;

import static java.util.Objects.requireNonNull;

import com.google.common.base.Supplier;
import com.google.common.base.Suppliers;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ServerCacheControl;
import com.linecorp.armeria.common.grpc.GrpcMeterIdPrefixFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.file.FileService;
import com.linecorp.armeria.server.metric.MetricCollectingService;
import com.linecorp.armeria.server.prometheus.PrometheusExpositionService;
import dev.domainkeeper.accounts.AccountService;
import dev.domainkeeper.api.ApiServices;
import dev.domainkeeper.api.EventJson;
import dev.domainkeeper.api.OpenApiDocument;
import dev.domainkeeper.budgets.BudgetedDns;
import dev.domainkeeper.budgets.BudgetedSes;
import dev.domainkeeper.budgets.FairBudget;
import dev.domainkeeper.dns.DnsLookup;
import dev.domainkeeper.dns.resolver.DnsResolvers;
import dev.domainkeeper.dnsconnections.DnsConnectionService;
import dev.domainkeeper.dnshosting.DnsProvider;
import dev.domainkeeper.dnshosting.DnsProviderAccess;
import dev.domainkeeper.dnshosting.route53.Route53Provider;
import dev.domainkeeper.domain.MessageClass;
import dev.domainkeeper.domains.DkimKeyPairs;
import dev.domainkeeper.domains.DomainService;
import dev.domainkeeper.domains.DomainVerifier;
import dev.domainkeeper.domains.PageTokens;
import dev.domainkeeper.domains.VerificationSchedule;
import dev.domainkeeper.events.EventRecorder;
import dev.domainkeeper.publishing.ApplyTracker;
import dev.domainkeeper.publishing.RecordPublisher;
import dev.domainkeeper.ses.SesAccess;
import dev.domainkeeper.ses.SesGateway;
import dev.domainkeeper.ses.aws.AwsSesGateway;
import dev.domainkeeper.ses.aws.SesRegions;
import dev.domainkeeper.ses.sandbox.SandboxSesGateway;
import dev.domainkeeper.store.AccountStore;
import dev.domainkeeper.store.BudgetStore;
import dev.domainkeeper.store.Database;
import dev.domainkeeper.store.DnsConnectionStore;
import dev.domainkeeper.store.DnsHealthStore;
import dev.domainkeeper.store.DomainStore;
import dev.domainkeeper.store.PageTokenKeyStore;
import dev.domainkeeper.store.SubmissionStore;
import dev.domainkeeper.store.WebhookStore;
import dev.domainkeeper.testemail.SubmissionWorker;
import dev.domainkeeper.testemail.TestEmailComposer;
import dev.domainkeeper.testemail.TestEmailService;
import dev.domainkeeper.testemail.TestSendLimiter;
import dev.domainkeeper.validation.AuthoritativePublication;
import dev.domainkeeper.validation.DnsSnapshots;
import dev.domainkeeper.validation.DnsValidator;
import dev.domainkeeper.validation.DriftWatch;
import dev.domainkeeper.webhooks.HostResolver;
import dev.domainkeeper.webhooks.WebhookDispatcher;
import dev.domainkeeper.webhooks.WebhookService;
import dev.domainkeeper.webhooks.WebhookSettings;
import dev.domainkeeper.webhooks.WebhookTargets;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;

/**
 * Wires the service together and runs it: the one path production and the tests both use. Tests
 * hand in other adapters through {@link Adapters}.
 */
public final class DomainkeeperServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DomainkeeperServer.class);

    private final Config config;
    private final Database database;
    private final Server server;
    private final DomainVerifier verifier;
    private final ApplyTracker applyTracker;
    private final List<AutoCloseable> resources;
    private final SubmissionWorker submissionWorker;
    private final DriftWatch driftWatch;
    private final WebhookDispatcher webhookDispatcher;

    private DomainkeeperServer(
            Config config,
            Database database,
            Server server,
            DomainVerifier verifier,
            ApplyTracker applyTracker,
            List<AutoCloseable> resources,
            SubmissionWorker submissionWorker,
            DriftWatch driftWatch,
            WebhookDispatcher webhookDispatcher) {
        this.webhookDispatcher = webhookDispatcher;
        this.config = config;
        this.database = database;
        this.server = server;
        this.verifier = verifier;
        this.applyTracker = applyTracker;
        this.resources = List.copyOf(resources);
        this.submissionWorker = submissionWorker;
        this.driftWatch = driftWatch;
    }

    /**
     * Replaceable parts; {@link #defaults()} gives production's. A null adapter is built from the
     * configuration; tests pass their own clock, or an SES gateway pointed elsewhere. A null
     * {@code awsCredentials} means the AWS SDK's default chain (SES and Route 53 share it).
     */
    public record Adapters(
            Clock clock,
            UnaryOperator<SesGateway> sesDecorator,
            VerificationSchedule schedule,
            Duration verifierInterval,
            AwsCredentialsProvider awsCredentials,
            HostResolver webhookResolver) {
        public Adapters {
            requireNonNull(webhookResolver, "webhookResolver");
            requireNonNull(clock, "clock");
            requireNonNull(sesDecorator, "sesDecorator");
            requireNonNull(schedule, "schedule");
            requireNonNull(verifierInterval, "verifierInterval");
        }

        /** Returns the production adapters. */
        public static Adapters defaults() {
            return new Adapters(
                    Clock.systemUTC(),
                    UnaryOperator.identity(),
                    VerificationSchedule.standard(),
                    Duration.ofSeconds(1),
                    null,
                    HostResolver.system());
        }

        public Adapters withClock(Clock c) {
            return new Adapters(c, sesDecorator, schedule, verifierInterval, awsCredentials, webhookResolver);
        }

        /** Wraps the configured SES gateway (tests inject faults this way). */
        public Adapters withSesDecorator(UnaryOperator<SesGateway> decorator) {
            return new Adapters(clock, decorator, schedule, verifierInterval, awsCredentials, webhookResolver);
        }

        public Adapters withSchedule(VerificationSchedule s, Duration interval) {
            return new Adapters(clock, sesDecorator, s, interval, awsCredentials, webhookResolver);
        }

        /** Resolves webhook hosts with {@code resolver} instead of the system's resolver (tests). */
        public Adapters withWebhookResolver(HostResolver resolver) {
            return new Adapters(clock, sesDecorator, schedule, verifierInterval, awsCredentials, resolver);
        }

        /** Uses {@code credentials} for SES and Route 53 instead of the AWS SDK's default chain. */
        public Adapters withAwsCredentials(AwsCredentialsProvider credentials) {
            return new Adapters(clock, sesDecorator, schedule, verifierInterval, credentials, webhookResolver);
        }
    }

    /** Opens the database, builds the server and starts it. */
    public static DomainkeeperServer start(Config config, Adapters adapters) {
        // Migrates on a thread of its own while the rest is built; see awaitMigrated() below.
        Database database = Database.openMigrating(
                config.database().url(),
                config.database().user(),
                config.database().password(),
                null);
        // What start() opens, closed in reverse order by close() (or at once when start() fails).
        List<AutoCloseable> resources = new ArrayList<>(List.of(database));
        try {
            AccountStore accountStore = new AccountStore(database.jdbi());
            AccountService accounts = new AccountService(accountStore, adapters.clock());
            List<InetSocketAddress> resolvers = config.dns().resolvers().stream()
                    .map(r -> new InetSocketAddress(r.host(), r.port()))
                    .toList();
            DnsLookup dns = DnsResolvers.create(resolvers, config.dns().timeout());
            AwsCredentialsProvider credentials = adapters.awsCredentials() != null
                    ? adapters.awsCredentials()
                    : DefaultCredentialsProvider.builder().build();
            SesGateway rawSes = sesGateway(config, database, dns, adapters.clock(), credentials);
            if (rawSes instanceof AutoCloseable closeable) {
                resources.add(closeable);
            }
            // Every SES call, of requests and jobs alike, is within the one SES budget all nodes share.
            BudgetStore budgetStore = new BudgetStore(database.jdbi(), database.isPostgres());
            SesAccess ses = new BudgetedSes(
                    adapters.sesDecorator().apply(rawSes),
                    new FairBudget(
                            budgetStore,
                            "ses",
                            "SES",
                            new FairBudget.Limits(
                                    config.ses().maxRps(), config.ses().burst()),
                            adapters.clock()));
            DomainStore domainStore = new DomainStore(database);
            PageTokens pageTokens = new PageTokens(
                    new PageTokenKeyStore(database.jdbi()),
                    adapters.clock(),
                    config.bounds().pageTokenKeyRotation(),
                    config.bounds().pageTokenLifetime());
            // Events carry resources as the API renders them; the recorder gets the API's renderer here.
            EventRecorder events = new EventRecorder(domainStore, new EventJson(), adapters.clock());
            // Checks records on the recursive resolvers and, when asked, on each authoritative name server.
            DnsValidator validator = new DnsValidator(
                    dns,
                    DnsResolvers.authoritative(
                            resolvers,
                            config.dns().timeout(),
                            config.dns().authoritativePort(),
                            config.dns().authoritativeAllowPrivate()),
                    adapters.clock(),
                    snapshotDeadline(config),
                    DnsValidator.Timer.DEFAULT);
            DomainService domains = new DomainService(
                    domainStore,
                    ses,
                    pageTokens,
                    adapters.schedule(),
                    adapters.clock(),
                    config.aws().region(),
                    SesRegions.known(),
                    config.jobs().leaseDuration().orElse(DomainService.ADD_LEASE),
                    events,
                    new DkimKeyPairs(
                            config.secrets().box(), dns, adapters.clock(), new AuthoritativePublication(validator)));
            DomainVerifier verifier = new DomainVerifier(
                    domainStore,
                    domains.inBackground(),
                    adapters.clock(),
                    config.jobs().leaseDuration().orElse(DomainVerifier.LEASE));
            Optional<Route53Provider> route53 = route53(config, credentials);
            route53.ifPresent(resources::add);
            FairBudget route53Budget = new FairBudget(
                    budgetStore,
                    "route53",
                    "Route 53",
                    new FairBudget.Limits(
                            config.route53().maxRps(), config.route53().burst()),
                    adapters.clock());
            Optional<DnsProvider> operatorRoute53 = route53.map(DnsProvider.class::cast);
            Optional<DnsProviderAccess> dnsHosting = route53.map(provider -> new BudgetedDns(provider, route53Budget));
            ConnectionProviders connectionProviders = new ConnectionProviders(config, operatorRoute53, credentials);
            resources.add(connectionProviders);
            DnsConnectionService connections = new DnsConnectionService(
                    new DnsConnectionStore(database.jdbi()),
                    accounts,
                    connectionProviders,
                    config.secrets().box(),
                    adapters.clock());
            RecordPublisher publisher = new RecordPublisher(
                    domains,
                    accounts,
                    connections,
                    dnsHosting,
                    dns,
                    adapters.clock(),
                    config.bounds().zoneCacheTtl());
            domains.useKeyRecords(publisher.keyRecords());
            ApplyTracker applyTracker = new ApplyTracker(
                    domainStore,
                    publisher,
                    adapters.clock(),
                    config.jobs().leaseDuration().orElse(ApplyTracker.LEASE));
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            DnsSnapshots snapshots = new DnsSnapshots(
                    validator, config.dns().checkInterval(), config.bounds().dnsSnapshotsPerAccount());
            TestEmailComposer composer = new TestEmailComposer(configurationSets(config.testEmails()));
            SubmissionStore submissionStore = new SubmissionStore(database.jdbi(), database.isPostgres());
            TestEmailService testEmails = new TestEmailService(
                    domains,
                    domainStore,
                    submissionStore,
                    ses,
                    composer,
                    new TestSendLimiter(
                            budgetStore,
                            accountStore,
                            config.testEmails().ratePerMinute(),
                            config.testEmails().burst(),
                            config.testEmails().perDay(),
                            adapters.clock()),
                    adapters.clock());
            SubmissionWorker submissionWorker = new SubmissionWorker(
                    submissionStore,
                    domainStore,
                    ses,
                    composer,
                    events,
                    adapters.clock(),
                    config.jobs().leaseDuration().orElse(SubmissionWorker.LEASE));
            DriftWatch driftWatch = new DriftWatch(
                    new DnsHealthStore(database.jdbi(), database.isPostgres()),
                    domainStore,
                    events,
                    dns,
                    adapters.clock(),
                    config.drift().interval().orElse(DriftWatch.DEFAULT_INTERVAL),
                    config.drift().queriesPerMinute(),
                    config.jobs().leaseDuration().orElse(DriftWatch.LEASE),
                    () -> ThreadLocalRandom.current().nextDouble());
            resources.add(driftWatch);
            WebhookSettings webhookSettings = new WebhookSettings(
                    config.webhooks().allowHttp(),
                    config.webhooks().allowPrivate(),
                    config.webhooks().attemptTimeout(),
                    config.webhooks().maxPerEndpoint());
            WebhookTargets webhookTargets = new WebhookTargets(webhookSettings, adapters.webhookResolver());
            WebhookStore webhookStore = new WebhookStore(database.jdbi(), database.isPostgres());
            WebhookService webhooks = new WebhookService(
                    webhookStore, webhookTargets, config.secrets().box(), events, pageTokens, adapters.clock());
            WebhookDispatcher webhookDispatcher = new WebhookDispatcher(
                    webhookStore,
                    webhooks,
                    webhookTargets,
                    webhookSettings,
                    adapters.clock(),
                    config.jobs().leaseDuration().orElse(WebhookDispatcher.LEASE));
            resources.add(webhookDispatcher);
            DatabaseHealth databaseHealth = new DatabaseHealth(database);
            HealthService health = new HealthService(databaseHealth);
            ApiServices api = new ApiServices(
                    accounts,
                    domains,
                    snapshots,
                    publisher,
                    testEmails,
                    driftWatch,
                    connections,
                    webhooks,
                    adapters.clock(),
                    databaseHealth);
            Server server = Server.builder()
                    .http(config.port())
                    .meterRegistry(registry)
                    .maxRequestLength(ApiServices.MAX_REQUEST_BYTES)
                    .requestTimeout(requestTimeout(config))
                    .errorHandler(new JsonErrors())
                    .gracefulShutdownTimeout(Duration.ofSeconds(1), Duration.ofSeconds(10))
                    .service(
                            api.grpcService(),
                            delegate -> delegate.decorate(api.keptAnswers()),
                            MetricCollectingService.newDecorator(GrpcMeterIdPrefixFunction.of("rpc")),
                            delegate -> delegate.decorate(new JsonBodyGuard()))
                    .serviceUnder("/docs", new LazyDocs(ApiServices.docService()))
                    .service("/openapi.json", openApi())
                    .service("/health", health)
                    .serverListener(health.shutdownListener())
                    .service("/metrics", PrometheusExpositionService.of(registry.getPrometheusRegistry()))
                    // The console: static files from the jar (src/main/resources/console/), calling the HTTP/JSON API.
                    .serviceUnder(
                            "/console/",
                            FileService.builder(DomainkeeperServer.class.getClassLoader(), "console")
                                    .cacheControl(ServerCacheControl.REVALIDATED)
                                    .build())
                    .service("/console", (ctx, req) -> HttpResponse.ofRedirect(HttpStatus.FOUND, "/console/"))
                    .service("/", (ctx, req) -> HttpResponse.ofRedirect(HttpStatus.FOUND, "/console/"))
                    .build();
            database.awaitMigrated();
            config.bootstrapApiKey().ifPresent(accounts::useBootstrapKey);
            server.start().join();
            log.info(
                    "Domainkeeper listening on port {} (database {}, SES backend {})",
                    server.activeLocalPort(),
                    database.isPostgres() ? "PostgreSQL" : "SQLite",
                    config.ses().backend());
            if (config.jobs().backgroundWorkers()) {
                verifier.start(adapters.verifierInterval());
                applyTracker.start(ApplyTracker.POLL_INTERVAL);
                submissionWorker.start(adapters.verifierInterval());
                if (config.drift().interval().isPresent()) {
                    driftWatch.start();
                }
                webhookDispatcher.start(adapters.verifierInterval());
            }
            return new DomainkeeperServer(
                    config,
                    database,
                    server,
                    verifier,
                    applyTracker,
                    resources,
                    submissionWorker,
                    driftWatch,
                    webhookDispatcher);
        } catch (RuntimeException e) {
            closeAll(resources);
            throw e;
        }
    }

    /**
     * Returns the overall deadline of a DNS validation snapshot: the configured one, but never so long
     * that an AWS call (GetDomain may refresh from SES first) and the snapshot together reach the
     * request timeout, so the caller gets the snapshot with its timed-out records rather than a 503.
     */
    static Duration snapshotDeadline(Config config) {
        Duration room =
                requestTimeout(config).minus(config.aws().apiCallTimeout()).minusSeconds(1);
        Duration configured = config.bounds().dnsSnapshotDeadline();
        return configured.compareTo(room) <= 0 ? configured : room;
    }

    /** Armeria's own request timeout, the least this server gives a request. */
    static final Duration MIN_REQUEST_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Returns how long a request may take before the server answers 503 for it: twice the longer of
     * the AWS call timeout and the DNS lookup timeout, plus 5 s, and at least Armeria's default 10 s.
     * Below the AWS timeout an add whose SES call is slow would be answered 503 while it carries on
     * (and then succeeds unseen); above it, the caller gets the real outcome.
     */
    static Duration requestTimeout(Config config) {
        Duration longest = config.aws().apiCallTimeout().compareTo(config.dns().timeout()) >= 0
                ? config.aws().apiCallTimeout()
                : config.dns().timeout();
        Duration derived = longest.multipliedBy(2).plusSeconds(5);
        return derived.compareTo(MIN_REQUEST_TIMEOUT) >= 0 ? derived : MIN_REQUEST_TIMEOUT;
    }

    /**
     * Returns the Route 53 provider when automation is configured: with the AWS backend, or when a
     * Route 53 endpoint is set (a stub, or Route 53 with a sandbox SES).
     */
    private static Optional<Route53Provider> route53(Config config, AwsCredentialsProvider credentials) {
        if (config.ses().backend() != Config.SesBackend.AWS
                && config.aws().route53Endpoint().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(Route53Provider.create(
                config.aws().route53Endpoint(),
                credentials,
                AwsRetryStrategy.standardRetryStrategy(),
                config.aws().apiCallTimeout()));
    }

    private static SesGateway sesGateway(
            Config config, Database database, DnsLookup dns, Clock clock, AwsCredentialsProvider credentials) {
        return switch (config.ses().backend()) {
            case SANDBOX ->
                new SandboxSesGateway(
                        database.jdbi(),
                        dns,
                        clock,
                        config.testEmails()
                                .smtpRelay()
                                .map(r -> InetSocketAddress.createUnresolved(r.host(), r.port())));
            case AWS ->
                AwsSesGateway.create(
                        config.aws().region(),
                        config.aws().sesEndpoint(),
                        credentials,
                        config.ses().receiptRuleSet(),
                        config.ses().receiptRule(),
                        AwsRetryStrategy.standardRetryStrategy(),
                        config.aws().apiCallTimeout());
        };
    }

    /** Serves the OpenAPI document, generated from the descriptors on first use and kept. */
    private static HttpService openApi() {
        Supplier<String> document = Suppliers.memoize(OpenApiDocument::json);
        return (ctx, req) -> HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, document.get());
    }

    private static Map<MessageClass, String> configurationSets(Config.TestEmails t) {
        Map<MessageClass, String> sets = new EnumMap<>(MessageClass.class);
        t.configurationSetTransactional().ifPresent(c -> sets.put(MessageClass.TRANSACTIONAL, c));
        t.configurationSetMarketing().ifPresent(c -> sets.put(MessageClass.MARKETING, c));
        return sets;
    }

    /** Returns the drift watch (tests drive it with {@code runOnce}). */
    public DriftWatch driftWatch() {
        return driftWatch;
    }

    /** Returns the background verifier (tests drive it with {@code runOnce}). */
    public DomainVerifier verifier() {
        return verifier;
    }

    /** Returns the tracker of submitted DNS changes (tests drive it with {@code runOnce}). */
    public ApplyTracker applyTracker() {
        return applyTracker;
    }

    /** Returns the submission worker (tests drive it with {@code runOnce}). */
    public SubmissionWorker submissionWorker() {
        return submissionWorker;
    }

    /** Returns the webhook delivery job (tests drive it with {@code runOnce}). */
    public WebhookDispatcher webhookDispatcher() {
        return webhookDispatcher;
    }

    /** Returns the request timeout of every service the server runs (tests check it), in milliseconds. */
    public List<Long> requestTimeoutsMillis() {
        return server.config().serviceConfigs().stream()
                .map(c -> c.requestTimeoutMillis())
                .distinct()
                .toList();
    }

    /** Returns the port the server listens on. */
    public int port() {
        return server.activeLocalPort();
    }

    /** Returns the configuration the server runs with. */
    public Config config() {
        return config;
    }

    /** Returns the database (tests inspect it). */
    public Database database() {
        return database;
    }

    /** Blocks until the server stops. */
    public void awaitStop() {
        server.whenClosed().join();
    }

    /** Stops accepting requests, finishes the running ones and closes the database. */
    @Override
    public void close() {
        verifier.close();
        applyTracker.close();
        submissionWorker.close();
        server.stop().join();
        // The webhook dispatcher is one of the resources: closed before the database.
        closeAll(resources);
    }

    private static void closeAll(List<AutoCloseable> resources) {
        List<AutoCloseable> reversed = new ArrayList<>(resources);
        java.util.Collections.reverse(reversed);
        for (AutoCloseable r : reversed) {
            try {
                r.close();
            } catch (Exception e) {
                log.warn("Closing {} failed: {}", r.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
