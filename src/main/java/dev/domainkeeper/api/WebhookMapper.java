package dev.domainkeeper.api;

import dev.domainkeeper.domain.WebhookAttempt;
import dev.domainkeeper.domain.WebhookEndpoint;
import dev.domainkeeper.proto.webhooks.v1.DeliveryAttempt;
import dev.domainkeeper.proto.webhooks.v1.Webhook;
import dev.domainkeeper.webhooks.WebhookService;

/** Maps webhook endpoints and their delivery log between the model and webhooks.v1. */
final class WebhookMapper {
    private WebhookMapper() {}

    static Webhook toProto(WebhookEndpoint e, java.time.Instant now) {
        Webhook.Builder b = Webhook.newBuilder()
                .setId(e.id())
                .setUrl(e.url())
                .setDescription(e.description())
                .setEnabled(e.enabled())
                .setDisabledReason(e.disabledReason())
                .setCreatedAt(DomainMapper.timestamp(e.createdAt()))
                .setUpdatedAt(DomainMapper.timestamp(e.updatedAt()));
        if (e.eventTypes().isEmpty()) {
            b.addEventTypes("*");
        } else {
            e.eventTypes().forEach(t -> b.addEventTypes(t.wireName()));
        }
        if (e.disabledAt() != null) {
            b.setDisabledAt(DomainMapper.timestamp(e.disabledAt()));
        }
        if (e.previousSecretActive(now)) {
            b.setPreviousSecretExpiresAt(DomainMapper.timestamp(e.previousUntil()));
        }
        return b.build();
    }

    static DeliveryAttempt toProto(WebhookAttempt a) {
        return DeliveryAttempt.newBuilder()
                .setId(a.id())
                .setEventId(a.eventId())
                .setEventType(a.eventType())
                .setAttempt(a.attempt())
                .setAttemptedAt(DomainMapper.timestamp(a.attemptedAt()))
                .setHttpStatus(a.httpStatus())
                .setLatencyMs(a.latencyMillis())
                .setError(a.error())
                .build();
    }

    static WebhookService.UpdateCommand toCommand(dev.domainkeeper.proto.webhooks.v1.UpdateWebhookRequest r) {
        return new WebhookService.UpdateCommand(
                r.hasUrl() ? r.getUrl() : null,
                r.getEventTypesList(),
                r.hasDescription() ? r.getDescription() : null,
                r.hasEnabled() ? r.getEnabled() : null);
    }
}
