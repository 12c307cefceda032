package dev.domainkeeper.api;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.server.ServiceRequestContext;
import dev.domainkeeper.accounts.AccountService;
import dev.domainkeeper.errors.UnauthenticatedException;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Locale;

/**
 * Checks the bearer API key of every call (gRPC, gRPC-Web and HTTP/JSON alike) and puts the
 * caller's account into the call context. Keys are never logged.
 */
final class AuthInterceptor implements ServerInterceptor {
    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final AccountService accounts;

    AuthInterceptor(AccountService accounts) {
        this.accounts = requireNonNull(accounts, "accounts");
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Status failure;
        RuntimeException error;
        try {
            String accountId = accounts.authenticate(bearerToken(headers.get(AUTHORIZATION)));
            return Contexts.interceptCall(
                    Context.current().withValue(Caller.ACCOUNT_ID, accountId), call, headers, next);
        } catch (RuntimeException e) {
            error = e;
            failure = ErrorMapper.toStatus(e);
        }
        Metadata trailers = new Metadata();
        ErrorMapper.addRetryHint(error, failure, trailers);
        ErrorMapper.copyRetryHintToHeader(ServiceRequestContext.currentOrNull(), trailers);
        call.close(failure, trailers);
        return new ServerCall.Listener<>() {};
    }

    private static String bearerToken(String header) {
        if (header == null) {
            return null;
        }
        String h = header.trim();
        if (h.length() > 7 && h.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            return h.substring(7).trim();
        }
        throw new UnauthenticatedException("Authorization header must be \"Bearer <api key>\"");
    }
}
