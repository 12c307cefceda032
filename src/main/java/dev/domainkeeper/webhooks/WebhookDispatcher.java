package dev.domainkeeper.webhooks;

import static java.util.Objects.requireNonNull;

import com.google.common.base.Supplier;
import com.google.common.base.Suppliers;
import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.Endpoint;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.SessionProtocol;
import dev.domainkeeper.domain.Ids;
import dev.domainkeeper.domain.WebhookAttempt;
import dev.domainkeeper.domain.WebhookEndpoint;
import dev.domainkeeper.jobs.LeasedJobLoop;
import dev.domainkeeper.store.WebhookStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the queued webhook events: claims due deliveries on a {@link LeasedJobLoop} shared by every
 * node, and hands each to its endpoint's own lane (at most {@link WebhookSettings#maxPerEndpoint()}
 * requests at once, each bounded by {@link WebhookSettings#attemptTimeout()}), so a slow or hanging
 * receiver holds up only its own lane, never the loop or another endpoint.
 *
 * <p>Each attempt is counted before the request goes out, signed per the Standard Webhooks
 * specification and logged with its outcome. A 2xx answer delivers the event; anything else is
 * retried after {@link #RETRY_DELAYS} (each with up to 20 % jitter) and given up after
 * {@link #MAX_ATTEMPTS} attempts. An endpoint whose deliveries all failed for {@link #DISABLE_AFTER}
 * is disabled, with the reason on the endpoint. Deliveries of one domain to one endpoint go out in
 * order: the queue hands out the next only once the earlier one is delivered or given up. Delivery
 * is at least once: a node that dies mid-request leaves the delivery to its lease, and another node
 * sends it again. See docs/WEBHOOKS.md.
 */
public final class WebhookDispatcher implements AutoCloseable {
    /** The waits after each failed attempt: about a day and a half of retries in all. */
    public static final List<Duration> RETRY_DELAYS = List.of(
            Duration.ofSeconds(5),
            Duration.ofMinutes(5),
            Duration.ofMinutes(30),
            Duration.ofHours(2),
            Duration.ofHours(5),
            Duration.ofHours(10),
            Duration.ofHours(14));
    /** The attempts an event gets: the first and one per retry delay. */
    public static final int MAX_ATTEMPTS = RETRY_DELAYS.size() + 1;
    /** An endpoint whose deliveries failed without a success for this long is disabled. */
    public static final Duration DISABLE_AFTER = Duration.ofDays(5);
    /** How long a claim holds a delivery by default. */
    public static final Duration LEASE = Duration.ofMinutes(2);
    /** How long a delivery waits when its endpoint's lane is full. */
    static final Duration BUSY_DELAY = Duration.ofSeconds(1);
    /** Deliveries one lane holds waiting beyond those under way. */
    private static final int LANE_QUEUE = 50;

    private static final int MAX_CLAIM = 20;
    private static final int MAX_RESPONSE_BYTES = 64 * 1024;
    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);

    private final WebhookStore store;
    private final WebhookService service;
    private final WebhookTargets targets;
    private final WebhookSettings settings;
    private final Clock clock;
    private final Duration lease;
    /** Made at the first delivery: building one sets up TLS (about a tenth of the start-up). */
    private final Supplier<ClientFactory> http;

    private volatile boolean httpMade;
    private final LeasedJobLoop<WebhookStore.Delivery> loop;
    private final Map<String, ThreadPoolExecutor> lanes = new ConcurrentHashMap<>();

    public WebhookDispatcher(
            WebhookStore store,
            WebhookService service,
            WebhookTargets targets,
            WebhookSettings settings,
            Clock clock,
            Duration lease) {
        this.store = requireNonNull(store, "store");
        this.service = requireNonNull(service, "service");
        this.targets = requireNonNull(targets, "targets");
        this.settings = requireNonNull(settings, "settings");
        this.clock = requireNonNull(clock, "clock");
        this.lease = requireNonNull(lease, "lease");
        this.http = Suppliers.memoize(() -> {
            httpMade = true;
            return ClientFactory.builder()
                    .connectTimeout(settings.attemptTimeout())
                    .idleTimeout(Duration.ofSeconds(30))
                    .build();
        });
        this.loop = new LeasedJobLoop<>(
                "webhook-delivery", store, this::hand, clock, lease, LeasedJobLoop.Limits.perPass(MAX_CLAIM, 1000));
    }

    /** Starts delivering every {@code interval}. */
    public void start(Duration interval) {
        loop.start(interval);
    }

    /** Hands the deliveries due now to their lanes; returns how many were claimed. */
    public int runOnce() {
        return loop.runOnce().claimed();
    }

    /** Returns how many attempts are under way or waiting in the lanes of this node (tests wait for 0). */
    public int inFlight() {
        return lanes.values().stream()
                .mapToInt(l -> l.getActiveCount() + l.getQueue().size())
                .sum();
    }

    private boolean hand(WebhookStore.Delivery d, String claim) {
        Instant now = clock.instant();
        Optional<WebhookEndpoint> endpoint = service.find(d.accountId(), d.endpointId());
        if (endpoint.isEmpty() || !endpoint.get().enabled()) {
            store.markFailed(d.id(), claim, now); // Deleted or disabled meanwhile.
            return true;
        }
        try {
            lane(d.endpointId()).execute(() -> attempt(d, claim, endpoint.get()));
        } catch (RejectedExecutionException full) {
            store.postpone(d.id(), claim, now.plus(BUSY_DELAY), now);
        }
        return false;
    }

    private ThreadPoolExecutor lane(String endpointId) {
        return lanes.computeIfAbsent(endpointId, id -> {
            ThreadPoolExecutor e = new ThreadPoolExecutor(
                    settings.maxPerEndpoint(),
                    settings.maxPerEndpoint(),
                    30,
                    TimeUnit.SECONDS,
                    new ArrayBlockingQueue<>(LANE_QUEUE),
                    r -> {
                        Thread t = new Thread(r, "webhook-" + id);
                        t.setDaemon(true);
                        return t;
                    });
            e.allowCoreThreadTimeOut(true);
            return e;
        });
    }

    private void attempt(WebhookStore.Delivery d, String claim, WebhookEndpoint e) {
        Instant started = clock.instant();
        // The delivery may have waited in the lane: renew right before the request, and count the attempt.
        if (!store.renewLease(d.id(), claim, started.plus(lease)) || !store.beginAttempt(d.id(), claim, started)) {
            log.info("Webhook delivery {} was taken over by another claim; not sending it", d.id());
            return;
        }
        int attempt = d.attempts() + 1;
        long t0 = System.nanoTime();
        int status = 0;
        String error;
        try {
            WebhookTargets.Result resolved = targets.resolveForDelivery(e.url());
            if (resolved.target() == null) {
                error = "refused: " + resolved.refusal();
            } else {
                AggregatedHttpResponse response = post(resolved.target(), d, service.signingSecrets(e, started));
                status = response.status().code();
                error = status >= 200 && status < 300 ? "" : "the receiver answered HTTP " + status;
            }
        } catch (CompletionException | IllegalStateException ex) {
            Throwable cause = ex instanceof CompletionException && ex.getCause() != null ? ex.getCause() : ex;
            error = describe(cause);
        } catch (RuntimeException ex) {
            error = describe(ex);
        }
        long latency = Duration.ofNanos(System.nanoTime() - t0).toMillis();
        finish(
                d,
                claim,
                e,
                new WebhookAttempt(
                        Ids.newId("wha"),
                        e.id(),
                        d.eventId(),
                        d.eventType(),
                        attempt,
                        started,
                        status,
                        latency,
                        error));
    }

    /** Sends the event to the checked address, with the URL's host as Host header and TLS server name. */
    private AggregatedHttpResponse post(WebhookTargets.Target target, WebhookStore.Delivery d, List<String> secrets) {
        long timestamp = clock.instant().getEpochSecond();
        Endpoint endpoint = Endpoint.of(target.url().getHost(), target.port())
                .withIpAddr(target.address().getHostAddress());
        WebClient client = WebClient.builder(SessionProtocol.of(target.url().getScheme()), endpoint)
                .factory(http.get())
                .responseTimeout(settings.attemptTimeout())
                .maxResponseLength(MAX_RESPONSE_BYTES)
                .build();
        String path =
                target.url().getRawPath() == null || target.url().getRawPath().isEmpty()
                        ? "/"
                        : target.url().getRawPath();
        if (target.url().getRawQuery() != null) {
            path += "?" + target.url().getRawQuery();
        }
        RequestHeaders headers = RequestHeaders.builder(HttpMethod.POST, path)
                .contentType(MediaType.JSON_UTF_8)
                .add("user-agent", "Domainkeeper-Webhooks/1")
                .add("webhook-id", d.eventId())
                .add("webhook-timestamp", Long.toString(timestamp))
                .add("webhook-signature", WebhookSignatures.header(secrets, d.eventId(), timestamp, d.payload()))
                .build();
        return client.execute(HttpRequest.of(headers, HttpData.ofUtf8(d.payload())))
                .aggregate()
                .join();
    }

    private void finish(WebhookStore.Delivery d, String claim, WebhookEndpoint e, WebhookAttempt a) {
        store.insertAttempt(d.accountId(), d.id(), a);
        Instant now = clock.instant();
        if (a.succeeded()) {
            store.markDelivered(d.id(), claim, now);
            store.recordSuccess(e.id());
            return;
        }
        log.info("Webhook delivery {} attempt {} failed: {}", d.id(), a.attempt(), a.error());
        String reason = "every delivery failed for " + DISABLE_AFTER.toDays() + " days; the last: " + a.error();
        if (store.recordFailure(e.id(), now, now.minus(DISABLE_AFTER), reason)) {
            log.warn("Webhook endpoint {} disabled: {}", e.id(), reason);
            return;
        }
        if (a.attempt() >= MAX_ATTEMPTS) {
            store.markFailed(d.id(), claim, now);
        } else {
            store.markRetry(d.id(), claim, now.plus(retryDelay(a.attempt())), now);
        }
    }

    /** Returns the wait after the {@code attempt}-th failed attempt, with up to 20 % jitter either way. */
    static Duration retryDelay(int attempt) {
        Duration base = RETRY_DELAYS.get(Math.min(attempt, RETRY_DELAYS.size()) - 1);
        double factor = 0.8 + 0.4 * ThreadLocalRandom.current().nextDouble();
        return Duration.ofMillis((long) (base.toMillis() * factor));
    }

    private static String describe(Throwable t) {
        String name = t.getClass().getSimpleName();
        return name.contains("Timeout")
                ? "no answer within the attempt timeout (" + name + ")"
                : "the request failed: " + name + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    @Override
    public void close() {
        loop.close();
        lanes.values().forEach(ThreadPoolExecutor::shutdownNow);
        if (httpMade) {
            http.get().close();
        }
    }
}
