package dev.domainkeeper.domain;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/**
 * Holds a domain of an account: its settings, what SES says about it, and the bookkeeping of the
 * background verifier. {@code sesCheckedAt} is null before the first status check.
 */
public record Domain(String id, String accountId, DomainName name, String region, DomainSettings settings,
                     Provisioning provisioning, IdentityStatus verificationStatus, IdentityStatus dkimStatus,
                     IdentityStatus mailFromStatus, DkimSetup dkim, boolean sesSyncNeeded, Instant sesCheckedAt,
                     Instant nextCheckAt, int checkAttempts, ApplyState applyState, Instant createdAt,
                     Instant updatedAt, long version) {

    /** Whether the SES identity has been created and its result stored. */
    public enum Provisioning {
        /** The row exists; the SES identity may or may not exist yet. Hidden from the API. */
        CREATING,
        /** The SES identity exists and its DKIM tokens are stored. */
        READY
    }

    public Domain {
        requireNonNull(id, "id");
        requireNonNull(accountId, "accountId");
        requireNonNull(name, "name");
        requireNonNull(region, "region");
        requireNonNull(settings, "settings");
        requireNonNull(provisioning, "provisioning");
        requireNonNull(verificationStatus, "verificationStatus");
        requireNonNull(dkimStatus, "dkimStatus");
        requireNonNull(mailFromStatus, "mailFromStatus");
        requireNonNull(dkim, "dkim");
        requireNonNull(nextCheckAt, "nextCheckAt");
        requireNonNull(applyState, "applyState");
        requireNonNull(createdAt, "createdAt");
        requireNonNull(updatedAt, "updatedAt");
    }

    /** Returns true when SES lets the domain send: verification and DKIM both SUCCESS. */
    public boolean canSend() {
        return verificationStatus == IdentityStatus.SUCCESS && dkimStatus == IdentityStatus.SUCCESS;
    }

    /** Returns true when every status SES reports has settled on SUCCESS. */
    public boolean fullyVerified() {
        return canSend() && (mailFromStatus == IdentityStatus.SUCCESS);
    }

    /** Returns the DNS records the domain needs. */
    public List<DnsRecord> records() {
        return RequiredRecords.plan(name, settings, dkim, region);
    }

    /** Returns a copy with other settings. */
    public Domain withSettings(DomainSettings newSettings) {
        return new Domain(id, accountId, name, region, newSettings, provisioning, verificationStatus, dkimStatus,
                mailFromStatus, dkim, sesSyncNeeded, sesCheckedAt, nextCheckAt, checkAttempts, applyState,
                createdAt, updatedAt, version);
    }

    /** Returns a copy with the SES side of the domain replaced. */
    public Domain withSesState(Provisioning newProvisioning, IdentityStatus verification, IdentityStatus dkimState,
                               IdentityStatus mailFrom, DkimSetup newDkim, Instant checkedAt) {
        return new Domain(id, accountId, name, region, settings, newProvisioning, verification, dkimState, mailFrom,
                newDkim, sesSyncNeeded, checkedAt, nextCheckAt, checkAttempts, applyState, createdAt, updatedAt,
                version);
    }

    /** Returns a copy with the verifier's schedule replaced. */
    public Domain withSchedule(boolean syncNeeded, Instant nextCheck, int attempts) {
        return new Domain(id, accountId, name, region, settings, provisioning, verificationStatus, dkimStatus,
                mailFromStatus, dkim, syncNeeded, sesCheckedAt, nextCheck, attempts, applyState, createdAt,
                updatedAt, version);
    }

    /** Returns a copy with another apply state. */
    public Domain withApplyState(ApplyState newState) {
        return new Domain(id, accountId, name, region, settings, provisioning, verificationStatus, dkimStatus,
                mailFromStatus, dkim, sesSyncNeeded, sesCheckedAt, nextCheckAt, checkAttempts, newState, createdAt,
                updatedAt, version);
    }
}
