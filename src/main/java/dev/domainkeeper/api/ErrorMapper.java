package dev.domainkeeper.api;

import com.linecorp.armeria.common.RequestContext;
import com.linecorp.armeria.common.grpc.GrpcExceptionHandlerFunction;
import dev.domainkeeper.app.AlreadyExistsException;
import dev.domainkeeper.app.ConcurrentChangeException;
import dev.domainkeeper.app.NotFoundException;
import dev.domainkeeper.app.PreconditionFailedException;
import dev.domainkeeper.app.RetryLaterException;
import dev.domainkeeper.app.UnauthenticatedException;
import dev.domainkeeper.domain.InvalidInputException;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import org.jdbi.v3.core.ConnectionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps the exceptions of the use cases to gRPC statuses, in one table. Anything unexpected becomes
 * INTERNAL with a generic message (the details go to the log, never to the client).
 */
final class ErrorMapper implements GrpcExceptionHandlerFunction {
    private static final Logger log = LoggerFactory.getLogger(ErrorMapper.class);
    static final Metadata.Key<String> RETRY_AFTER = Metadata.Key.of("retry-after", Metadata.ASCII_STRING_MARSHALLER);
    private static final Duration DATABASE_RETRY = Duration.ofSeconds(5);

    @Override
    public Status apply(RequestContext ctx, Status status, Throwable cause, Metadata metadata) {
        Status mapped = toStatus(cause);
        addRetryHint(cause, mapped, metadata);
        return mapped;
    }

    /** Returns the status for an exception. */
    static Status toStatus(Throwable e) {
        if (e instanceof StatusRuntimeException sre) {
            return sre.getStatus();
        }
        if (e instanceof StatusException se) {
            return se.getStatus();
        }
        if (e instanceof InvalidInputException) {
            return Status.INVALID_ARGUMENT.withDescription(e.getMessage());
        }
        if (e instanceof NotFoundException) {
            return Status.NOT_FOUND.withDescription(e.getMessage());
        }
        if (e instanceof AlreadyExistsException) {
            return Status.ALREADY_EXISTS.withDescription(e.getMessage());
        }
        if (e instanceof PreconditionFailedException) {
            return Status.FAILED_PRECONDITION.withDescription(e.getMessage());
        }
        if (e instanceof UnauthenticatedException) {
            return Status.UNAUTHENTICATED.withDescription(e.getMessage());
        }
        if (e instanceof ConcurrentChangeException) {
            return Status.ABORTED.withDescription(e.getMessage());
        }
        if (e instanceof RetryLaterException r) {
            Status s = r.reason() == RetryLaterException.Reason.RATE_LIMITED
                    ? Status.RESOURCE_EXHAUSTED : Status.UNAVAILABLE;
            return s.withDescription(e.getMessage() + " (retry after " + r.retryAfter().toSeconds() + "s)");
        }
        if (e instanceof ConnectionException || e instanceof java.sql.SQLTransientException
                || e.getCause() instanceof java.sql.SQLTransientConnectionException) {
            return Status.UNAVAILABLE.withDescription("the database is not answering (retry after "
                    + DATABASE_RETRY.toSeconds() + "s)");
        }
        if (e instanceof UnsupportedOperationException) {
            return Status.UNIMPLEMENTED.withDescription(e.getMessage());
        }
        log.error("Unexpected error in an RPC", e);
        return Status.INTERNAL.withDescription("internal error; see the server log");
    }

    /** Adds a {@code retry-after} header (seconds) when the failure can be retried later. */
    static void addRetryHint(Throwable e, Status status, Metadata metadata) {
        if (e instanceof RetryLaterException r) {
            metadata.put(RETRY_AFTER, Long.toString(Math.max(1, r.retryAfter().toSeconds())));
        } else if (status.getCode() == Status.Code.UNAVAILABLE) {
            metadata.put(RETRY_AFTER, Long.toString(DATABASE_RETRY.toSeconds()));
        }
    }
}
