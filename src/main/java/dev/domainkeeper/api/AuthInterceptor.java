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
import io.netty.util.AttributeKey;
import java.util.Locale;

/**
 * Checks the bearer API key of every call (gRPC, gRPC-Web and HTTP/JSON alike) and puts the
 * caller's account into the call context. Keys are never logged.
 */
final class AuthInterceptor implements ServerInterceptor {
    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    /** The account of a request authenticated before its gRPC call (by {@link KeptAnswers}). */
    private static final AttributeKey<String> ACCOUNT = AttributeKey.valueOf(AuthInterceptor.class, "account");

    private final AccountService accounts;

    AuthInterceptor(AccountService accounts) {
        this.accounts = requireNonNull(accounts, "accounts");
    }

    /**
     * Returns the account of the request of {@code ctx} when its {@code authorization} header holds a
     * key found active within the key cache's bound ({@link AccountService#authenticatedRecently}), or
     * null; never asks the database, so it may run on an event loop. The gRPC call of the same request
     * reuses the account.
     */
    String authenticatedRecently(ServiceRequestContext ctx, String authorization) {
        String key;
        try {
            key = bearerToken(authorization);
        } catch (UnauthenticatedException e) {
            return null; // The call itself says why.
        }
        String accountId = accounts.authenticatedRecently(key).orElse(null);
        if (accountId != null) {
            ctx.setAttr(ACCOUNT, accountId);
        }
        return accountId;
    }

    /** Returns the caller's account, as authenticated earlier in this request or now. */
    private String account(Metadata headers) {
        ServiceRequestContext ctx = ServiceRequestContext.currentOrNull();
        String earlier = ctx == null ? null : ctx.attr(ACCOUNT);
        return earlier != null ? earlier : accounts.authenticate(bearerToken(headers.get(AUTHORIZATION)));
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Status failure;
        RuntimeException error;
        try {
            String accountId = account(headers);
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
