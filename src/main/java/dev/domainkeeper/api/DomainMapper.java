package dev.domainkeeper.api;

import com.google.protobuf.Timestamp;
import dev.domainkeeper.domain.ApplyState;
import dev.domainkeeper.domain.DkimKeyLength;
import dev.domainkeeper.domain.DkimMode;
import dev.domainkeeper.domain.DkimRotation;
import dev.domainkeeper.domain.DnsRecord;
import dev.domainkeeper.domain.Domain;
import dev.domainkeeper.domain.IdentityStatus;
import dev.domainkeeper.domain.InvalidInputException;
import dev.domainkeeper.domains.DomainService;
import dev.domainkeeper.proto.domains.v1.AddDomainRequest;
import dev.domainkeeper.proto.domains.v1.ApplyDomainRecordsResponse;
import dev.domainkeeper.proto.domains.v1.CheckDNSProviderResponse;
import dev.domainkeeper.proto.domains.v1.DKIMKeyLength;
import dev.domainkeeper.proto.domains.v1.DKIMKeyState;
import dev.domainkeeper.proto.domains.v1.DKIMMode;
import dev.domainkeeper.proto.domains.v1.DKIMRotation;
import dev.domainkeeper.proto.domains.v1.DMARCPolicyType;
import dev.domainkeeper.proto.domains.v1.DNSApplyState;
import dev.domainkeeper.proto.domains.v1.DNSCheckStatus;
import dev.domainkeeper.proto.domains.v1.DNSHealth;
import dev.domainkeeper.proto.domains.v1.DNSNameServerCheck;
import dev.domainkeeper.proto.domains.v1.DNSPropagation;
import dev.domainkeeper.proto.domains.v1.DNSProviderType;
import dev.domainkeeper.proto.domains.v1.DNSRecord;
import dev.domainkeeper.proto.domains.v1.DNSRecordCheck;
import dev.domainkeeper.proto.domains.v1.DNSRecordType;
import dev.domainkeeper.proto.domains.v1.DNSValidationResult;
import dev.domainkeeper.proto.domains.v1.DriftedRecord;
import dev.domainkeeper.proto.domains.v1.FailedRecord;
import dev.domainkeeper.proto.domains.v1.RecordPurpose;
import dev.domainkeeper.proto.domains.v1.Route53HostedZone;
import dev.domainkeeper.proto.domains.v1.SPFMode;
import dev.domainkeeper.proto.domains.v1.UpdateDomainRequest;
import dev.domainkeeper.proto.domains.v1.VerificationStatus;
import dev.domainkeeper.publishing.RecordPublisher;
import dev.domainkeeper.ses.DkimSigning;
import dev.domainkeeper.validation.DnsHealth;
import dev.domainkeeper.validation.DnsValidation;
import java.time.Instant;

/** Maps between the domains.v1 proto messages and the model. Proto types stop here. */
final class DomainMapper {
    private DomainMapper() {}

    static DomainService.AddCommand toCommand(AddDomainRequest r) {
        return new DomainService.AddCommand(
                r.getDomain(),
                r.hasSendEnabled() ? r.getSendEnabled() : null,
                r.hasReceiveEnabled() ? r.getReceiveEnabled() : null,
                r.hasDmarcEnabled() ? r.getDmarcEnabled() : null,
                dmarcPolicy(r.getDmarcPolicy()),
                r.getDmarcReportEmail(),
                spfMode(r.getSpfMode()),
                r.getSpfValue(),
                r.getMailFromDomain(),
                r.getRegion(),
                r.hasDkimKeyLength() ? dkimKeyLength(r.getDkimKeyLength()) : null,
                r.hasDkimMode() ? dkimMode(r.getDkimMode()) : null,
                r.hasDkimSelector() ? r.getDkimSelector() : null,
                r.hasDkimRotationDays() ? r.getDkimRotationDays() : null);
    }

    private static DkimMode dkimMode(DKIMMode m) {
        return switch (m) {
            case DKIM_MODE_UNSPECIFIED -> null;
            case EASY_DKIM -> DkimMode.EASY_DKIM;
            case BYODKIM -> DkimMode.BYODKIM;
            case UNRECOGNIZED ->
                throw new InvalidInputException("dkim_mode: unknown value (expected: EASY_DKIM or BYODKIM)");
        };
    }

    static DomainService.UpdateCommand toCommand(UpdateDomainRequest r) {
        return new DomainService.UpdateCommand(
                r.hasSendEnabled() ? r.getSendEnabled() : null,
                r.hasReceiveEnabled() ? r.getReceiveEnabled() : null,
                r.hasDmarcEnabled() ? r.getDmarcEnabled() : null,
                r.hasDmarcPolicy() ? dmarcPolicy(r.getDmarcPolicy()) : null,
                r.hasDmarcReportEmail() ? r.getDmarcReportEmail() : null,
                r.hasSpfMode() ? spfMode(r.getSpfMode()) : null,
                r.hasSpfValue() ? r.getSpfValue() : null,
                r.hasMailFromDomain() ? r.getMailFromDomain() : null,
                r.hasDkimKeyLength() ? dkimKeyLength(r.getDkimKeyLength()) : null,
                r.hasDkimRotationDays() ? r.getDkimRotationDays() : null);
    }

    private static dev.domainkeeper.domain.DmarcPolicy dmarcPolicy(DMARCPolicyType p) {
        return switch (p) {
            case DMARC_POLICY_UNSPECIFIED -> null;
            case NONE -> dev.domainkeeper.domain.DmarcPolicy.NONE;
            case QUARANTINE -> dev.domainkeeper.domain.DmarcPolicy.QUARANTINE;
            case REJECT -> dev.domainkeeper.domain.DmarcPolicy.REJECT;
            case UNRECOGNIZED ->
                throw new InvalidInputException("dmarc_policy: unknown value (expected: NONE, QUARANTINE or REJECT)");
        };
    }

    private static dev.domainkeeper.domain.SpfMode spfMode(SPFMode m) {
        return switch (m) {
            case SPF_MODE_UNSPECIFIED -> null;
            case CREATE_IF_MISSING -> dev.domainkeeper.domain.SpfMode.CREATE_IF_MISSING;
            case MERGE -> dev.domainkeeper.domain.SpfMode.MERGE;
            case FORCE_VALUE -> dev.domainkeeper.domain.SpfMode.FORCE_VALUE;
            case SKIP -> dev.domainkeeper.domain.SpfMode.SKIP;
            case UNRECOGNIZED ->
                throw new InvalidInputException(
                        "spf_mode: unknown value (expected: CREATE_IF_MISSING, MERGE, FORCE_VALUE or SKIP)");
        };
    }

    private static DkimKeyLength dkimKeyLength(DKIMKeyLength l) {
        return switch (l) {
            case DKIM_KEY_LENGTH_UNSPECIFIED -> null;
            case RSA_1024_BIT -> DkimKeyLength.RSA_1024_BIT;
            case RSA_2048_BIT -> DkimKeyLength.RSA_2048_BIT;
            case UNRECOGNIZED ->
                throw new InvalidInputException(
                        "dkim_key_length: unknown value (expected: RSA_1024_BIT or RSA_2048_BIT)");
        };
    }

    static dev.domainkeeper.proto.domains.v1.Domain toProto(Domain d) {
        var s = d.settings();
        var b = dev.domainkeeper.proto.domains.v1.Domain.newBuilder()
                .setId(d.id())
                .setDomain(d.name().value())
                .setVerificationStatus(status(d.verificationStatus()))
                .setDkimStatus(status(d.dkimStatus()))
                .setMailFromStatus(status(d.mailFromStatus()))
                .setSendEnabled(s.sendEnabled())
                .setReceiveEnabled(s.receiveEnabled())
                .setDmarcEnabled(s.dmarcEnabled())
                .setDmarcPolicy(DMARCPolicyType.valueOf(s.dmarcPolicy().name()))
                .setDmarcReportEmail(s.dmarcReportEmail())
                .setSpfMode(SPFMode.valueOf(s.spfMode().name()))
                .setSpfValue(s.spfValue())
                .setMailFromDomain(s.mailFromDomain())
                .setRegion(d.region())
                .setDnsApplyState(applyState(d.applyState()))
                .setCreatedAt(timestamp(d.createdAt()))
                .setUpdatedAt(timestamp(d.updatedAt()))
                .setCanSend(d.canSend())
                .setDkimKeyLength(DKIMKeyLength.valueOf(d.dkimKeys().current().name()))
                .setDkimNextKeyLength(DKIMKeyLength.valueOf(d.dkimKeys().next().name()))
                .setDkimMode(DKIMMode.valueOf(d.dkimKeys().mode().name()));
        if (d.dkimKeys().external() != null) {
            b.setDkimSelector(d.dkimKeys().external().selector());
        }
        b.setDkimRotationDays(d.dkimKeys().rotationDays());
        if (d.dkimKeys().nextRotationAt() != null) {
            b.setDkimNextRotationAt(timestamp(d.dkimKeys().nextRotationAt()));
        }
        DkimRotation rotation = d.dkimKeys().rotation();
        if (!rotation.equals(DkimRotation.NONE)) {
            var r = DKIMRotation.newBuilder();
            if (rotation.incoming() != null) {
                r.setNewSelector(rotation.incoming().selector())
                        .setNewKeyState(
                                DKIMKeyState.valueOf(rotation.incomingStage().name()));
            }
            if (rotation.outgoing() != null) {
                r.setOldSelector(rotation.outgoing().selector())
                        .setOldKeyState(
                                DKIMKeyState.valueOf(rotation.outgoingStage().name()))
                        .setSwitchedAt(timestamp(rotation.switchedAt()))
                        .setOldKeyRemovableAt(timestamp(rotation.removableAt()));
            }
            b.setDkimRotation(r);
        }
        if (d.dkimKeys().lastGeneratedAt() != null) {
            b.setDkimLastKeyGeneratedAt(timestamp(d.dkimKeys().lastGeneratedAt()));
        }
        DkimSigning.of(d.dkimKeys())
                .nextChangeAllowedAt()
                .ifPresent(at -> b.setDkimNextKeyChangeAllowedAt(timestamp(at)));
        for (DnsRecord r : d.records()) {
            b.addDnsRecords(record(r));
        }
        return b.build();
    }

    static DNSRecord record(DnsRecord r) {
        return DNSRecord.newBuilder()
                .setType(DNSRecordType.valueOf(r.type().name()))
                .setName(r.name())
                .setValue(r.value())
                .setPriority(r.priority())
                .setTtl(r.ttl())
                .setPurpose(RecordPurpose.valueOf(r.purpose().name()))
                .setRequired(r.required())
                .build();
    }

    static DNSApplyState applyState(ApplyState a) {
        var b = DNSApplyState.newBuilder()
                .setStatus(
                        switch (a.status()) {
                            case NOT_APPLIED -> DNSApplyState.Status.STATUS_UNSPECIFIED;
                            case APPLYING -> DNSApplyState.Status.APPLYING;
                            case APPLIED -> DNSApplyState.Status.APPLIED;
                            case APPLY_FAILED -> DNSApplyState.Status.APPLY_FAILED;
                            case PARTIALLY_APPLIED -> DNSApplyState.Status.PARTIALLY_APPLIED;
                        })
                .setProvider(providerType(a.provider()))
                .setChangeId(a.changeId())
                .setError(a.error());
        if (a.appliedAt() != null) {
            b.setAppliedAt(timestamp(a.appliedAt()));
        }
        for (ApplyState.FailedRecord f : a.failed()) {
            b.addRecordsFailed(failedRecord(f));
        }
        return b.build();
    }

    static DNSValidationResult validation(DnsValidation v) {
        var b = DNSValidationResult.newBuilder()
                .setCheckedAt(timestamp(v.checkedAt()))
                .setAllValid(v.allValid())
                .addAllWarnings(v.warnings());
        for (DnsValidation.RecordCheck c : v.records()) {
            var check = DNSRecordCheck.newBuilder()
                    .setRecord(record(c.record()))
                    .setStatus(DNSCheckStatus.valueOf(c.status().name()))
                    .addAllFoundValues(c.foundValues())
                    .setMessage(c.message());
            c.propagation().ifPresent(p -> check.setPropagation(propagation(p)));
            b.addRecords(check);
        }
        return b.build();
    }

    static DNSPropagation propagation(DnsValidation.Propagation p) {
        var b = DNSPropagation.newBuilder()
                .setZone(p.zone())
                .setNameServersTotal(p.nameServersTotal())
                .setNameServersServing(p.nameServersServing())
                .setError(p.error())
                .setSummary(p.summary());
        for (DnsValidation.NameServerCheck n : p.nameServers()) {
            b.addNameServers(DNSNameServerCheck.newBuilder()
                    .setHost(n.host())
                    .setAddress(n.address())
                    .setStatus(DNSCheckStatus.valueOf(n.status().name()))
                    .addAllFoundValues(n.foundValues())
                    .setMessage(n.message()));
        }
        return b.build();
    }

    static DNSHealth health(DnsHealth h) {
        var b = DNSHealth.newBuilder()
                .setNextCheckAt(timestamp(h.nextCheckAt()))
                .setHealthy(h.drifted().isEmpty());
        h.checkedAt().ifPresent(at -> b.setCheckedAt(timestamp(at)));
        for (DnsHealth.Drift d : h.drifted()) {
            b.addDriftedRecords(DriftedRecord.newBuilder()
                    .setRecord(record(d.record()))
                    .setStatus(DNSCheckStatus.valueOf(d.status().name()))
                    .addAllFoundValues(d.foundValues())
                    .setMessage(d.message())
                    .setSince(timestamp(d.since())));
        }
        return b.build();
    }

    static CheckDNSProviderResponse providerCheck(RecordPublisher.ProviderCheck c) {
        var b = CheckDNSProviderResponse.newBuilder()
                .setHasAccess(c.hasAccess())
                .setDelegated(c.delegated())
                .addAllDelegatedNameServers(c.delegatedNameServers())
                .addAllNotes(c.notes());
        c.zone().ifPresent(z -> {
            b.setProviderType(providerType(c.providerType()))
                    .setZoneName(z.name())
                    .addAllZoneNameServers(z.nameServers())
                    .setDnsConnectionId(c.connectionId());
            if (c.providerType().equals("ROUTE53")) {
                b.setRoute53(Route53HostedZone.newBuilder()
                        .setId(z.id())
                        .setName(z.name())
                        .setPrivateZone(z.privateZone())
                        .setRecordCount(z.recordCount())
                        .addAllNameServers(z.nameServers()));
            }
        });
        c.detected()
                .ifPresent(d -> b.setDetectedProvider(d.provider())
                        .addAllDetectedNameServers(d.nameServers())
                        .setEnableAutomation(d.enableAutomation()));
        return b.build();
    }

    /** Maps the provider name stored in an apply state or a check (ROUTE53, CLOUDFLARE, RFC2136). */
    static DNSProviderType providerType(String provider) {
        // An apply through the customer's own Route 53 is recorded as ROUTE53:<connection id>.
        int connection = provider.indexOf(':');
        return switch (connection < 0 ? provider : provider.substring(0, connection)) {
            case "ROUTE53" -> DNSProviderType.ROUTE53;
            case "CLOUDFLARE" -> DNSProviderType.CLOUDFLARE;
            case "RFC2136" -> DNSProviderType.RFC2136;
            default -> DNSProviderType.DNS_PROVIDER_TYPE_UNSPECIFIED;
        };
    }

    /** Maps an apply result and the fresh snapshot made after it; both top-level and on the domain. */
    static ApplyDomainRecordsResponse applyResult(RecordPublisher.ApplyResult r, DnsValidation fresh) {
        DNSValidationResult validation = validation(fresh);
        var domain =
                toProto(r.domain()).toBuilder().setDnsValidation(validation).build();
        var b = ApplyDomainRecordsResponse.newBuilder()
                .setDnsApplyState(domain.getDnsApplyState())
                .setDnsValidation(validation)
                .setDomain(domain);
        r.changes()
                .forEach(c -> b.addChanges(dev.domainkeeper.proto.domains.v1.RecordChange.newBuilder()
                        .setAction(c.change().action().name())
                        .setRecord(record(c.record()))));
        r.failed().forEach(f -> b.addRecordsFailed(f.record().name()).addFailedRecords(failedRecord(f)));
        r.unchanged().forEach(u -> b.addRecordsUnchanged(record(u)));
        return b.build();
    }

    static FailedRecord failedRecord(ApplyState.FailedRecord f) {
        return FailedRecord.newBuilder()
                .setRecord(record(f.record()))
                .setReason(f.reason())
                .build();
    }

    static VerificationStatus status(IdentityStatus s) {
        return VerificationStatus.valueOf(s.name());
    }

    static Timestamp timestamp(Instant i) {
        return Timestamp.newBuilder()
                .setSeconds(i.getEpochSecond())
                .setNanos(i.getNano())
                .build();
    }
}
