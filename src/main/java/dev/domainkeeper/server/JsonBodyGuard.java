package dev.domainkeeper.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.Status;
import java.io.IOException;

/**
 * Guards the HTTP/JSON side of the API before transcoding: a body sent without a JSON content type
 * (curl's {@code -d} sends a form type) is treated as JSON, and a body that is not exactly one
 * well-formed JSON object in valid UTF-8 (trailing garbage included) is refused with a JSON error
 * naming the body. gRPC and gRPC-Web requests pass untouched.
 */
final class JsonBodyGuard implements DecoratingHttpServiceFunction {
    private static final JsonFactory JSON = new JsonFactory();

    @Override
    public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req) throws Exception {
        MediaType type = req.contentType();
        boolean hasBody =
                req.method() == HttpMethod.POST || req.method() == HttpMethod.PATCH || req.method() == HttpMethod.PUT;
        boolean grpc = type != null && (type.subtype().startsWith("grpc") || type.is(MediaType.PROTOBUF));
        if (!hasBody || grpc) {
            return delegate.serve(ctx, req);
        }
        return HttpResponse.of(req.aggregate().thenApply(agg -> {
            String problem = syntaxProblem(agg);
            if (problem != null) {
                return JsonErrors.render(HttpStatus.BAD_REQUEST, Status.Code.INVALID_ARGUMENT, "body: " + problem)
                        .toHttpResponse();
            }
            HttpRequest json = agg.toHttpRequest(
                    agg.headers().toBuilder().contentType(MediaType.JSON_UTF_8).build());
            ctx.updateRequest(json);
            try {
                return delegate.serve(ctx, json);
            } catch (Exception e) {
                return HttpResponse.ofFailure(e);
            }
        }));
    }

    /** Returns why the body is not one JSON object (a fixed phrase, never echoing input), or null. */
    private static String syntaxProblem(AggregatedHttpRequest agg) {
        byte[] body = agg.content().array();
        if (body.length == 0) {
            return null; // An empty body is an empty request message.
        }
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return "not a JSON object (expected: {...})";
            }
            p.skipChildren();
            if (p.nextToken() != null) {
                return "unexpected content after the JSON object";
            }
            return null;
        } catch (IOException e) {
            String m = String.valueOf(e.getMessage());
            return m.contains("UTF-8") || m.contains("UTF8") ? "not valid UTF-8" : "not valid JSON";
        }
    }
}
