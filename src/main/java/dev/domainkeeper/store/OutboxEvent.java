package dev.domainkeeper.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * Is an event to append to the outbox ({@code domain_events}) in the transaction of the change it
 * reports. Recording it also queues one delivery per enabled webhook endpoint of the account that
 * subscribes to {@code type}, or only to {@code onlyEndpointId} when that is set (a test event).
 *
 * @param domainId the domain the event is about: deliveries of one domain to one endpoint keep their
 *     order; empty for an event of no domain
 * @param payload the JSON body delivered, as is, on every attempt
 */
public record OutboxEvent(
        String id,
        String accountId,
        String domainId,
        String type,
        String payload,
        Instant createdAt,
        String onlyEndpointId) {
    public OutboxEvent {
        requireNonNull(id, "id");
        requireNonNull(accountId, "accountId");
        requireNonNull(domainId, "domainId");
        requireNonNull(type, "type");
        requireNonNull(payload, "payload");
        requireNonNull(createdAt, "createdAt");
    }
}
