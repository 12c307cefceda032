package dev.domainkeeper.domain;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Names the events Domainkeeper records in its outbox and delivers to webhook endpoints; each has
 * the stable wire name a receiver switches on (see docs/WEBHOOKS.md for the payloads).
 */
public enum EventType {
    DOMAIN_CREATED("domain.created"),
    DOMAIN_UPDATED("domain.updated"),
    DOMAIN_DELETED("domain.deleted"),
    DOMAIN_VERIFIED("domain.verified"),
    DOMAIN_VERIFICATION_FAILED("domain.verification_failed"),
    DOMAIN_DNS_DRIFT("domain.dns_drift"),
    DOMAIN_DNS_RESTORED("domain.dns_restored"),
    DNS_APPLY_COMPLETED("dns_apply.completed"),
    DNS_APPLY_FAILED("dns_apply.failed"),
    SUBMISSION_SENT("submission.sent"),
    SUBMISSION_FAILED("submission.failed"),
    /** Sent only to the one endpoint a caller asked to test; no endpoint subscribes to it. */
    WEBHOOK_TEST("webhook.test");

    private final String wireName;

    EventType(String wireName) {
        this.wireName = wireName;
    }

    /** Returns the name on the wire, e.g. {@code domain.verified}. */
    public String wireName() {
        return wireName;
    }

    /** Returns the types an endpoint may subscribe to (every type but the test event). */
    public static List<EventType> subscribable() {
        return Arrays.stream(values()).filter(t -> t != WEBHOOK_TEST).toList();
    }

    /** Returns the subscribable type with this wire name. */
    public static Optional<EventType> ofWireName(String name) {
        return subscribable().stream().filter(t -> t.wireName.equals(name)).findFirst();
    }

    @Override
    public String toString() {
        return wireName;
    }
}
