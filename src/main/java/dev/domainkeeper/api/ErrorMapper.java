package dev.domainkeeper.api;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.linecorp.armeria.common.RequestContext;
import com.linecorp.armeria.common.grpc.GrpcExceptionHandlerFunction;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.domainkeeper.domain.InvalidInputException;
import dev.domainkeeper.errors.AlreadyExistsException;
import dev.domainkeeper.errors.ConcurrentChangeException;
import dev.domainkeeper.errors.NotFoundException;
import dev.domainkeeper.errors.PreconditionFailedException;
import dev.domainkeeper.errors.QuotaExceededException;
import dev.domainkeeper.errors.RetryLaterException;
import dev.domainkeeper.errors.UnauthenticatedException;
import dev.domainkeeper.proto.common.v1.MessageClassOuterClass;
import dev.domainkeeper.proto.domains.v1.Domains;
import dev.domainkeeper.proto.submissions.v1.Submissions;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
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
        copyRetryHintToHeader(ctx, metadata);
        return mapped;
    }

    /**
     * Sends the {@code retry-after} hint in {@code metadata} also as an HTTP response header: over
     * HTTP/JSON the trailers are not sent, so the hint travels as the standard header.
     */
    static void copyRetryHintToHeader(RequestContext ctx, Metadata metadata) {
        String retryAfter = metadata.get(RETRY_AFTER);
        if (retryAfter != null && ctx instanceof ServiceRequestContext sctx) {
            sctx.addAdditionalResponseHeader("retry-after", retryAfter);
        }
    }

    /** Returns the status for an exception. */
    static Status toStatus(Throwable e) {
        if (e instanceof StatusRuntimeException sre) {
            return sre.getStatus();
        }
        if (e instanceof StatusException se) {
            return se.getStatus();
        }
        if (e instanceof InvalidProtocolBufferException) {
            return Status.INVALID_ARGUMENT.withDescription(describeParseError(e.getMessage()));
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
        if (e instanceof QuotaExceededException) {
            return Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage());
        }
        if (e instanceof RetryLaterException r) {
            Status s = r.reason() == RetryLaterException.Reason.RATE_LIMITED
                    ? Status.RESOURCE_EXHAUSTED
                    : Status.UNAVAILABLE;
            return s.withDescription(
                    e.getMessage() + " (retry after " + r.retryAfter().toSeconds() + "s)");
        }
        if (isDatabaseUnavailable(e)) {
            return Status.UNAVAILABLE.withDescription(
                    "the database is not answering (retry after " + DATABASE_RETRY.toSeconds() + "s)");
        }
        log.error("Unexpected error in an RPC", e);
        return Status.INTERNAL.withDescription("internal error; see the server log");
    }

    /**
     * Returns true when {@code e}, or anything that caused it, says the database cannot be reached
     * or cannot serve for now: JDBI could not open a handle, the pool timed out waiting for a
     * connection (Hikari's {@link java.sql.SQLTransientConnectionException}), or the driver lost the
     * connection mid-statement, which JDBI wraps as an {@code UnableToExecuteStatementException}
     * around an {@link SQLException} with SQLState class 08 (connection exception), 57P01-57P03
     * (the server is shutting down or starting) or 53300 (too many connections), or SQLite stayed
     * busy (locked by other writers) beyond its busy timeout.
     */
    static boolean isDatabaseUnavailable(Throwable e) {
        int depth = 0;
        for (Throwable t = e; t != null && depth < 16; t = t.getCause() == t ? null : t.getCause(), depth++) {
            if (t instanceof ConnectionException || t instanceof SQLTransientException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                if (state.startsWith("08") || state.startsWith("57P0") || state.equals("53300")) {
                    return true;
                }
            }
            if (t instanceof SQLException sql
                    && sql.getMessage() != null
                    && (sql.getMessage().startsWith("[SQLITE_BUSY]")
                            || sql.getMessage().startsWith("[SQLITE_LOCKED]"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Turns a JSON parse error into a message naming the field where the parser says which enum
     * was wrong; other parse errors name the body.
     */
    static String describeParseError(String parserMessage) {
        String m = parserMessage == null ? "" : parserMessage;
        Matcher enumError = ENUM_ERROR.matcher(m);
        if (enumError.find()) {
            EnumDescriptor type = ENUM_TYPES.get(enumError.group(1));
            if (type != null) {
                String fields = String.join(" or ", ENUM_FIELDS.getOrDefault(type.getFullName(), List.of("body")));
                String expected = type.getValues().stream()
                        .map(EnumValueDescriptor::getName)
                        .filter(n -> !n.endsWith("_UNSPECIFIED"))
                        .collect(Collectors.joining(", "));
                return fields + ": not a known value (expected one of: " + expected + ")";
            }
        }
        return "body: not a valid request: " + m;
    }

    private static final Pattern ENUM_ERROR = Pattern.compile("for enum type: ([\\w.]+)");
    private static final Map<String, EnumDescriptor> ENUM_TYPES = new HashMap<>();
    private static final Map<String, List<String>> ENUM_FIELDS = new HashMap<>();

    static {
        for (FileDescriptor file :
                List.of(Domains.getDescriptor(), Submissions.getDescriptor(), MessageClassOuterClass.getDescriptor())) {
            file.getEnumTypes().forEach(t -> ENUM_TYPES.put(t.getFullName(), t));
            for (Descriptor message : file.getMessageTypes()) {
                message.getEnumTypes().forEach(t -> ENUM_TYPES.put(t.getFullName(), t));
                for (FieldDescriptor f : message.getFields()) {
                    if (f.getJavaType() == FieldDescriptor.JavaType.ENUM
                            && message.getName().endsWith("Request")) {
                        List<String> names =
                                ENUM_FIELDS.computeIfAbsent(f.getEnumType().getFullName(), k -> new ArrayList<>());
                        if (!names.contains(f.getName())) {
                            names.add(f.getName());
                        }
                    }
                }
            }
        }
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
