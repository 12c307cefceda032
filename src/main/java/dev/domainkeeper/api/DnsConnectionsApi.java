package dev.domainkeeper.api;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.dnsconnections.DnsConnection;
import dev.domainkeeper.dnsconnections.DnsConnectionService;
import dev.domainkeeper.dnsconnections.NewDnsConnection;
import dev.domainkeeper.proto.dnsconnections.v1.CreateDnsConnectionRequest;
import dev.domainkeeper.proto.dnsconnections.v1.CreateDnsConnectionResponse;
import dev.domainkeeper.proto.dnsconnections.v1.DeleteDnsConnectionRequest;
import dev.domainkeeper.proto.dnsconnections.v1.DeleteDnsConnectionResponse;
import dev.domainkeeper.proto.dnsconnections.v1.DnsConnectionKind;
import dev.domainkeeper.proto.dnsconnections.v1.DnsConnectionsServiceGrpc;
import dev.domainkeeper.proto.dnsconnections.v1.GetDnsConnectionRequest;
import dev.domainkeeper.proto.dnsconnections.v1.GetDnsConnectionResponse;
import dev.domainkeeper.proto.dnsconnections.v1.GetRoute53RoleSetupRequest;
import dev.domainkeeper.proto.dnsconnections.v1.GetRoute53RoleSetupResponse;
import dev.domainkeeper.proto.dnsconnections.v1.ListDnsConnectionsRequest;
import dev.domainkeeper.proto.dnsconnections.v1.ListDnsConnectionsResponse;
import dev.domainkeeper.proto.dnsconnections.v1.Rfc2136Connection;
import dev.domainkeeper.proto.dnsconnections.v1.Route53Connection;
import dev.domainkeeper.proto.dnsconnections.v1.Route53Settings;
import io.grpc.stub.StreamObserver;

/** Serves dnsconnections.v1.DnsConnectionsService: maps requests and results; never returns a secret. */
final class DnsConnectionsApi extends DnsConnectionsServiceGrpc.DnsConnectionsServiceImplBase {
    private final DnsConnectionService connections;

    DnsConnectionsApi(DnsConnectionService connections) {
        this.connections = requireNonNull(connections, "connections");
    }

    @Override
    public void createDnsConnection(
            CreateDnsConnectionRequest request, StreamObserver<CreateDnsConnectionResponse> out) {
        NewDnsConnection in = new NewDnsConnection(
                request.getKind() == DnsConnectionKind.DNS_CONNECTION_KIND_UNSPECIFIED
                        ? ""
                        : request.getKind().name(),
                request.getDisplayName(),
                request.getZonesList(),
                request.getCloudflare().getApiToken(),
                request.getRfc2136().getServer(),
                request.getRfc2136().getTsigKeyName(),
                request.getRfc2136().getTsigAlgorithm(),
                request.getRfc2136().getTsigSecret(),
                request.getRoute53().getMode() == Route53Settings.Mode.MODE_UNSPECIFIED
                        ? ""
                        : request.getRoute53().getMode().name(),
                request.getRoute53().getRoleArn());
        out.onNext(CreateDnsConnectionResponse.newBuilder()
                .setDnsConnection(toProto(connections.create(Caller.accountId(), in)))
                .build());
        out.onCompleted();
    }

    @Override
    public void listDnsConnections(ListDnsConnectionsRequest request, StreamObserver<ListDnsConnectionsResponse> out) {
        ListDnsConnectionsResponse.Builder b = ListDnsConnectionsResponse.newBuilder();
        connections.list(Caller.accountId()).forEach(c -> b.addDnsConnections(toProto(c)));
        out.onNext(b.build());
        out.onCompleted();
    }

    @Override
    public void getDnsConnection(GetDnsConnectionRequest request, StreamObserver<GetDnsConnectionResponse> out) {
        out.onNext(GetDnsConnectionResponse.newBuilder()
                .setDnsConnection(toProto(connections.get(Caller.accountId(), request.getId())))
                .build());
        out.onCompleted();
    }

    @Override
    public void deleteDnsConnection(
            DeleteDnsConnectionRequest request, StreamObserver<DeleteDnsConnectionResponse> out) {
        connections.delete(Caller.accountId(), request.getId());
        out.onNext(
                DeleteDnsConnectionResponse.newBuilder().setId(request.getId()).build());
        out.onCompleted();
    }

    @Override
    public void getRoute53RoleSetup(
            GetRoute53RoleSetupRequest request, StreamObserver<GetRoute53RoleSetupResponse> out) {
        DnsConnectionService.RoleSetup setup = connections.roleSetup(Caller.accountId(), request.getRoleArn());
        out.onNext(GetRoute53RoleSetupResponse.newBuilder()
                .setRoleArn(setup.roleArn())
                .setExternalId(setup.externalId())
                .setPrincipal(setup.principal())
                .setTrustPolicyJson(setup.trustPolicyJson())
                .setPermissionsPolicyJson(setup.permissionsPolicyJson())
                .build());
        out.onCompleted();
    }

    static dev.domainkeeper.proto.dnsconnections.v1.DnsConnection toProto(DnsConnection c) {
        var b = dev.domainkeeper.proto.dnsconnections.v1.DnsConnection.newBuilder()
                .setId(c.id())
                .setKind(DnsConnectionKind.valueOf(c.kind().name()))
                .setDisplayName(c.displayName())
                .addAllZones(c.zones())
                .setCreateTime(DomainMapper.timestamp(c.createdAt()))
                .setHasSecret(c.hasSecret());
        c.rfc2136()
                .ifPresent(r -> b.setRfc2136(Rfc2136Connection.newBuilder()
                        .setServer(r.server())
                        .setTsigKeyName(r.keyName())
                        .setTsigAlgorithm(r.algorithm())));
        c.route53()
                .ifPresent(r -> b.setRoute53(Route53Connection.newBuilder()
                        .setMode(Route53Settings.Mode.valueOf(r.mode().name()))
                        .setRoleArn(r.roleArn())
                        .setExternalId(r.externalId())
                        .setTrustPolicyJson(r.trustPolicyJson())
                        .setPermissionsPolicyJson(r.permissionsPolicyJson())));
        return b.build();
    }
}
