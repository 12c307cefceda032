package dev.domainkeeper.domain;

import java.util.List;

/** Holds the Easy DKIM tokens SES issued and the zone the CNAMEs point into (e.g. dkim.amazonses.com). */
public record DkimSetup(List<String> tokens, String signingHostedZone) {
    public DkimSetup {
        tokens = List.copyOf(tokens);
    }
}
