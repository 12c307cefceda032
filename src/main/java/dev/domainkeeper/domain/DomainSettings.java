package dev.domainkeeper.domain;

import static java.util.Objects.requireNonNull;

/**
 * Holds the user's choices for a domain. {@code dmarcReportEmail} and {@code spfValue} are empty
 * strings when not set; {@code mailFromDomain} is always set (default {@code mail.<domain>}).
 */
public record DomainSettings(
        boolean sendEnabled,
        boolean receiveEnabled,
        boolean dmarcEnabled,
        DmarcPolicy dmarcPolicy,
        String dmarcReportEmail,
        SpfMode spfMode,
        String spfValue,
        String mailFromDomain) {
    public DomainSettings {
        requireNonNull(dmarcPolicy, "dmarcPolicy");
        requireNonNull(dmarcReportEmail, "dmarcReportEmail");
        requireNonNull(spfMode, "spfMode");
        requireNonNull(spfValue, "spfValue");
        requireNonNull(mailFromDomain, "mailFromDomain");
    }

    /**
     * Returns the settings AddDomain uses when the request sets none (docs/ARCHITECTURE.md, "Defaults"):
     * sending on, receiving off, DMARC on with policy NONE and no report address, SPF mode
     * CREATE_IF_MISSING, and MAIL FROM {@code mail.<domain>}.
     */
    public static DomainSettings defaults(DomainName domain) {
        return new DomainSettings(
                true,
                false,
                true,
                DmarcPolicy.NONE,
                "",
                SpfMode.CREATE_IF_MISSING,
                "",
                domain.defaultMailFrom().value());
    }
}
