package dev.domainkeeper.webhooks;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Holds the operator's webhook settings: whether plain http URLs are allowed (development only),
 * whether private, loopback and link-local targets are allowed (tests, closed networks), how long one
 * delivery attempt may take, and how many attempts may be under way to one endpoint at once.
 */
public record WebhookSettings(boolean allowHttp, boolean allowPrivate, Duration attemptTimeout, int maxPerEndpoint) {
    public WebhookSettings {
        requireNonNull(attemptTimeout, "attemptTimeout");
        if (maxPerEndpoint < 1) {
            throw new IllegalArgumentException("maxPerEndpoint: " + maxPerEndpoint + " (expected: >= 1)");
        }
    }
}
