package dev.domainkeeper.domain;

import static java.util.Objects.requireNonNull;

/**
 * Holds the user's choices for a domain. {@code dmarcReportEmail} and {@code spfValue} are empty
 * strings when not set; {@code mailFromDomain} is always set (default {@code mail.<domain>}).
 */
public record DomainSettings(boolean sendEnabled, boolean receiveEnabled, boolean dmarcEnabled,
                             DmarcPolicy dmarcPolicy, String dmarcReportEmail, SpfMode spfMode,
                             String spfValue, String mailFromDomain) {
    public DomainSettings {
        requireNonNull(dmarcPolicy, "dmarcPolicy");
        requireNonNull(dmarcReportEmail, "dmarcReportEmail");
        requireNonNull(spfMode, "spfMode");
        requireNonNull(spfValue, "spfValue");
        requireNonNull(mailFromDomain, "mailFromDomain");
    }
}
