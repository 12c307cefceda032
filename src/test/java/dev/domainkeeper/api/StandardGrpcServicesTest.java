package dev.domainkeeper.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.domainkeeper.testing.TestServer;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks the standard gRPC services on the API port: server reflection (what grpcurl and buf curl
 * use without .proto files) and grpc.health.v1 (what Kubernetes gRPC probes call), both without an
 * API key.
 */
class StandardGrpcServicesTest {
    @TempDir
    Path dir;

    TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start(dir);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void health_withoutAKey_isServingWhileTheDatabaseAnswers() {
        HealthGrpc.HealthBlockingStub health = server.grpc(HealthGrpc.HealthBlockingStub.class, null);

        assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus())
                .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        assertThat(server.grpc(HealthGrpc.HealthBlockingStub.class, null, true)
                        .check(HealthCheckRequest.getDefaultInstance())
                        .getStatus())
                .as("over gRPC-Web too")
                .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    }

    @Test
    void reflection_listsTheApiServices_andServesTheirDescriptors() throws Exception {
        ServerReflectionResponse list =
                reflect(ServerReflectionRequest.newBuilder().setListServices("").build());
        List<String> services = list.getListServicesResponse().getServiceList().stream()
                .map(ServiceResponse::getName)
                .toList();

        assertThat(services)
                .contains("domains.v1.DomainsService", "submissions.v1.SubmissionsService", "grpc.health.v1.Health");

        ServerReflectionResponse file = reflect(ServerReflectionRequest.newBuilder()
                .setFileContainingSymbol("domains.v1.DomainsService")
                .build());
        assertThat(file.getFileDescriptorResponse().getFileDescriptorProtoCount())
                .isPositive();
        assertThat(com.google.protobuf.DescriptorProtos.FileDescriptorProto.parseFrom(
                                file.getFileDescriptorResponse().getFileDescriptorProto(0))
                        .getName())
                .isEqualTo("domains/v1/domains.proto");
    }

    private ServerReflectionResponse reflect(ServerReflectionRequest request) throws Exception {
        ServerReflectionGrpc.ServerReflectionStub stub =
                server.grpc(ServerReflectionGrpc.ServerReflectionStub.class, null);
        CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> requests = stub.serverReflectionInfo(new StreamObserver<>() {
            @Override
            public void onNext(ServerReflectionResponse value) {
                answer.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                answer.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                answer.completeExceptionally(new IllegalStateException("completed without an answer"));
            }
        });
        requests.onNext(request);
        try {
            return answer.get(30, TimeUnit.SECONDS);
        } finally {
            requests.onCompleted();
        }
    }
}
