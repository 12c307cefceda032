package dev.domainkeeper.api;

import static java.util.Objects.requireNonNull;

import com.google.common.base.Supplier;
import com.google.common.base.Suppliers;
import com.linecorp.armeria.common.grpc.GrpcJsonMarshaller;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpServiceWithRoutes;
import com.linecorp.armeria.server.docs.DocService;
import com.linecorp.armeria.server.grpc.GrpcHealthCheckService;
import com.linecorp.armeria.server.grpc.GrpcService;
import com.linecorp.armeria.server.grpc.HttpJsonTranscodingOptions;
import com.linecorp.armeria.server.grpc.HttpJsonTranscodingQueryParamMatchRule;
import com.linecorp.armeria.server.healthcheck.ListenableHealthChecker;
import dev.domainkeeper.accounts.AccountService;
import dev.domainkeeper.dnsconnections.DnsConnectionService;
import dev.domainkeeper.domains.DomainService;
import dev.domainkeeper.proto.common.v1.MessageClass;
import dev.domainkeeper.proto.dnsconnections.v1.CloudflareSettings;
import dev.domainkeeper.proto.dnsconnections.v1.CreateDnsConnectionRequest;
import dev.domainkeeper.proto.dnsconnections.v1.DnsConnectionKind;
import dev.domainkeeper.proto.dnsconnections.v1.DnsConnectionsServiceGrpc;
import dev.domainkeeper.proto.domains.v1.AddDomainRequest;
import dev.domainkeeper.proto.domains.v1.ApplyDomainRecordsRequest;
import dev.domainkeeper.proto.domains.v1.CheckDNSProviderRequest;
import dev.domainkeeper.proto.domains.v1.DMARCPolicyType;
import dev.domainkeeper.proto.domains.v1.DomainsServiceGrpc;
import dev.domainkeeper.proto.domains.v1.GetDomainRequest;
import dev.domainkeeper.proto.domains.v1.ListDomainsRequest;
import dev.domainkeeper.proto.domains.v1.RemoveDomainRequest;
import dev.domainkeeper.proto.domains.v1.SPFMode;
import dev.domainkeeper.proto.domains.v1.SendTestEmailRequest;
import dev.domainkeeper.proto.domains.v1.TestEmailType;
import dev.domainkeeper.proto.domains.v1.UpdateDomainRequest;
import dev.domainkeeper.proto.submissions.v1.GetSubmissionRequest;
import dev.domainkeeper.proto.submissions.v1.SubmissionsServiceGrpc;
import dev.domainkeeper.proto.webhooks.v1.CreateWebhookRequest;
import dev.domainkeeper.proto.webhooks.v1.WebhooksServiceGrpc;
import dev.domainkeeper.publishing.RecordPublisher;
import dev.domainkeeper.testemail.TestEmailService;
import dev.domainkeeper.validation.DnsSnapshots;
import dev.domainkeeper.validation.DriftWatch;
import dev.domainkeeper.webhooks.WebhookService;
import io.grpc.MethodDescriptor.Marshaller;
import io.grpc.ServerInterceptors;
import io.grpc.ServiceDescriptor;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;

/**
 * Builds the API: one gRPC service answering gRPC, gRPC-Web and HTTP/JSON (proto field names,
 * default values included), plus its documentation page.
 */
public final class ApiServices {
    /** The largest request body accepted, on every protocol. */
    public static final int MAX_REQUEST_BYTES = 64 * 1024;

    private final AccountService accounts;
    private final DomainService domains;
    private final DnsSnapshots snapshots;
    private final RecordPublisher publisher;
    private final TestEmailService testEmails;
    private final DriftWatch driftWatch;
    private final DnsConnectionService connections;
    private final WebhookService webhooks;
    private final Clock clock;
    private final ListenableHealthChecker health;
    private final AuthInterceptor auth;
    private final ReusedJson reusedJson = new ReusedJson();
    private final GetDomainCache getDomainCache;

    /** Creates the API; {@code health} drives the standard gRPC health service. */
    public ApiServices(
            AccountService accounts,
            DomainService domains,
            DnsSnapshots snapshots,
            RecordPublisher publisher,
            TestEmailService testEmails,
            DriftWatch driftWatch,
            DnsConnectionService connections,
            WebhookService webhooks,
            Clock clock,
            ListenableHealthChecker health) {
        this.connections = requireNonNull(connections, "connections");
        this.webhooks = requireNonNull(webhooks, "webhooks");
        this.clock = requireNonNull(clock, "clock");
        this.health = requireNonNull(health, "health");
        this.accounts = requireNonNull(accounts, "accounts");
        this.domains = requireNonNull(domains, "domains");
        this.snapshots = requireNonNull(snapshots, "snapshots");
        this.publisher = requireNonNull(publisher, "publisher");
        this.testEmails = requireNonNull(testEmails, "testEmails");
        this.driftWatch = requireNonNull(driftWatch, "driftWatch");
        this.auth = new AuthInterceptor(accounts);
        this.getDomainCache = new GetDomainCache(domains, reusedJson);
    }

    /**
     * Returns the gRPC service with HTTP/JSON transcoding of the google.api.http rules, plus gRPC server
     * reflection (v1) and the standard {@code grpc.health.v1.Health} service, which need no API key.
     */
    public HttpServiceWithRoutes grpcService() {
        return GrpcService.builder()
                .addService(ServerInterceptors.intercept(
                        new DomainsApi(domains, snapshots, publisher, testEmails, driftWatch, getDomainCache), auth))
                .addService(ServerInterceptors.intercept(new SubmissionsApi(testEmails), auth))
                .addService(ServerInterceptors.intercept(new DnsConnectionsApi(connections), auth))
                .addService(ServerInterceptors.intercept(new WebhooksApi(webhooks, clock), auth))
                .addService(ProtoReflectionServiceV1.newInstance())
                .addService(GrpcHealthCheckService.builder().checkers(health).build())
                .enableHttpJsonTranscoding(HttpJsonTranscodingOptions.builder()
                        .queryParamMatchRules(
                                HttpJsonTranscodingQueryParamMatchRule.ORIGINAL_FIELD,
                                HttpJsonTranscodingQueryParamMatchRule.LOWER_CAMEL_CASE)
                        .build())
                .jsonMarshallerFactory(service -> new LazyJsonMarshaller(service, reusedJson))
                .useBlockingTaskExecutor(true)
                .maxRequestMessageLength(MAX_REQUEST_BYTES)
                .exceptionHandler(new ErrorMapper())
                .build();
    }

    /**
     * Returns the decorator of {@link #grpcService} that answers a plain HTTP/JSON GetDomain from
     * memory when it can ({@link KeptAnswers}); put it inside the metrics decorator, which then counts
     * those answers as GetDomain calls.
     */
    public DecoratingHttpServiceFunction keptAnswers() {
        return new KeptAnswers(auth, getDomainCache);
    }

    /**
     * Returns the JSON marshaller of a service: proto field names, default values included, compact
     * output (the marshaller pretty-prints by default, which costs time and bytes), unknown fields
     * refused.
     */
    private static GrpcJsonMarshaller jsonMarshaller(ServiceDescriptor service) {
        return GrpcJsonMarshaller.builder()
                .jsonMarshallerCustomizer(m -> m.preservingProtoFieldNames(true)
                        .includingDefaultValueFields(true)
                        .omittingInsignificantWhitespace(true)
                        .ignoringUnknownFields(false))
                .build(service);
    }

    /**
     * A service's JSON marshaller, built at the service's first HTTP/JSON (or gRPC-Web JSON) call.
     * Building one generates code for every message type of the service: at start-up that was about a
     * fifth of the time to healthy and about 8 MiB held by a service that may never be asked in JSON
     * (gRPC needs none; reflection and health never are). The first JSON call of each service pays for
     * it instead, about 0.2 s once. A message sent again as the same instance is written once
     * ({@link ReusedJson}).
     */
    private static final class LazyJsonMarshaller implements GrpcJsonMarshaller {
        private final Supplier<GrpcJsonMarshaller> real;
        private final ReusedJson reused;

        LazyJsonMarshaller(ServiceDescriptor service, ReusedJson reused) {
            this.real = Suppliers.memoize(() -> jsonMarshaller(service));
            this.reused = reused;
        }

        @Override
        public <T> void serializeMessage(Marshaller<T> marshaller, T message, OutputStream os) throws IOException {
            reused.write(real.get(), marshaller, message, os);
        }

        @Override
        public <T> T deserializeMessage(Marshaller<T> marshaller, InputStream is) throws IOException {
            return real.get().deserializeMessage(marshaller, is);
        }
    }

    /** Returns the documentation service (mount it under /docs) with an example request per RPC. */
    public static DocService docService() {
        String domains = DomainsServiceGrpc.SERVICE_NAME;
        return DocService.builder()
                .exampleRequests(
                        domains,
                        "AddDomain",
                        AddDomainRequest.newBuilder()
                                .setDomain("mail.example.com")
                                .setDmarcPolicy(DMARCPolicyType.QUARANTINE)
                                .setDmarcReportEmail("dmarc@example.com")
                                .setSpfMode(SPFMode.CREATE_IF_MISSING)
                                .build())
                .exampleRequests(
                        domains,
                        "GetDomain",
                        GetDomainRequest.newBuilder()
                                .setId("dom_0123456789abcdefghjk")
                                .setIncludeDnsValidation(true)
                                .build())
                .exampleRequests(
                        domains,
                        "ListDomains",
                        ListDomainsRequest.newBuilder().setPageSize(50).build())
                .exampleRequests(
                        domains,
                        "UpdateDomain",
                        UpdateDomainRequest.newBuilder()
                                .setId("dom_0123456789abcdefghjk")
                                .setDmarcPolicy(DMARCPolicyType.REJECT)
                                .build())
                .exampleRequests(
                        domains,
                        "RemoveDomain",
                        RemoveDomainRequest.newBuilder()
                                .setId("dom_0123456789abcdefghjk")
                                .build())
                .exampleRequests(
                        domains,
                        "CheckDNSProvider",
                        CheckDNSProviderRequest.newBuilder()
                                .setId("dom_0123456789abcdefghjk")
                                .build())
                .exampleRequests(
                        domains,
                        "ApplyDomainRecords",
                        ApplyDomainRecordsRequest.newBuilder()
                                .setId("dom_0123456789abcdefghjk")
                                .setDryRun(true)
                                .build())
                .exampleRequests(
                        domains,
                        "SendTestEmail",
                        SendTestEmailRequest.newBuilder()
                                .setId("dom_0123456789abcdefghjk")
                                .setTestType(TestEmailType.SIMULATOR_BOUNCE)
                                .setMessageClass(MessageClass.TRANSACTIONAL)
                                .build())
                .exampleRequests(
                        SubmissionsServiceGrpc.SERVICE_NAME,
                        "GetSubmission",
                        GetSubmissionRequest.newBuilder()
                                .setId("sub_0123456789abcdefghjk")
                                .build())
                .exampleRequests(
                        DnsConnectionsServiceGrpc.SERVICE_NAME,
                        "CreateDnsConnection",
                        CreateDnsConnectionRequest.newBuilder()
                                .setKind(DnsConnectionKind.CLOUDFLARE)
                                .setDisplayName("Cloudflare production")
                                .addZones("example.com")
                                .setCloudflare(CloudflareSettings.newBuilder().setApiToken("<API token>"))
                                .build())
                .exampleRequests(
                        WebhooksServiceGrpc.SERVICE_NAME,
                        "CreateWebhook",
                        CreateWebhookRequest.newBuilder()
                                .setUrl("https://hooks.example.com/domainkeeper")
                                .addEventTypes("domain.verified")
                                .addEventTypes("domain.dns_drift")
                                .setDescription("Alerts for the mail team")
                                .build())
                // A link to the OpenAPI document in the page's corner.
                .injectedScripts("""
                        (function addOpenApiLink() {
                          if (!document.body) {
                            document.addEventListener('DOMContentLoaded', addOpenApiLink);
                            return;
                          }
                          const a = document.createElement('a');
                          a.href = '/openapi.json';
                          a.textContent = 'OpenAPI 3.1 (HTTP/JSON)';
                          a.id = 'openapi-link';
                          a.style.cssText = 'position:fixed;right:12px;bottom:12px;z-index:9999;'
                              + 'background:#fff;padding:4px 8px;border:1px solid #ccc;border-radius:4px';
                          document.body.appendChild(a);
                        })();""")
                .build();
    }
}
