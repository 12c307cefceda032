package dev.domainkeeper.domain;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * Is one attempt to deliver an event to a webhook endpoint, as the delivery log shows it.
 *
 * @param httpStatus the receiver's HTTP status, 0 when no answer came (refused address, timeout,
 *     connection error)
 * @param error what went wrong, empty after a 2xx answer
 */
public record WebhookAttempt(
        String id,
        String endpointId,
        String eventId,
        String eventType,
        int attempt,
        Instant attemptedAt,
        int httpStatus,
        long latencyMillis,
        String error) {
    public WebhookAttempt {
        requireNonNull(id, "id");
        requireNonNull(endpointId, "endpointId");
        requireNonNull(eventId, "eventId");
        requireNonNull(eventType, "eventType");
        requireNonNull(attemptedAt, "attemptedAt");
        requireNonNull(error, "error");
    }

    /** Returns whether the receiver took the event (a 2xx answer). */
    public boolean succeeded() {
        return httpStatus >= 200 && httpStatus < 300;
    }
}
