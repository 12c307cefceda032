package dev.domainkeeper.events;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.domainkeeper.domain.Domain;
import dev.domainkeeper.domain.EventType;
import dev.domainkeeper.domain.Ids;
import dev.domainkeeper.domain.Submission;
import dev.domainkeeper.store.DomainStore;
import dev.domainkeeper.store.OutboxEvent;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * Makes the events of the outbox: each has a stable id ({@code evt_...}, also the {@code webhook-id}
 * of every delivery of it), a type, a timestamp and the resource as the API returns it, in the
 * envelope docs/WEBHOOKS.md describes:
 *
 * <pre>{"id": "evt_...", "type": "domain.verified", "timestamp": "2026-...Z", "data": {"domain": {...}}}</pre>
 *
 * <p>The {@code *Event} methods only build the event, for a store to append in the transaction of
 * the change it reports; {@link #recordDomain} appends one on its own, in one call.
 */
public final class EventRecorder {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DomainStore store;
    private final EventResources resources;
    private final Clock clock;

    public EventRecorder(DomainStore store, EventResources resources, Clock clock) {
        this.store = requireNonNull(store, "store");
        this.resources = requireNonNull(resources, "resources");
        this.clock = requireNonNull(clock, "clock");
    }

    /** Returns the event {@code type} about the domain {@code d} as it is now. */
    public OutboxEvent domainEvent(EventType type, Domain d) {
        return domainEvent(type, d, Map.of());
    }

    /**
     * Returns the event {@code type} about {@code d}, with {@code details} beside the domain in its
     * data (for example the drifted records of {@code domain.dns_drift}); a detail is any value
     * Jackson writes as JSON.
     */
    public OutboxEvent domainEvent(EventType type, Domain d, Map<String, ?> details) {
        ObjectNode data = JSON.createObjectNode();
        data.set("domain", parse(resources.domain(d)));
        details.forEach((k, v) -> data.set(k, JSON.valueToTree(v)));
        return event(type, d.accountId(), d.id(), data, null);
    }

    /**
     * Appends the event {@code type} about {@code d} (with {@code details}, see
     * {@link #domainEvent(EventType, Domain, Map)}) to the outbox, with its webhook deliveries. For a
     * finding that changes no domain row, such as a DNS drift; a change of the row records its events
     * with the row instead.
     */
    public void recordDomain(EventType type, Domain d, Map<String, ?> details) {
        store.record(domainEvent(type, d, details));
    }

    /** Returns the event {@code type} about the submission {@code s} in the state given. */
    public OutboxEvent submissionEvent(EventType type, Submission s) {
        ObjectNode data = JSON.createObjectNode();
        data.set("submission", parse(resources.submission(s)));
        return event(type, s.accountId(), s.domainId(), data, null);
    }

    /** Appends a {@code webhook.test} event for the one endpoint {@code endpointId}; returns its id. */
    public String recordTest(String accountId, String endpointId) {
        ObjectNode data = JSON.createObjectNode();
        data.put("webhook_id", endpointId);
        data.put("message", "This is a test event sent on request; it changes nothing.");
        OutboxEvent e = event(EventType.WEBHOOK_TEST, accountId, "", data, endpointId);
        store.record(e);
        return e.id();
    }

    private OutboxEvent event(EventType type, String accountId, String domainId, ObjectNode data, String only) {
        String id = Ids.newId("evt");
        // Milliseconds, as the database keeps times.
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        ObjectNode envelope = JSON.createObjectNode();
        envelope.put("id", id);
        envelope.put("type", type.wireName());
        envelope.put("timestamp", now.toString());
        envelope.set("data", data);
        try {
            return new OutboxEvent(
                    id, accountId, domainId, type.wireName(), JSON.writeValueAsString(envelope), now, only);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an event does not serialize", e);
        }
    }

    private static ObjectNode parse(String json) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IllegalStateException("a rendered resource is not a JSON object", e);
        }
    }
}
