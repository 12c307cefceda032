package dev.domainkeeper.domain;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/**
 * Is one webhook endpoint of an account: where events go, which types it wants (empty: every
 * type), whether it is enabled (and if not, why and since when), and its signing secrets as sealed
 * by the secrets box (never in clear text here).
 *
 * @param previousSealed the secret before the last rotation, empty when none; it signs beside the
 *     current one until {@code previousUntil}
 */
public record WebhookEndpoint(
        String id,
        String accountId,
        String url,
        String description,
        List<EventType> eventTypes,
        boolean enabled,
        String disabledReason,
        Instant disabledAt,
        String secretSealed,
        String previousSealed,
        Instant previousUntil,
        Instant failingSince,
        Instant createdAt,
        Instant updatedAt) {
    public WebhookEndpoint {
        requireNonNull(id, "id");
        requireNonNull(accountId, "accountId");
        requireNonNull(url, "url");
        requireNonNull(description, "description");
        eventTypes = List.copyOf(eventTypes);
        requireNonNull(disabledReason, "disabledReason");
        requireNonNull(secretSealed, "secretSealed");
        requireNonNull(previousSealed, "previousSealed");
    }

    /** Returns whether the endpoint receives events of {@code type}. */
    public boolean wants(EventType type) {
        return eventTypes.isEmpty() || eventTypes.contains(type);
    }

    /** Returns whether the previous secret still signs at {@code now}. */
    public boolean previousSecretActive(Instant now) {
        return !previousSealed.isEmpty() && previousUntil != null && now.isBefore(previousUntil);
    }
}
