package dev.domainkeeper.domain;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Plans the DNS records a domain needs (docs/ARCHITECTURE.md, "The records a domain needs"), in a fixed
 * order: the DKIM CNAMEs, the MAIL FROM MX and SPF, the SPF record at the apex, DMARC, inbound MX.
 *
 * <p>Which records are {@linkplain DnsRecord#required() required}: only the DKIM CNAMEs. A domain
 * can send once SES reports both verification and DKIM as SUCCESS, and with Easy DKIM both follow
 * from the CNAMEs alone. The MAIL FROM records make SPF align for DMARC but SES falls back to its
 * own MAIL FROM while they are missing ({@code BehaviorOnMxFailure USE_DEFAULT_VALUE}); SPF, DMARC
 * and inbound MX improve deliverability or enable receiving, but sending works without them.
 *
 * <p>TTLs: {@value #DKIM_TTL} seconds for the DKIM CNAMEs, which never change once published, and
 * {@value #DEFAULT_TTL} seconds for the rest, which a user may still edit (SPF merges, DMARC policy,
 * MX) and should see take effect quickly.
 */
public final class RequiredRecords {
    /** The TTL of the DKIM CNAMEs, in seconds. */
    public static final int DKIM_TTL = 1800;
    /** The TTL of every other planned record, in seconds. */
    public static final int DEFAULT_TTL = 300;
    /** The MX priority of the MAIL FROM and inbound MX records. */
    public static final int MX_PRIORITY = 10;
    /** The domain the SPF records include. */
    public static final String SES_SPF_INCLUDE = "amazonses.com";
    /** The SPF record Domainkeeper recommends, at the MAIL FROM domain and (unless told otherwise) the apex. */
    public static final String DEFAULT_SPF = "v=spf1 include:" + SES_SPF_INCLUDE + " ~all";

    private RequiredRecords() {}

    /**
     * Plans the records for {@code domain} with {@code settings}, the DKIM tokens SES issued, and
     * the SES {@code region} (e.g. {@code us-east-1}). For SPF modes CREATE_IF_MISSING and MERGE the
     * planned apex value is {@link #DEFAULT_SPF}; what to publish once the current record is known
     * is {@link #spfToPublish(DomainSettings, Optional)}.
     *
     * @throws IllegalArgumentException when {@code region} does not look like an AWS region or the
     *     signing zone is blank
     */
    public static List<DnsRecord> plan(DomainName domain, DomainSettings settings, DkimSetup dkim, String region) {
        return plan(domain, settings, dkim, DkimKeys.UNKNOWN_DEFAULT, region);
    }

    /**
     * As {@link #plan(DomainName, DomainSettings, DkimSetup, String)}; with a BYODKIM key pair
     * ({@code keys.external()}) the DKIM record is its public key, a TXT record {@code v=DKIM1; k=rsa; p=…}
     * at {@code <selector>._domainkey.<domain>}, instead of the Easy DKIM CNAMEs. During a rotation the
     * incoming key and the retiring one are planned too, not required: the first so DNS serves it before
     * SES switches, the second so mail signed before the switch still verifies.
     */
    public static List<DnsRecord> plan(
            DomainName domain, DomainSettings settings, DkimSetup dkim, DkimKeys keys, String region) {
        requireNonNull(domain, "domain");
        requireNonNull(keys, "keys");
        Optional<ExternalDkimKey> external = Optional.ofNullable(keys.external());
        requireNonNull(settings, "settings");
        requireNonNull(dkim, "dkim");
        requireNonNull(region, "region");
        checkArgument(
                region.matches("[a-z]{2}(-[a-z]+)+-[0-9]+"),
                "region: \"%s\" (expected: an AWS region such as us-east-1)",
                region);
        String zone = HostNames.normalize(dkim.signingHostedZone());
        checkArgument(
                !zone.isEmpty() || external.isPresent(),
                "signingHostedZone: \"%s\" (expected: a zone such as dkim.amazonses.com)",
                dkim.signingHostedZone());
        String apex = domain.value();
        String mailFrom = HostNames.normalize(settings.mailFromDomain());

        List<DnsRecord> records = new ArrayList<>();
        external.ifPresent(key -> records.add(dkimKey(domain, key, true)));
        DkimRotation rotation = keys.rotation();
        if (external.isPresent() && rotation.incoming() != null) {
            records.add(dkimKey(domain, rotation.incoming(), false));
        }
        if (external.isPresent() && rotation.outgoingStage() == DkimRotation.Stage.RETIRING) {
            records.add(dkimKey(domain, rotation.outgoing(), false));
        }
        for (String token : external.isPresent() ? List.<String>of() : dkim.tokens()) {
            String t = token.toLowerCase(Locale.ROOT);
            records.add(new DnsRecord(
                    RecordType.CNAME,
                    t + "._domainkey." + apex,
                    t + "." + zone,
                    0,
                    DKIM_TTL,
                    RecordPurpose.DKIM,
                    true));
        }
        records.add(mx(mailFrom, "feedback-smtp." + region + ".amazonses.com", RecordPurpose.MAIL_FROM_MX));
        records.add(txt(mailFrom, DEFAULT_SPF, RecordPurpose.MAIL_FROM_SPF));
        plannedSpf(settings).ifPresent(value -> records.add(txt(apex, value, RecordPurpose.SPF)));
        if (settings.dmarcEnabled()) {
            records.add(txt(
                    "_dmarc." + apex,
                    DmarcRecord.format(settings.dmarcPolicy(), settings.dmarcReportEmail()),
                    RecordPurpose.DMARC));
        }
        if (settings.receiveEnabled()) {
            records.add(mx(apex, "inbound-smtp." + region + ".amazonaws.com", RecordPurpose.INBOUND_MX));
        }
        return List.copyOf(records);
    }

    /**
     * Decides the SPF record to publish at the apex given the one it has now ({@code existing},
     * empty when the domain publishes none): CREATE_IF_MISSING publishes {@link #DEFAULT_SPF} only
     * when there is none; MERGE adds {@code include:amazonses.com} to the existing record (see
     * {@link SpfRecord#mergeInclude(String, String)}); FORCE_VALUE publishes {@code spf_value}; SKIP
     * publishes nothing. Returns empty when nothing should be written.
     *
     * @throws InvalidInputException in MERGE mode when the existing record is not valid SPF
     */
    public static Optional<String> spfToPublish(DomainSettings settings, Optional<String> existing) {
        requireNonNull(settings, "settings");
        requireNonNull(existing, "existing");
        Optional<String> current = existing.filter(s -> !s.isBlank());
        switch (settings.spfMode()) {
            case CREATE_IF_MISSING:
                return current.isPresent() ? Optional.empty() : Optional.of(DEFAULT_SPF);
            case MERGE:
                String merged = SpfRecord.mergeInclude(current.orElse(null), SES_SPF_INCLUDE);
                return current.map(String::strip).equals(Optional.of(merged)) ? Optional.empty() : Optional.of(merged);
            case FORCE_VALUE:
                return current.map(String::strip)
                                .equals(Optional.of(settings.spfValue().strip()))
                        ? Optional.empty()
                        : Optional.of(settings.spfValue());
            default: // SKIP
                return Optional.empty();
        }
    }

    private static Optional<String> plannedSpf(DomainSettings settings) {
        switch (settings.spfMode()) {
            case CREATE_IF_MISSING:
            case MERGE:
                return Optional.of(DEFAULT_SPF);
            case FORCE_VALUE:
                return Optional.of(settings.spfValue());
            default: // SKIP
                return Optional.empty();
        }
    }

    /** Returns the TXT record that publishes BYODKIM key {@code key} of {@code domain}. */
    public static DnsRecord dkimKey(DomainName domain, ExternalDkimKey key, boolean required) {
        return new DnsRecord(
                RecordType.TXT, key.recordName(domain), key.recordValue(), 0, DKIM_TTL, RecordPurpose.DKIM, required);
    }

    private static DnsRecord mx(String name, String host, RecordPurpose purpose) {
        return new DnsRecord(RecordType.MX, name, host, MX_PRIORITY, DEFAULT_TTL, purpose, false);
    }

    private static DnsRecord txt(String name, String value, RecordPurpose purpose) {
        return new DnsRecord(RecordType.TXT, name, value, 0, DEFAULT_TTL, purpose, false);
    }
}
