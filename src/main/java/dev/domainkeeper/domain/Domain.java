package dev.domainkeeper.domain;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/**
 * Holds a domain of an account: its settings, what SES says about it ({@link SesState}), when the
 * background verifier looks at it next ({@link CheckSchedule}), and the last publishing attempt.
 */
public record Domain(
        String id,
        String accountId,
        DomainName name,
        String region,
        DomainSettings settings,
        SesState ses,
        CheckSchedule schedule,
        ApplyState applyState,
        Instant createdAt,
        Instant updatedAt,
        long version) {

    /** Whether the SES identity has been created and its result stored. */
    public enum Provisioning {
        /** The row exists; the SES identity may or may not exist yet. Hidden from the API. */
        CREATING,
        /** The SES identity exists and its DKIM tokens are stored. */
        READY
    }

    /**
     * Holds what SES says about the domain, as last read. {@code checkedAt} is null before the first
     * status check. {@code dkimKeys} is what was last learned of the DKIM key lengths: set when the
     * identity is created and when the key length changes.
     */
    public record SesState(
            Provisioning provisioning,
            IdentityStatus verificationStatus,
            IdentityStatus dkimStatus,
            IdentityStatus mailFromStatus,
            DkimSetup dkim,
            Instant checkedAt,
            DkimKeys dkimKeys) {
        public SesState {
            requireNonNull(provisioning, "provisioning");
            requireNonNull(verificationStatus, "verificationStatus");
            requireNonNull(dkimStatus, "dkimStatus");
            requireNonNull(mailFromStatus, "mailFromStatus");
            requireNonNull(dkim, "dkim");
            requireNonNull(dkimKeys, "dkimKeys");
        }

        /** Returns a state whose DKIM keys are the default length, generated at a time not known. */
        public SesState(
                Provisioning provisioning,
                IdentityStatus verificationStatus,
                IdentityStatus dkimStatus,
                IdentityStatus mailFromStatus,
                DkimSetup dkim,
                Instant checkedAt) {
            this(
                    provisioning,
                    verificationStatus,
                    dkimStatus,
                    mailFromStatus,
                    dkim,
                    checkedAt,
                    DkimKeys.UNKNOWN_DEFAULT);
        }

        /**
         * Returns the state of a row an add has just stored: nothing asked of SES yet, its identity to be
         * created with the DKIM keys {@code keys} (their length, and for BYODKIM the key pair).
         */
        public static SesState creating(DkimKeys keys) {
            return new SesState(
                    Provisioning.CREATING,
                    IdentityStatus.NOT_STARTED,
                    IdentityStatus.NOT_STARTED,
                    IdentityStatus.NOT_STARTED,
                    new DkimSetup(List.of(), ""),
                    null,
                    keys);
        }
    }

    /**
     * Holds the verifier's bookkeeping: whether settings still need pushing to SES, when to check
     * next, and how many checks in a row found the domain unsettled (the backoff).
     */
    public record CheckSchedule(boolean sesSyncNeeded, Instant nextCheckAt, int checkAttempts) {
        public CheckSchedule {
            requireNonNull(nextCheckAt, "nextCheckAt");
        }
    }

    public Domain {
        requireNonNull(id, "id");
        requireNonNull(accountId, "accountId");
        requireNonNull(name, "name");
        requireNonNull(region, "region");
        requireNonNull(settings, "settings");
        requireNonNull(ses, "ses");
        requireNonNull(schedule, "schedule");
        requireNonNull(applyState, "applyState");
        requireNonNull(createdAt, "createdAt");
        requireNonNull(updatedAt, "updatedAt");
    }

    public Provisioning provisioning() {
        return ses.provisioning();
    }

    public IdentityStatus verificationStatus() {
        return ses.verificationStatus();
    }

    public IdentityStatus dkimStatus() {
        return ses.dkimStatus();
    }

    public IdentityStatus mailFromStatus() {
        return ses.mailFromStatus();
    }

    public DkimSetup dkim() {
        return ses.dkim();
    }

    /** Returns what was last learned of the DKIM key lengths. */
    public DkimKeys dkimKeys() {
        return ses.dkimKeys();
    }

    /** Returns when SES was last asked; null before the first check. */
    public Instant sesCheckedAt() {
        return ses.checkedAt();
    }

    public boolean sesSyncNeeded() {
        return schedule.sesSyncNeeded();
    }

    public Instant nextCheckAt() {
        return schedule.nextCheckAt();
    }

    public int checkAttempts() {
        return schedule.checkAttempts();
    }

    /** Returns true when SES lets the domain send: verification and DKIM both SUCCESS. */
    public boolean canSend() {
        return verificationStatus() == IdentityStatus.SUCCESS && dkimStatus() == IdentityStatus.SUCCESS;
    }

    /** Returns true when every status SES reports has settled on SUCCESS. */
    public boolean fullyVerified() {
        return canSend() && mailFromStatus() == IdentityStatus.SUCCESS;
    }

    /** Returns the DNS records the domain needs. */
    public List<DnsRecord> records() {
        return RequiredRecords.plan(name, settings, dkim(), dkimKeys(), region);
    }

    /** Returns a copy with other settings. */
    public Domain withSettings(DomainSettings newSettings) {
        return new Domain(
                id, accountId, name, region, newSettings, ses, schedule, applyState, createdAt, updatedAt, version);
    }

    /** Returns a copy with the SES side of the domain replaced, but for what is known of the DKIM keys. */
    public Domain withSesState(
            Provisioning newProvisioning,
            IdentityStatus verification,
            IdentityStatus dkimState,
            IdentityStatus mailFrom,
            DkimSetup newDkim,
            Instant checkedAt) {
        return withSes(
                new SesState(newProvisioning, verification, dkimState, mailFrom, newDkim, checkedAt, ses.dkimKeys()));
    }

    /** Returns a copy with what is known of the DKIM keys replaced. */
    public Domain withDkimKeys(DkimKeys keys) {
        return withSes(new SesState(
                ses.provisioning(),
                ses.verificationStatus(),
                ses.dkimStatus(),
                ses.mailFromStatus(),
                ses.dkim(),
                ses.checkedAt(),
                keys));
    }

    private Domain withSes(SesState newSes) {
        return new Domain(
                id, accountId, name, region, settings, newSes, schedule, applyState, createdAt, updatedAt, version);
    }

    /** Returns a copy with the verifier's schedule replaced. */
    public Domain withSchedule(boolean syncNeeded, Instant nextCheck, int attempts) {
        return new Domain(
                id,
                accountId,
                name,
                region,
                settings,
                ses,
                new CheckSchedule(syncNeeded, nextCheck, attempts),
                applyState,
                createdAt,
                updatedAt,
                version);
    }

    /** Returns a copy with another apply state. */
    public Domain withApplyState(ApplyState newState) {
        return new Domain(
                id, accountId, name, region, settings, ses, schedule, newState, createdAt, updatedAt, version);
    }
}
