package dev.domainkeeper.domain;

import java.util.Optional;

/**
 * Says where a test email goes: a real recipient through the submission pipeline, or one of the
 * SES mailbox simulator's addresses (docs/AWS.md, "SES mailbox simulator"), which SES answers with a known outcome.
 */
public enum TestEmailType {
    /** A real send to the recipient the caller names, through the asynchronous submission pipeline. */
    NORMAL(null),
    /** Delivered. */
    SIMULATOR_SUCCESS("success"),
    /** Hard bounce (SMTP 550 5.1.1); the address is not added to the suppression list. */
    SIMULATOR_BOUNCE("bounce"),
    /** Delivered, then a complaint. */
    SIMULATOR_COMPLAINT("complaint"),
    /** Delivered, then an out-of-office auto-reply. */
    SIMULATOR_OOTO("ooto"),
    /** Hard bounce, as if the address were on the suppression list. */
    SIMULATOR_SUPPRESSION_LIST("suppressionlist");

    /** The domain of the SES mailbox simulator. */
    public static final String SIMULATOR_DOMAIN = "simulator.amazonses.com";

    private final String simulatorLocalPart;

    TestEmailType(String simulatorLocalPart) {
        this.simulatorLocalPart = simulatorLocalPart;
    }

    /** Returns the simulator address this type sends to, or empty for {@link #NORMAL}. */
    public Optional<String> simulatorAddress() {
        return Optional.ofNullable(simulatorLocalPart).map(l -> l + "@" + SIMULATOR_DOMAIN);
    }

    /** Returns true for the simulator types, which send synchronously. */
    public boolean isSimulator() {
        return simulatorLocalPart != null;
    }
}
