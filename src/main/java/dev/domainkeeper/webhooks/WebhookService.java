package dev.domainkeeper.webhooks;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.domain.EventType;
import dev.domainkeeper.domain.Ids;
import dev.domainkeeper.domain.InvalidInputException;
import dev.domainkeeper.domain.WebhookAttempt;
import dev.domainkeeper.domain.WebhookEndpoint;
import dev.domainkeeper.domains.PageTokens;
import dev.domainkeeper.errors.NotFoundException;
import dev.domainkeeper.events.EventRecorder;
import dev.domainkeeper.secrets.SecretBox;
import dev.domainkeeper.store.WebhookStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Manages the webhook endpoints of an account: create (the signing secret is shown once), list, get,
 * update (also re-enabling an endpoint that was disabled), delete, rotate the secret (the old one
 * keeps signing beside the new one for {@link #ROTATION_GRACE}), send a test event, and read the
 * delivery log. Everything is scoped by account: another account's endpoint id answers exactly like
 * an unknown one. Secrets are sealed with the {@link SecretBox}, bound to the account and endpoint.
 */
public final class WebhookService {
    /** How long the secret before a rotation keeps signing beside the new one. */
    public static final Duration ROTATION_GRACE = Duration.ofHours(24);
    /** The longest description kept. */
    static final int MAX_DESCRIPTION = 500;

    private static final String LISTING = "webhooks";
    private static final String LOG_LISTING = "webhook-deliveries";

    private final WebhookStore store;
    private final WebhookTargets targets;
    private final SecretBox box;
    private final EventRecorder events;
    private final PageTokens pageTokens;
    private final Clock clock;

    public WebhookService(
            WebhookStore store,
            WebhookTargets targets,
            SecretBox box,
            EventRecorder events,
            PageTokens pageTokens,
            Clock clock) {
        this.store = requireNonNull(store, "store");
        this.targets = requireNonNull(targets, "targets");
        this.box = requireNonNull(box, "box");
        this.events = requireNonNull(events, "events");
        this.pageTokens = requireNonNull(pageTokens, "pageTokens");
        this.clock = requireNonNull(clock, "clock");
    }

    /** What CreateWebhook asks for; an empty {@code eventTypes} (or {@code *}) means every type. */
    public record CreateCommand(String url, List<String> eventTypes, String description) {}

    /** What UpdateWebhook changes; null fields (and an empty {@code eventTypes}) stay as they are. */
    public record UpdateCommand(String url, List<String> eventTypes, String description, Boolean enabled) {}

    /** An endpoint with a signing secret in clear text, shown this once. */
    public record WithSecret(WebhookEndpoint endpoint, String secret) {}

    /** One page of endpoints; {@code nextPageToken} is empty on the last page. */
    public record Page(List<WebhookEndpoint> endpoints, String nextPageToken) {}

    /** One page of the delivery log, newest first; {@code nextPageToken} is empty on the last page. */
    public record AttemptPage(List<WebhookAttempt> attempts, String nextPageToken) {}

    /** Creates an endpoint with a new signing secret, which the answer shows once. */
    public WithSecret create(String accountId, CreateCommand cmd) {
        String url = targets.checkNew("url", cmd.url());
        List<EventType> types = eventTypes(cmd.eventTypes() == null ? List.of() : cmd.eventTypes());
        String description = description(cmd.description());
        String id = Ids.newId("whk");
        String secret = WebhookSignatures.newSecret();
        // Sealing first: without the operator's key nothing is stored.
        String sealed = box.seal(secret, context(accountId, id));
        Instant now = clock.instant();
        WebhookEndpoint e = new WebhookEndpoint(
                id, accountId, url, description, types, true, "", null, sealed, "", null, null, now, now);
        store.insert(e);
        return new WithSecret(e, secret);
    }

    /** Returns one page of the account's endpoints in creation order. */
    public Page list(String accountId, int pageSize, String pageToken) {
        int size = pageSize(pageSize);
        long after = pageToken == null || pageToken.isEmpty() ? 0 : pageTokens.read(LISTING, accountId, pageToken);
        List<WebhookStore.Listed> rows = store.list(accountId, after, size + 1);
        List<WebhookEndpoint> page =
                rows.stream().limit(size).map(WebhookStore.Listed::endpoint).toList();
        return new Page(
                page,
                rows.size() <= size
                        ? ""
                        : pageTokens.create(
                                LISTING, accountId, rows.get(size - 1).position()));
    }

    /** Returns an endpoint of the account, or NOT_FOUND. */
    public WebhookEndpoint get(String accountId, String id) {
        if (id == null || id.isBlank()) {
            throw new InvalidInputException("id: must not be empty (expected: a webhook id like whk_...)");
        }
        return store.find(accountId, id.trim())
                .orElseThrow(() -> new NotFoundException("id: no webhook " + id.trim() + " in this account"));
    }

    /**
     * Changes the fields present in {@code cmd}. Setting {@code enabled} true re-enables an endpoint
     * that was disabled (clearing why and when); false disables it by hand.
     */
    public WebhookEndpoint update(String accountId, String id, UpdateCommand cmd) {
        WebhookEndpoint e = get(accountId, id);
        // Everything is checked before anything is written.
        String url = cmd.url() == null ? e.url() : targets.checkNew("url", cmd.url());
        List<EventType> types =
                cmd.eventTypes() == null || cmd.eventTypes().isEmpty() ? e.eventTypes() : eventTypes(cmd.eventTypes());
        String description = cmd.description() == null ? e.description() : description(cmd.description());
        Instant now = clock.instant();
        boolean enabled = cmd.enabled() == null ? e.enabled() : cmd.enabled();
        boolean reEnabled = enabled && !e.enabled();
        WebhookEndpoint next = new WebhookEndpoint(
                e.id(),
                e.accountId(),
                url,
                description,
                types,
                enabled,
                enabled ? "" : e.enabled() ? "disabled by the account" : e.disabledReason(),
                enabled ? null : e.enabled() ? now : e.disabledAt(),
                e.secretSealed(),
                e.previousSealed(),
                e.previousUntil(),
                reEnabled ? null : e.failingSince(),
                e.createdAt(),
                now);
        if (!store.update(next)) {
            throw new NotFoundException("id: no webhook " + id.trim() + " in this account");
        }
        return next;
    }

    /** Deletes an endpoint with its queued deliveries and its log. */
    public String delete(String accountId, String id) {
        WebhookEndpoint e = get(accountId, id);
        if (!store.delete(accountId, e.id())) {
            throw new NotFoundException("id: no webhook " + e.id() + " in this account");
        }
        return e.id();
    }

    /**
     * Replaces the signing secret with a new one, shown once; the old one keeps signing beside it
     * until {@link #ROTATION_GRACE} from now, so receivers can switch without losing an event.
     */
    public WithSecret rotateSecret(String accountId, String id) {
        WebhookEndpoint e = get(accountId, id);
        String secret = WebhookSignatures.newSecret();
        String sealed = box.seal(secret, context(accountId, e.id()));
        Instant now = clock.instant();
        WebhookEndpoint next = new WebhookEndpoint(
                e.id(),
                e.accountId(),
                e.url(),
                e.description(),
                e.eventTypes(),
                e.enabled(),
                e.disabledReason(),
                e.disabledAt(),
                sealed,
                e.secretSealed(),
                now.plus(ROTATION_GRACE),
                e.failingSince(),
                e.createdAt(),
                now);
        if (!store.update(next)) {
            throw new NotFoundException("id: no webhook " + e.id() + " in this account");
        }
        return new WithSecret(next, secret);
    }

    /** Queues a {@code webhook.test} event for the endpoint alone; returns the event's id. */
    public String sendTest(String accountId, String id) {
        WebhookEndpoint e = get(accountId, id);
        return events.recordTest(accountId, e.id());
    }

    /** Returns one page of the endpoint's delivery log, newest attempt first. */
    public AttemptPage deliveries(String accountId, String id, int pageSize, String pageToken) {
        WebhookEndpoint e = get(accountId, id);
        int size = pageSize(pageSize);
        String listing = LOG_LISTING + ":" + e.id();
        long before = pageToken == null || pageToken.isEmpty()
                ? Long.MAX_VALUE
                : pageTokens.read(listing, accountId, pageToken);
        List<WebhookStore.LoggedAttempt> rows = store.attempts(accountId, e.id(), before, size + 1);
        List<WebhookAttempt> page = rows.stream()
                .limit(size)
                .map(WebhookStore.LoggedAttempt::attempt)
                .toList();
        return new AttemptPage(
                page,
                rows.size() <= size
                        ? ""
                        : pageTokens.create(
                                listing, accountId, rows.get(size - 1).position()));
    }

    /** Returns the endpoint, for the delivery job (scoped by the delivery's account). */
    java.util.Optional<WebhookEndpoint> find(String accountId, String id) {
        return store.find(accountId, id);
    }

    /** Returns the secrets that sign for the endpoint at {@code now}: the current one, and the previous one in its grace. */
    List<String> signingSecrets(WebhookEndpoint e, Instant now) {
        List<String> out = new ArrayList<>();
        out.add(box.open(e.secretSealed(), context(e.accountId(), e.id())));
        if (e.previousSecretActive(now)) {
            out.add(box.open(e.previousSealed(), context(e.accountId(), e.id())));
        }
        return out;
    }

    private static String context(String accountId, String endpointId) {
        return "webhook:" + accountId + ":" + endpointId;
    }

    private static int pageSize(int pageSize) {
        if (pageSize < 0) {
            throw new InvalidInputException("page_size: " + pageSize + " (expected: >= 0)");
        }
        return pageSize == 0 ? 50 : Math.min(pageSize, 100);
    }

    private static String description(String d) {
        String text = d == null ? "" : d.trim();
        if (text.length() > MAX_DESCRIPTION) {
            throw new InvalidInputException(
                    "description: " + text.length() + " characters (expected: at most " + MAX_DESCRIPTION + ")");
        }
        return text;
    }

    /** Parses the event types asked for; {@code *} (or none) means every type. */
    static List<EventType> eventTypes(List<String> names) {
        Set<EventType> out = new LinkedHashSet<>();
        for (String name : names) {
            String n = name == null ? "" : name.trim();
            if (n.equals("*")) {
                return List.of();
            }
            out.add(EventType.ofWireName(n)
                    .orElseThrow(() -> new InvalidInputException("event_types: unknown event type \"" + n
                            + "\" (expected: * or any of "
                            + EventType.subscribable().stream()
                                    .map(EventType::wireName)
                                    .toList() + ")")));
        }
        return List.copyOf(out);
    }
}
