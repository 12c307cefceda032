package dev.domainkeeper.testing;

import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.domainkeeper.proto.domains.v1.DomainsServiceGrpc;
import dev.domainkeeper.proto.submissions.v1.SubmissionsServiceGrpc;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import java.util.Optional;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/**
 * Calls the service through its generated typed gRPC stubs, for behaviour tests that do not test
 * the HTTP/JSON transcoding.
 */
public final class Rpc {
    private static final Metadata.Key<String> RETRY_AFTER =
            Metadata.Key.of("retry-after", Metadata.ASCII_STRING_MARSHALLER);

    private Rpc() {}

    /** Returns a blocking DomainsService stub with {@code key} as bearer. */
    public static DomainsServiceGrpc.DomainsServiceBlockingStub domains(TestServer server, String key) {
        return server.grpc(DomainsServiceGrpc.DomainsServiceBlockingStub.class, key);
    }

    /** Returns a blocking SubmissionsService stub with {@code key} as bearer. */
    public static SubmissionsServiceGrpc.SubmissionsServiceBlockingStub submissions(TestServer server, String key) {
        return server.grpc(SubmissionsServiceGrpc.SubmissionsServiceBlockingStub.class, key);
    }

    /** Runs {@code call}, which must fail with a gRPC status, and returns that failure. */
    public static StatusRuntimeException failure(ThrowingCallable call) {
        StatusRuntimeException e = catchThrowableOfType(call, StatusRuntimeException.class);
        if (e == null) {
            throw new AssertionError("expected the call to fail with a gRPC status, but it succeeded");
        }
        return e;
    }

    /** Returns the {@code retry-after} trailer (seconds) of a failed call, if the server sent one. */
    public static Optional<String> retryAfter(StatusRuntimeException e) {
        return Optional.ofNullable(e.getTrailers()).map(t -> t.get(RETRY_AFTER));
    }
}
