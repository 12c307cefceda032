package dev.domainkeeper.api;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.domainkeeper.proto.domains.v1.DomainsServiceGrpc;
import java.util.concurrent.CompletableFuture;

/**
 * Answers a plain {@code GET /domains/{id}} over HTTP/JSON straight from {@link GetDomainCache} when it
 * holds the unchanged answer and its JSON, without the way through transcoding and the gRPC call (which
 * is most of the cost of such an answer). Polling GetDomain until SES verifies a domain is what clients
 * do most. Only a key the API found active within its key cache's bound is taken here ({@link
 * AuthInterceptor#authenticatedRecently}, no database lookup), and the gRPC call of the same request
 * reuses the account; the answer, its status and its headers are what the API gives for the same read.
 * Anything else (a query string, another path, a key not seen lately or not valid, a domain not kept or
 * changed) goes to the API unchanged, which answers and, for a read, keeps the answer for the next
 * time.
 */
final class KeptAnswers implements DecoratingHttpServiceFunction {
    private static final String PREFIX = "/domains/";

    private final AuthInterceptor auth;
    private final GetDomainCache cache;

    KeptAnswers(AuthInterceptor auth, GetDomainCache cache) {
        this.auth = requireNonNull(auth, "auth");
        this.cache = requireNonNull(cache, "cache");
    }

    @Override
    public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req) throws Exception {
        String path = ctx.path();
        String authorization = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (req.method() != HttpMethod.GET
                || ctx.query() != null
                || authorization == null
                || !path.startsWith(PREFIX)
                || path.length() == PREFIX.length()
                // One plain path segment; anything encoded is the API's to decode.
                || path.indexOf('/', PREFIX.length()) >= 0
                || path.indexOf('%', PREFIX.length()) >= 0) {
            return delegate.serve(ctx, req);
        }
        String accountId = auth.authenticatedRecently(ctx, authorization);
        if (accountId == null) {
            // A key not seen lately, or not valid: the API authenticates it and says why not.
            return delegate.serve(ctx, req);
        }
        String id = path.substring(PREFIX.length());
        return HttpResponse.of(CompletableFuture.supplyAsync(
                        () -> cache.keptJson(accountId, id), ctx.blockingTaskExecutor())
                // A failed lookup (the database down, say) is the API's to answer too, in its own way.
                .handleAsync(
                        (json, failure) -> {
                            if (json != null) {
                                return answer(ctx, json);
                            }
                            try {
                                return delegate.serve(ctx, req);
                            } catch (Exception e) {
                                return HttpResponse.ofFailure(e);
                            }
                        },
                        ctx.eventLoop()));
    }

    /** The answer as the API gives it, so that metrics and logs name the same RPC. */
    private static HttpResponse answer(ServiceRequestContext ctx, byte[] json) {
        ctx.logBuilder().name(DomainsServiceGrpc.SERVICE_NAME, "GetDomain");
        return HttpResponse.of(
                ResponseHeaders.builder(HttpStatus.OK)
                        .add("grpc-encoding", "identity")
                        .add("grpc-accept-encoding", "gzip")
                        .add("grpc-status", "0")
                        .contentType(MediaType.JSON_UTF_8)
                        .build(),
                HttpData.wrap(json));
    }
}
