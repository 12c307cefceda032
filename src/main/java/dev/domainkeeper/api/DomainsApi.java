package dev.domainkeeper.api;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.domain.Domain;
import dev.domainkeeper.domains.DomainService;
import dev.domainkeeper.proto.domains.v1.AddDomainRequest;
import dev.domainkeeper.proto.domains.v1.AddDomainResponse;
import dev.domainkeeper.proto.domains.v1.ApplyDomainRecordsRequest;
import dev.domainkeeper.proto.domains.v1.ApplyDomainRecordsResponse;
import dev.domainkeeper.proto.domains.v1.CheckDNSProviderRequest;
import dev.domainkeeper.proto.domains.v1.CheckDNSProviderResponse;
import dev.domainkeeper.proto.domains.v1.DomainsServiceGrpc;
import dev.domainkeeper.proto.domains.v1.ExportDomainRecordsRequest;
import dev.domainkeeper.proto.domains.v1.ExportDomainRecordsResponse;
import dev.domainkeeper.proto.domains.v1.GetDomainRequest;
import dev.domainkeeper.proto.domains.v1.GetDomainResponse;
import dev.domainkeeper.proto.domains.v1.ListDomainsRequest;
import dev.domainkeeper.proto.domains.v1.ListDomainsResponse;
import dev.domainkeeper.proto.domains.v1.RemoveDomainRequest;
import dev.domainkeeper.proto.domains.v1.RemoveDomainResponse;
import dev.domainkeeper.proto.domains.v1.RotateDKIMKeyRequest;
import dev.domainkeeper.proto.domains.v1.RotateDKIMKeyResponse;
import dev.domainkeeper.proto.domains.v1.SendTestEmailRequest;
import dev.domainkeeper.proto.domains.v1.SendTestEmailResponse;
import dev.domainkeeper.proto.domains.v1.UpdateDomainRequest;
import dev.domainkeeper.proto.domains.v1.UpdateDomainResponse;
import dev.domainkeeper.publishing.RecordExport;
import dev.domainkeeper.publishing.RecordPublisher;
import dev.domainkeeper.testemail.TestEmailService;
import dev.domainkeeper.validation.DnsSnapshots;
import dev.domainkeeper.validation.DriftWatch;
import io.grpc.stub.StreamObserver;

/** Serves domains.v1.DomainsService: validates requests, calls the use cases, maps the results. */
final class DomainsApi extends DomainsServiceGrpc.DomainsServiceImplBase {
    private final DomainService domains;
    private final DnsSnapshots snapshots;
    private final RecordPublisher publisher;
    private final TestEmailService testEmails;
    private final DriftWatch driftWatch;
    private final GetDomainCache cache;

    DomainsApi(
            DomainService domains,
            DnsSnapshots snapshots,
            RecordPublisher publisher,
            TestEmailService testEmails,
            DriftWatch driftWatch,
            GetDomainCache cache) {
        this.domains = requireNonNull(domains, "domains");
        this.snapshots = requireNonNull(snapshots, "snapshots");
        this.publisher = requireNonNull(publisher, "publisher");
        this.testEmails = requireNonNull(testEmails, "testEmails");
        this.driftWatch = requireNonNull(driftWatch, "driftWatch");
        this.cache = requireNonNull(cache, "cache");
    }

    @Override
    public void addDomain(AddDomainRequest request, StreamObserver<AddDomainResponse> out) {
        out.onNext(AddDomainResponse.newBuilder()
                .setDomain(DomainMapper.toProto(domains.add(Caller.accountId(), DomainMapper.toCommand(request))))
                .build());
        out.onCompleted();
    }

    @Override
    public void getDomain(GetDomainRequest request, StreamObserver<GetDomainResponse> out) {
        // Propagation implies the snapshot it is part of.
        boolean propagation = request.getIncludeDnsPropagation();
        boolean validation = request.getIncludeDnsValidation() || propagation;
        String account = Caller.accountId();
        // A live DNS check is never kept; a plain read is, while the domain does not change.
        out.onNext(
                validation
                        ? getDomainResponse(domains.get(account, request.getId()), true, propagation)
                        : cache.get(account, request.getId(), d -> getDomainResponse(d, false, false)));
        out.onCompleted();
    }

    /** The answer for {@code domain}, with its DNS health, and a live DNS check when {@code validation}. */
    private GetDomainResponse getDomainResponse(Domain domain, boolean validation, boolean propagation) {
        var proto = DomainMapper.toProto(domain);
        var health = driftWatch.health(domain.accountId(), domain.id());
        if (validation || health.isPresent()) {
            // Copied only when something is added to the message.
            var b = proto.toBuilder();
            if (validation) {
                b.setDnsValidation(DomainMapper.validation(snapshots.snapshot(domain, propagation)));
            }
            health.ifPresent(h -> b.setDnsHealth(DomainMapper.health(h)));
            proto = b.build();
        }
        return GetDomainResponse.newBuilder().setDomain(proto).build();
    }

    @Override
    public void listDomains(ListDomainsRequest request, StreamObserver<ListDomainsResponse> out) {
        DomainService.Page page = domains.list(Caller.accountId(), request.getPageSize(), request.getPageToken());
        ListDomainsResponse.Builder b = ListDomainsResponse.newBuilder().setNextPageToken(page.nextPageToken());
        page.domains().forEach(d -> b.addDomains(DomainMapper.toProto(d)));
        out.onNext(b.build());
        out.onCompleted();
    }

    @Override
    public void updateDomain(UpdateDomainRequest request, StreamObserver<UpdateDomainResponse> out) {
        out.onNext(UpdateDomainResponse.newBuilder()
                .setDomain(DomainMapper.toProto(
                        domains.update(Caller.accountId(), request.getId(), DomainMapper.toCommand(request))))
                .build());
        out.onCompleted();
    }

    @Override
    public void rotateDKIMKey(RotateDKIMKeyRequest request, StreamObserver<RotateDKIMKeyResponse> out) {
        out.onNext(RotateDKIMKeyResponse.newBuilder()
                .setDomain(DomainMapper.toProto(
                        domains.rotateDkimKey(Caller.accountId(), request.getId(), request.getDkimSelector())))
                .build());
        out.onCompleted();
    }

    @Override
    public void removeDomain(RemoveDomainRequest request, StreamObserver<RemoveDomainResponse> out) {
        DomainService.Removal removal = request.getRemovePublishedRecords()
                ? publisher.removeWithPublishedRecords(Caller.accountId(), request.getId())
                : domains.remove(Caller.accountId(), request.getId());
        out.onNext(RemoveDomainResponse.newBuilder()
                .setId(removal.id())
                .addAllNotes(removal.notes())
                .build());
        out.onCompleted();
    }

    @Override
    public void checkDNSProvider(CheckDNSProviderRequest request, StreamObserver<CheckDNSProviderResponse> out) {
        out.onNext(DomainMapper.providerCheck(publisher.checkProvider(Caller.accountId(), request.getId())));
        out.onCompleted();
    }

    @Override
    public void applyDomainRecords(ApplyDomainRecordsRequest request, StreamObserver<ApplyDomainRecordsResponse> out) {
        RecordPublisher.ApplyResult result = publisher.apply(Caller.accountId(), request.getId(), request.getDryRun());
        // Its lookups start after the change was submitted: what the user sees right after publishing.
        out.onNext(DomainMapper.applyResult(result, snapshots.snapshot(result.domain())));
        out.onCompleted();
    }

    @Override
    public void exportDomainRecords(
            ExportDomainRecordsRequest request, StreamObserver<ExportDomainRecordsResponse> out) {
        RecordExport.Format format = RecordExport.Format.parse(request.getFormat());
        RecordPublisher.Export export = publisher.export(Caller.accountId(), request.getId());
        out.onNext(ExportDomainRecordsResponse.newBuilder()
                .setFormat(format.name().toLowerCase(java.util.Locale.ROOT))
                .setZone(export.zone())
                .setContent(RecordExport.write(format, export.zone(), export.sets()))
                .build());
        out.onCompleted();
    }

    @Override
    public void sendTestEmail(SendTestEmailRequest request, StreamObserver<SendTestEmailResponse> out) {
        out.onNext(TestEmailMapper.toProto(testEmails.send(Caller.accountId(), TestEmailMapper.toCommand(request))));
        out.onCompleted();
    }
}
