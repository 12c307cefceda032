package dev.domainkeeper.server;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceConfig;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.SimpleDecoratingHttpService;
import com.linecorp.armeria.server.docs.DocService;

/**
 * Mounts the documentation service so that it describes the API at its first request instead of at
 * start. Armeria's {@link DocService} starts describing every service (each message, field and
 * enum of the API) on a thread of its own as soon as the server starts; on two cores that work
 * competed with the rest of start-up and cost about 0.1 s of the time to healthy, for a page few
 * callers ever open. Here the documentation service is told it was added only when a request
 * under {@code /docs} arrives; that request, and any made while the description is being built,
 * wait for it (about a second once).
 */
final class LazyDocs extends SimpleDecoratingHttpService {
    private ServiceConfig added;
    private volatile boolean told;

    LazyDocs(DocService docs) {
        super(requireNonNull(docs, "docs"));
    }

    /** Keeps the first configuration the server adds this service with, for the first request. */
    @Override
    public synchronized void serviceAdded(ServiceConfig cfg) {
        if (added == null) {
            added = cfg;
        }
    }

    @Override
    public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) throws Exception {
        HttpService docs = (HttpService) unwrap();
        if (!told) {
            tell(docs);
        }
        return docs.serve(ctx, req);
    }

    private synchronized void tell(HttpService docs) throws Exception {
        if (!told) {
            docs.serviceAdded(added);
            told = true;
        }
    }
}
