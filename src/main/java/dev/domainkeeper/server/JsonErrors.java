package dev.domainkeeper.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.server.ServerErrorHandler;
import com.linecorp.armeria.server.ServiceConfig;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.Status;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Renders the errors Armeria produces before a request reaches an RPC (a body that is not JSON, a
 * body over the size limit, an unknown path) as the same JSON shape the RPC errors use:
 * {@code {"code":3,"grpc-code":"INVALID_ARGUMENT","message":"body: ..."}}.
 */
final class JsonErrors implements ServerErrorHandler {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public HttpResponse onServiceException(ServiceRequestContext ctx, Throwable cause) {
        return null; // Falls through to the default handler, which calls renderStatus.
    }

    @Override
    public AggregatedHttpResponse renderStatus(
            ServiceRequestContext ctx,
            ServiceConfig config,
            RequestHeaders headers,
            HttpStatus status,
            String description,
            Throwable cause) {
        return render(status, description);
    }

    @Override
    public AggregatedHttpResponse onProtocolViolation(
            ServiceConfig config, RequestHeaders headers, HttpStatus status, String description, Throwable cause) {
        return render(status, description);
    }

    private static AggregatedHttpResponse render(HttpStatus status, String description) {
        Status.Code code = switch (status.code()) {
            case 400, 411, 415 -> Status.Code.INVALID_ARGUMENT;
            case 401 -> Status.Code.UNAUTHENTICATED;
            case 403 -> Status.Code.PERMISSION_DENIED;
            case 404, 405 -> Status.Code.NOT_FOUND;
            case 413 -> Status.Code.INVALID_ARGUMENT;
            case 429 -> Status.Code.RESOURCE_EXHAUSTED;
            case 503, 504 -> Status.Code.UNAVAILABLE;
            default -> status.code() >= 500 ? Status.Code.INTERNAL : Status.Code.INVALID_ARGUMENT;
        };
        String message = switch (status.code()) {
            case 400 -> "body: not a valid request (expected: a JSON object matching the request message)";
            case 413 -> "body: larger than the limit of 64 KiB";
            case 404 -> "path: no such resource";
            case 405 -> "method: not allowed on this path";
            case 415 -> "body: unsupported content type (expected: application/json)";
            default -> description == null ? status.reasonPhrase() : description;
        };
        return render(status, code, message);
    }

    /**
     * Renders an error as every HTTP/JSON error of the API looks, the RPCs' included:
     * {@code {"code":3,"grpc-code":"INVALID_ARGUMENT","message":"..."}}. The one place that shape is written.
     */
    static AggregatedHttpResponse render(HttpStatus status, Status.Code code, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", code.value());
        body.put("grpc-code", code.name());
        body.put("message", message);
        try {
            return AggregatedHttpResponse.of(status, MediaType.JSON_UTF_8, JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
