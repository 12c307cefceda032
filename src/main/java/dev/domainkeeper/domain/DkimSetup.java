package dev.domainkeeper.domain;

import java.util.List;

/** Holds the Easy DKIM tokens SES issued and the zone the CNAMEs point into (e.g. dkim.amazonses.com). */
public record DkimSetup(List<String> tokens, String signingHostedZone) {
    /** The zone SES's Easy DKIM CNAMEs point into in most regions (some have {@code dkim.<region>.amazonses.com}). */
    public static final String DEFAULT_SIGNING_ZONE = "dkim.amazonses.com";

    public DkimSetup {
        tokens = List.copyOf(tokens);
    }
}
