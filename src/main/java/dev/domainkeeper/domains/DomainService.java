package dev.domainkeeper.domains;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import dev.domainkeeper.domain.ApplyState;
import dev.domainkeeper.domain.AwsRegion;
import dev.domainkeeper.domain.DkimKeyLength;
import dev.domainkeeper.domain.DkimKeys;
import dev.domainkeeper.domain.DkimMode;
import dev.domainkeeper.domain.DkimRotation;
import dev.domainkeeper.domain.DmarcPolicy;
import dev.domainkeeper.domain.Domain;
import dev.domainkeeper.domain.DomainName;
import dev.domainkeeper.domain.DomainSettings;
import dev.domainkeeper.domain.EmailAddress;
import dev.domainkeeper.domain.EventType;
import dev.domainkeeper.domain.ExternalDkimKey;
import dev.domainkeeper.domain.IdentityStatus;
import dev.domainkeeper.domain.Ids;
import dev.domainkeeper.domain.InvalidInputException;
import dev.domainkeeper.domain.PublishedRecord;
import dev.domainkeeper.domain.RequiredRecords;
import dev.domainkeeper.domain.SpfMode;
import dev.domainkeeper.domain.SpfRecord;
import dev.domainkeeper.errors.AlreadyExistsException;
import dev.domainkeeper.errors.ConcurrentChangeException;
import dev.domainkeeper.errors.NotFoundException;
import dev.domainkeeper.errors.PreconditionFailedException;
import dev.domainkeeper.errors.QuotaExceededException;
import dev.domainkeeper.errors.RetryLaterException;
import dev.domainkeeper.events.DomainTransitions;
import dev.domainkeeper.events.EventRecorder;
import dev.domainkeeper.ses.DkimKeyChangeTooSoonException;
import dev.domainkeeper.ses.DkimSigning;
import dev.domainkeeper.ses.IdentityState;
import dev.domainkeeper.ses.SesAccess;
import dev.domainkeeper.ses.SesGateway;
import dev.domainkeeper.ses.SesIdentityExistsException;
import dev.domainkeeper.ses.SesRejectedException;
import dev.domainkeeper.ses.SesUnavailableException;
import dev.domainkeeper.store.DomainStore;
import dev.domainkeeper.store.DuplicateKeyException;
import dev.domainkeeper.store.QuotaReachedException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the domain lifecycle: add (crash-safe: row first, then the SES identity, then the result),
 * get (with a bounded status refresh), list, update and remove. Every read and write is scoped by
 * account; another account's id looks exactly like an unknown one. Every SES call is made for the
 * domain's account through {@link SesAccess}: a request is admitted before it changes anything, so one
 * refused for the SES budget leaves no trace.
 */
public final class DomainService {
    private static final Logger log = LoggerFactory.getLogger(DomainService.class);
    /** GetDomain refreshes a not-yet-verified domain from SES at most this often. */
    static final Duration REFRESH_AFTER = Duration.ofSeconds(5);

    private static final String LISTING = "domains";
    private static final int MAX_WRITE_ATTEMPTS = 20;
    /** How long an add in flight holds its row against retries and the verifier (covers a crash), by default. */
    public static final Duration ADD_LEASE = Duration.ofSeconds(60);
    /** How long a removal waits for a background job that holds the domain (a check takes a few SES calls). */
    static final Duration REMOVAL_WAIT = Duration.ofSeconds(15);

    private static final Duration REMOVAL_POLL = Duration.ofMillis(100);
    /** The least and most days between scheduled rotations of a BYODKIM key. */
    static final int MIN_ROTATION_DAYS = 14;

    static final int MAX_ROTATION_DAYS = 365;
    private static final String EASY_DKIM_ROTATION = "dkim_rotation_days: set, but the domain uses Easy DKIM,"
            + " whose keys SES rotates itself (expected: 0, or dkim_mode BYODKIM)";

    /**
     * Returns the checked rotation period of a domain whose keys are made in {@code mode}: {@code given},
     * or {@code current} when it is null.
     *
     * @throws InvalidInputException naming {@code dkim_rotation_days} when it is out of range, or set for
     *     Easy DKIM
     */
    private static int rotationDays(DkimMode mode, Integer given, int current) {
        if (given == null) {
            return current;
        }
        if (mode != DkimMode.BYODKIM && given != 0) {
            throw new InvalidInputException(EASY_DKIM_ROTATION);
        }
        if (given != 0 && (given < MIN_ROTATION_DAYS || given > MAX_ROTATION_DAYS)) {
            throw new InvalidInputException("dkim_rotation_days: " + given + " (expected: 0 to rotate only on request,"
                    + " or " + MIN_ROTATION_DAYS + " to " + MAX_ROTATION_DAYS + "; the old key stays published for "
                    + DkimRotation.GRACE.toDays() + " days after each switch)");
        }
        return given;
    }

    /** How soon the verifier looks again at a domain whose new DKIM key DNS does not serve yet. */
    static final Duration ROTATION_POLL = Duration.ofMinutes(1);

    private final DomainStore store;
    private final SesAccess sesAccess;
    private final boolean background;
    private final PageTokens pageTokens;
    private final VerificationSchedule schedule;
    private final Clock clock;
    private final String defaultRegion;
    private final Set<String> regions;
    private final Duration addLease;
    private final EventRecorder events;
    private final DkimKeyPairs keyPairs;
    /** Shared with the service {@link #inBackground()} makes, so that one {@link #useKeyRecords} serves both. */
    private final AtomicReference<KeyRecords> keyRecords;

    /**
     * Creates a service whose adds hold their row for {@code addLease} (a crashed add is retried after
     * it), may put a domain only in one of {@code regions} (the SES regions), and whose writes record
     * the events they imply with {@code events}.
     */
    public DomainService(
            DomainStore store,
            SesAccess ses,
            PageTokens pageTokens,
            VerificationSchedule schedule,
            Clock clock,
            String defaultRegion,
            Set<String> regions,
            Duration addLease,
            EventRecorder events,
            DkimKeyPairs keyPairs) {
        this.background = false;
        this.keyRecords = new AtomicReference<>(KeyRecords.BY_HAND);
        this.keyPairs = requireNonNull(keyPairs, "keyPairs");
        this.regions = Set.copyOf(regions);
        checkArgument(
                this.regions.contains(defaultRegion),
                "defaultRegion: %s (expected: one of %s)",
                defaultRegion,
                this.regions);
        this.addLease = requireNonNull(addLease, "addLease");
        this.events = requireNonNull(events, "events");
        this.store = requireNonNull(store, "store");
        this.sesAccess = requireNonNull(ses, "ses");
        this.pageTokens = requireNonNull(pageTokens, "pageTokens");
        this.schedule = requireNonNull(schedule, "schedule");
        this.clock = requireNonNull(clock, "clock");
        this.defaultRegion = requireNonNull(defaultRegion, "defaultRegion");
    }

    /**
     * Makes a rotation's DKIM key records be published and taken back with {@code records} where
     * Domainkeeper can write the zone (the publishing side is made after this service, so it is set here
     * rather than passed in).
     */
    public void useKeyRecords(KeyRecords records) {
        keyRecords.set(requireNonNull(records, "records"));
    }

    /**
     * Returns a service like this one for the background verifier: its SES calls wait a little for the
     * budget, and put the work off when it stays used up, instead of refusing a caller.
     */
    public DomainService inBackground() {
        return new DomainService(this);
    }

    /** Returns a copy of {@code base} working in the background, sharing everything else with it. */
    private DomainService(DomainService base) {
        this.background = true;
        this.store = base.store;
        this.sesAccess = base.sesAccess;
        this.pageTokens = base.pageTokens;
        this.schedule = base.schedule;
        this.clock = base.clock;
        this.defaultRegion = base.defaultRegion;
        this.regions = base.regions;
        this.addLease = base.addLease;
        this.events = base.events;
        this.keyPairs = base.keyPairs;
        this.keyRecords = base.keyRecords;
    }

    /** Returns the SES gateway for one request (or one job item) of the account, admitted by its budget. */
    private SesGateway sesFor(String accountId) {
        return background ? sesAccess.forJob(accountId) : sesAccess.forRequest(accountId);
    }

    /**
     * What AddDomain asks for; null fields take their defaults ({@code dkimKeyLength}: RSA_2048_BIT,
     * {@code dkimMode}: EASY_DKIM, {@code dkimSelector}: chosen by Domainkeeper, BYODKIM only).
     */
    public record AddCommand(
            String domain,
            Boolean sendEnabled,
            Boolean receiveEnabled,
            Boolean dmarcEnabled,
            DmarcPolicy dmarcPolicy,
            String dmarcReportEmail,
            SpfMode spfMode,
            String spfValue,
            String mailFromDomain,
            String region,
            DkimKeyLength dkimKeyLength,
            DkimMode dkimMode,
            String dkimSelector,
            Integer dkimRotationDays) {}

    /** What UpdateDomain changes; null fields stay as they are. */
    public record UpdateCommand(
            Boolean sendEnabled,
            Boolean receiveEnabled,
            Boolean dmarcEnabled,
            DmarcPolicy dmarcPolicy,
            String dmarcReportEmail,
            SpfMode spfMode,
            String spfValue,
            String mailFromDomain,
            DkimKeyLength dkimKeyLength,
            Integer dkimRotationDays) {}

    /** One page of a listing. {@code nextPageToken} is empty on the last page. */
    public record Page(List<Domain> domains, String nextPageToken) {}

    /** Adds a domain and registers it with SES. */
    public Domain add(String accountId, AddCommand cmd) {
        DomainName name = DomainName.parse("domain", cmd.domain());
        String region = cmd.region() == null || cmd.region().isBlank()
                ? defaultRegion
                : AwsRegion.parse("region", cmd.region(), regions);
        // AddDomain is UpdateDomain applied to the defaults.
        DomainSettings settings = validated(
                name,
                patched(
                        DomainSettings.defaults(name),
                        new UpdateCommand(
                                cmd.sendEnabled(),
                                cmd.receiveEnabled(),
                                cmd.dmarcEnabled(),
                                cmd.dmarcPolicy(),
                                cmd.dmarcReportEmail(),
                                cmd.spfMode(),
                                cmd.spfValue(),
                                cmd.mailFromDomain() == null
                                                || cmd.mailFromDomain().isBlank()
                                        ? null
                                        : cmd.mailFromDomain(),
                                null,
                                null)));

        // Admitted before the row is stored: an add refused for the SES budget leaves nothing behind.
        SesGateway ses = sesFor(accountId);
        Instant now = clock.instant();
        String id = Ids.newId("dom");
        DkimKeyLength keyLength = cmd.dkimKeyLength() == null ? DkimKeyLength.DEFAULT : cmd.dkimKeyLength();
        DkimMode mode = cmd.dkimMode() == null ? DkimMode.EASY_DKIM : cmd.dkimMode();
        DkimKeys keys = DkimKeys.asked(keyLength).withRotationDays(rotationDays(mode, cmd.dkimRotationDays(), 0));
        if (mode == DkimMode.BYODKIM) {
            // Made and sealed before the row is stored, so a crashed add's retry hands SES the same key.
            keys = keys.withExternal(keyPairs.create(accountId, id, name, cmd.dkimSelector(), keyLength))
                    .generatedAt(now);
        } else if (cmd.dkimSelector() != null && !cmd.dkimSelector().isBlank()) {
            throw new InvalidInputException("dkim_selector: set, but dkim_mode is EASY_DKIM, whose selectors SES"
                    + " chooses (expected: dkim_mode BYODKIM, or no dkim_selector)");
        }
        Domain fresh = new Domain(
                id,
                accountId,
                name,
                region,
                settings,
                Domain.SesState.creating(keys),
                new Domain.CheckSchedule(true, now.plus(schedule.firstRetry()), 0),
                ApplyState.none(),
                now,
                now,
                0);
        String lease = Ids.newId("add");
        Domain row;
        try {
            store.insert(fresh, lease, now.plus(addLease));
            row = fresh;
        } catch (QuotaReachedException e) {
            throw new QuotaExceededException(
                    "domains: the account holds " + e.held() + " domains, its quota"
                            + " (expected: remove a domain, or ask the operator to raise the quota with"
                            + " ./domainkeeper accounts set-quota " + e.accountName() + " --domains N)",
                    e);
        } catch (DuplicateKeyException e) {
            // A retry of an add that failed half-way (same account, still CREATING, nobody working on it)
            // completes that add; anything else is a name already held.
            row = store.claimUnfinishedAdd(name.value(), accountId, lease, now, now.plus(addLease))
                    .orElseThrow(() -> new AlreadyExistsException("domain: " + name + " is already added"));
        }
        try {
            return provisionOrDiscard(row, ses);
        } finally {
            store.release(row.id(), lease);
        }
    }

    /**
     * Provisions an unfinished add (the row an add or its retry just stored, or one the verifier found
     * half-made): as {@link #provision}, except that when SES refuses the identity or its settings for
     * good the add is undone: the identity goes when it is ours (tagged with the row's id), then the
     * row, so the name is free again and no identity is left behind; the caller is told why. When SES
     * cannot be asked to delete the identity, the row stays (CREATING, invisible to the API) and the
     * verifier undoes the add at its next check: the row is never dropped while its identity may remain.
     */
    Domain provisionOrDiscard(Domain row) {
        return provisionOrDiscard(row, sesFor(row.accountId()));
    }

    private Domain provisionOrDiscard(Domain row, SesGateway ses) {
        try {
            return provision(row, ses);
        } catch (SesRejectedException e) {
            String undone = discardUnfinished(row, ses)
                    ? ""
                    : "; the identity it made is deleted in the background, and the name stays held until then";
            throw new PreconditionFailedException(
                    "domain: SES refused to create the identity " + row.name() + ": " + e.getMessage() + undone, e);
        }
    }

    /**
     * Deletes the unfinished row's SES identity if it is ours, then the row; returns false, keeping the
     * row for the verifier, when SES could not be asked.
     */
    private boolean discardUnfinished(Domain row, SesGateway ses) {
        try {
            IdentityState identity = ses.getIdentity(row.region(), row.name().value());
            if (identity != null && identity.ownedBy(row.id())) {
                ses.deleteIdentity(row.region(), row.name().value());
            }
        } catch (SesUnavailableException | SesRejectedException e) {
            log.warn(
                    "Could not delete the SES identity {} of the refused add {}; the verifier retries: {}",
                    row.name(),
                    row.id(),
                    e.toString());
            return false;
        }
        store.deleteUnfinished(row.id());
        return true;
    }

    /**
     * Creates the SES identity of a CREATING domain, tagged with the row's id, sets MAIL FROM and
     * receiving, and marks it READY. An identity that already exists is adopted only when it carries
     * this row's tag (a crashed attempt of this same add made it); any other is someone else's, made
     * outside Domainkeeper, and is never taken over: an unfinished row is then deleted and the add
     * answers ALREADY_EXISTS. The verifier calls it directly: other refusals propagate and the
     * verifier backs off, since a READY row is never removed in the background.
     */
    Domain provision(Domain row) {
        return provision(row, sesFor(row.accountId()));
    }

    private Domain provision(Domain row, SesGateway ses) {
        IdentityState state;
        // A key pair of the asked length, generated now, for an identity created here; as stored for one adopted.
        DkimKeys keys;
        try {
            ExternalDkimKey own = row.dkimKeys().external();
            if (own != null) {
                state = ses.createIdentityWithKey(
                        row.region(),
                        row.name().value(),
                        row.id(),
                        own.selector(),
                        keyPairs.privateKey(row.accountId(), row.id(), own));
                keys = row.dkimKeys(); // Generated by Domainkeeper when the add was stored.
            } else {
                state = ses.createIdentity(
                        row.region(),
                        row.name().value(),
                        row.id(),
                        row.dkimKeys().next());
                keys = DkimKeys.asked(row.dkimKeys().next()).generatedAt(clock.instant());
            }
        } catch (SesIdentityExistsException e) {
            keys = row.dkimKeys();
            state = ses.getIdentity(row.region(), row.name().value());
            if (state == null) {
                throw new SesUnavailableException(
                        "SES reported the identity both existing and missing", Duration.ofSeconds(5), e);
            }
            if (!state.ownedBy(row.id())) {
                if (row.provisioning() == Domain.Provisioning.CREATING) {
                    store.deleteUnfinished(row.id());
                }
                throw new AlreadyExistsException(
                        "domain: " + row.name() + " already exists in SES (region "
                                + row.region() + ") as an identity made outside Domainkeeper, which is not taken over"
                                + " (expected: a domain without an SES identity; the owner of the identity can delete it"
                                + " in SES)",
                        e);
            }
        }
        pushSettings(row, ses);
        IdentityState created = state;
        DkimKeys learned = keys;
        Instant now = clock.instant();
        return write(
                row,
                d -> d.withSesState(
                                Domain.Provisioning.READY,
                                created.verificationStatus(),
                                created.dkimStatus(),
                                mailFromStatusOf(d, created),
                                created.dkim(),
                                now)
                        .withDkimKeys(learned)
                        .withSchedule(
                                stillNeedsSync(d, row.settings()),
                                now.plus(schedule.next(d.createdAt(), now, 0, false)),
                                0));
    }

    /**
     * Returns a stamp that changes whenever anything {@link #get} and the domain's DNS health show of
     * this domain changes, or empty when the account holds no such domain (in any provisioning state).
     * Equal stamps mean an equal read, so a reader can keep what it built from a read and ask only
     * this (one lookup by key) the next time, as long as {@link #refreshDue} says no.
     */
    public Optional<String> readStamp(String accountId, String id) {
        return store.readStamp(accountId, id);
    }

    /** Returns true when a read of this domain ({@link #get}) asks SES for fresh statuses first. */
    public boolean refreshDue(Domain d) {
        return refreshDue(d, clock.instant());
    }

    private static boolean refreshDue(Domain d, Instant now) {
        return !d.fullyVerified()
                && (d.sesCheckedAt() == null
                        || d.sesCheckedAt().plus(REFRESH_AFTER).isBefore(now));
    }

    /** Returns a domain of the account, refreshing stale statuses from SES. */
    public Domain get(String accountId, String id) {
        Domain d = find(accountId, id);
        Instant now = clock.instant();
        if (refreshDue(d, now)
                // Of concurrent callers, only the one that moves the check time forward asks SES.
                && store.claimRefresh(d.id(), now, now.minus(REFRESH_AFTER))) {
            try {
                return refreshForReader(d);
            } catch (RetryLaterException | SesRejectedException e) {
                // SES unavailable, or the account's SES budget used up: stale statuses are better than no
                // answer; the verifier keeps trying.
                return d;
            }
        }
        return d;
    }

    /**
     * Reads the statuses from SES and stores them, recording changes in the events outbox, for the
     * verifier: when SES no longer knows the identity (deleted outside Domainkeeper), it is created again.
     */
    Domain refreshInBackground(Domain d) {
        SesGateway ses = sesFor(d.accountId());
        Domain refreshed = refresh(d, ses, x -> provision(x, ses));
        return advanceRotation(refreshed, ses);
    }

    /**
     * Starts a rotation of a BYODKIM domain's key: a new key pair of the current length under a new
     * selector ({@code selector}, or one chosen as for AddDomain), planned beside the current key
     * (PENDING_PUBLISH). The verifier takes it on from there ({@link #advanceRotation}): once DNS serves
     * the new key SES switches to it, and the old key stays published for {@link DkimRotation#GRACE}.
     *
     * @throws PreconditionFailedException for an Easy DKIM domain (SES rotates those keys itself), while
     *     a rotation is under way, or while the previous key still retires
     */
    public Domain rotateDkimKey(String accountId, String id, String selector) {
        return startRotation(find(accountId, id), selector);
    }

    private Domain startRotation(Domain d, String selector) {
        refuseRotation(d);
        DkimKeys keys = d.dkimKeys();
        Set<String> own = new java.util.HashSet<>();
        own.add(keys.external().selector());
        if (keys.rotation().outgoing() != null) {
            own.add(keys.rotation().outgoing().selector());
        }
        ExternalDkimKey key = keyPairs.create(d.accountId(), d.id(), d.name(), selector, keys.current(), own);
        Instant now = clock.instant();
        return write(d, x -> {
            refuseRotation(x);
            return x.withDkimKeys(
                            x.dkimKeys().withRotation(x.dkimKeys().rotation().start(key)))
                    .withSchedule(x.sesSyncNeeded(), now.plus(ROTATION_POLL), 0);
        });
    }

    private static void refuseRotation(Domain d) {
        DkimKeys keys = d.dkimKeys();
        DkimRotation r = keys.rotation();
        if (keys.mode() != DkimMode.BYODKIM) {
            throw new PreconditionFailedException("id: " + d.name() + " uses Easy DKIM, whose keys SES makes and"
                    + " rotates itself (expected: a BYODKIM domain; a dkim_key_length change makes SES generate an"
                    + " Easy DKIM key pair now)");
        }
        if (r.inProgress()) {
            throw new PreconditionFailedException("id: a rotation of " + d.name() + "'s DKIM key is under way (the"
                    + " new key " + r.incoming().selector() + " is " + r.incomingStage() + "; expected: wait until it"
                    + " is ACTIVE)");
        }
        if (r.outgoingStage() == DkimRotation.Stage.RETIRING) {
            throw new PreconditionFailedException("id: the previous DKIM key of " + d.name() + " ("
                    + r.outgoing().selector() + ") is still RETIRING until " + r.removableAt() + ", so mail signed"
                    + " with it still verifies (expected: rotate again after that)");
        }
    }

    /**
     * Takes a rotation one step on, for the verifier: an incoming key that DNS now serves is PUBLISHED and
     * handed to SES, which then signs with it (ACTIVE) while the old key RETIRES; a retiring key past its
     * grace period becomes REMOVABLE. Each step is stored before the next, so a crash repeats at most the
     * SES call, which is idempotent.
     */
    Domain advanceRotation(Domain d, SesGateway ses) {
        DkimRotation r = d.dkimKeys().rotation();
        Instant now = clock.instant();
        if (r.inProgress()) {
            if (r.incomingStage() == DkimRotation.Stage.PENDING_PUBLISH) {
                if (!keyPairs.served(d, r.incoming())) {
                    // Published where Domainkeeper can write the zone; the customer publishes it elsewhere.
                    keyRecords.get().publish(d);
                    return write(d, x -> x.withSchedule(x.sesSyncNeeded(), now.plus(ROTATION_POLL), x.checkAttempts()));
                }
                d = write(
                        d,
                        x -> x.withDkimKeys(x.dkimKeys()
                                .withRotation(x.dkimKeys().rotation().published())));
            }
            ExternalDkimKey incoming = d.dkimKeys().rotation().incoming();
            ses.putDkimSigningKey(
                    d.region(),
                    d.name().value(),
                    incoming.selector(),
                    keyPairs.privateKey(d.accountId(), d.id(), incoming));
            return write(d, x -> {
                DkimKeys before = x.dkimKeys();
                if (before.rotation().incoming() == null
                        || !before.rotation().incoming().selector().equals(incoming.selector())) {
                    return x; // Another node finished this step meanwhile.
                }
                return x.withDkimKeys(new DkimKeys(
                        before.current(),
                        before.next(),
                        now,
                        incoming,
                        DkimRotation.switched(before.external(), now),
                        before.rotationDays()));
            });
        }
        Instant due = d.dkimKeys().nextRotationAt();
        if (due != null && !now.isBefore(due) && r.outgoingStage() != DkimRotation.Stage.RETIRING) {
            return startRotation(d, null);
        }
        if (r.outgoingStage() == DkimRotation.Stage.RETIRING && !now.isBefore(r.removableAt())) {
            // Taken back first: when the provider cannot be asked, the key stays RETIRING and this is retried.
            List<String> notes = keyRecords.get().takeBack(d, RequiredRecords.dkimKey(d.name(), r.outgoing(), false));
            String domainId = d.id();
            notes.forEach(n -> log.info("Retired DKIM key of {}: {}", domainId, n));
            return write(
                    d,
                    x -> x.dkimKeys().rotation().outgoingStage() == DkimRotation.Stage.RETIRING
                            ? x.withDkimKeys(x.dkimKeys()
                                    .withRotation(x.dkimKeys().rotation().removable()))
                            : x);
        }
        return d;
    }

    /** Refreshes for a reader: a read never re-creates an identity, it only makes the verifier look at once. */
    private Domain refreshForReader(Domain d) {
        return refresh(
                d,
                sesFor(d.accountId()),
                x -> write(x, y -> y.withSchedule(y.sesSyncNeeded(), clock.instant(), y.checkAttempts())));
    }

    private Domain refresh(Domain d, SesGateway ses, UnaryOperator<Domain> whenIdentityMissing) {
        DomainSettings pushed = d.settings();
        if (d.sesSyncNeeded()) {
            pushSettings(d, ses);
        }
        IdentityState state = ses.getIdentity(d.region(), d.name().value());
        Instant now = clock.instant();
        if (state == null) {
            return whenIdentityMissing.apply(d);
        }
        Domain updated = write(d, x -> {
            Domain next = x.withSesState(
                    Domain.Provisioning.READY,
                    state.verificationStatus(),
                    state.dkimStatus(),
                    mailFromStatusOf(x, state),
                    state.dkim().tokens().isEmpty() ? x.dkim() : state.dkim(),
                    now);
            boolean settled = next.fullyVerified() || next.verificationStatus() == IdentityStatus.FAILED;
            int attempts = settled ? 0 : x.checkAttempts() + 1;
            return next.withSchedule(
                    stillNeedsSync(x, d.sesSyncNeeded() ? pushed : null),
                    now.plus(schedule.next(x.createdAt(), now, attempts, settled)),
                    attempts);
        });
        recordStatusChange(d, updated, now);
        return updated;
    }

    private void recordStatusChange(Domain before, Domain after, Instant now) {
        if (before.verificationStatus() == after.verificationStatus()
                && before.dkimStatus() == after.dkimStatus()
                && before.mailFromStatus() == after.mailFromStatus()) {
            return;
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("domain", after.name().value());
        payload.put("verification_status", after.verificationStatus().name());
        payload.put("dkim_status", after.dkimStatus().name());
        payload.put("mail_from_status", after.mailFromStatus().name());
        payload.put("previous_verification_status", before.verificationStatus().name());
        payload.put("previous_dkim_status", before.dkimStatus().name());
        payload.put("previous_mail_from_status", before.mailFromStatus().name());
        store.insertEvent(Ids.newId("evt"), after, "domain.status_changed", payload, now);
    }

    /** Moves the domain's next check later, after a failed attempt. */
    void postpone(Domain d) {
        Instant now = clock.instant();
        write(
                d,
                x -> x.withSchedule(
                        x.sesSyncNeeded(),
                        now.plus(schedule.next(x.createdAt(), now, x.checkAttempts() + 1, false)),
                        x.checkAttempts() + 1));
    }

    /** Returns one page of the account's domains in creation order. */
    public Page list(String accountId, int pageSize, String pageToken) {
        if (pageSize < 0) {
            throw new InvalidInputException("page_size: " + pageSize + " (expected: >= 0)");
        }
        int size = pageSize == 0 ? 50 : Math.min(pageSize, 100);
        long after = pageToken == null || pageToken.isEmpty() ? 0 : pageTokens.read(LISTING, accountId, pageToken);
        List<DomainStore.Listed> rows = store.list(accountId, after, size + 1);
        List<Domain> page =
                rows.stream().limit(size).map(DomainStore.Listed::domain).toList();
        if (rows.size() <= size) {
            return new Page(page, "");
        }
        return new Page(
                page, pageTokens.create(LISTING, accountId, rows.get(size - 1).position()));
    }

    /**
     * Changes the settings present in {@code cmd}; SES follows (MAIL FROM, receiving). A new DKIM key
     * length is asked of SES first, and refused as {@link DkimKeyChangeTooSoonException} (by the stored
     * last key generation time, or by SES) within a day of the last key generation: then nothing changes.
     */
    public Domain update(String accountId, String id, UpdateCommand cmd) {
        Domain found = find(accountId, id);
        // Validate against the current state first so a bad request changes nothing.
        DomainSettings next = validated(found.name(), patched(found.settings(), cmd));
        Optional<DkimKeyLength> keyLength = keyLengthChange(found, cmd.dkimKeyLength());
        int rotationDays = rotationDays(
                found.dkimKeys().mode(),
                cmd.dkimRotationDays(),
                found.dkimKeys().rotationDays());
        // A change SES must follow is admitted by the SES budget before anything is stored.
        SesGateway admitted = sesChange(found.settings(), next) || keyLength.isPresent() ? sesFor(accountId) : null;
        Domain current = keyLength.isPresent() ? changeKeyLength(found, keyLength.get(), admitted) : found;
        Domain saved = write(current, d -> {
            DomainSettings changedSettings = validated(d.name(), patched(d.settings(), cmd));
            Domain changed =
                    d.withSettings(changedSettings).withDkimKeys(d.dkimKeys().withRotationDays(rotationDays));
            return sesChange(d.settings(), changedSettings)
                    ? changed.withSchedule(true, d.nextCheckAt(), d.checkAttempts())
                    : changed;
        });
        if (!saved.sesSyncNeeded()) {
            return saved;
        }
        try {
            pushSettings(saved, admitted != null ? admitted : sesFor(accountId));
            Instant now = clock.instant();
            return write(
                    saved,
                    d -> d.withSchedule(stillNeedsSync(d, saved.settings()), now, 0)
                            .withSesState(
                                    d.provisioning(),
                                    d.verificationStatus(),
                                    d.dkimStatus(),
                                    d.settings()
                                                    .mailFromDomain()
                                                    .equals(current.settings().mailFromDomain())
                                            ? d.mailFromStatus()
                                            : IdentityStatus.PENDING,
                                    d.dkim(),
                                    d.sesCheckedAt()));
        } catch (RetryLaterException e) {
            // The change is stored (SES is unavailable, or another change stored meanwhile needs SES and the
            // budget is used up); the verifier pushes it to SES later.
            return saved;
        } catch (SesRejectedException e) {
            throw new PreconditionFailedException(
                    "SES refused the change: " + e.getMessage() + " (the settings are stored and will be retried)");
        }
    }

    /**
     * Returns the key length to ask SES for: empty when none is asked or the domain already has it as its
     * next one. Throws {@link DkimKeyChangeTooSoonException} when the stored last key generation was less
     * than a day ago, before SES is asked.
     */
    private Optional<DkimKeyLength> keyLengthChange(Domain d, DkimKeyLength asked) {
        DkimSigning stored = DkimSigning.of(d.dkimKeys());
        if (asked == null || stored.alreadyHas(asked)) {
            return Optional.empty();
        }
        if (d.dkimKeys().mode() == DkimMode.BYODKIM) {
            throw new PreconditionFailedException("dkim_key_length: " + d.name() + " signs with its own key"
                    + " (BYODKIM, " + d.dkimKeys().current() + "), whose length is chosen when the key pair is"
                    + " made, at AddDomain (expected: the current length, or an Easy DKIM domain)");
        }
        if (!stored.changeAllowedAt(clock.instant())) {
            throw new DkimKeyChangeTooSoonException(d.name().value(), stored.nextChangeAllowedAt(), null);
        }
        return Optional.of(asked);
    }

    /**
     * Asks SES to make {@code length} the domain's next DKIM key length, then stores what SES says of the
     * keys. SES's once-a-day refusal reaches the caller as the {@link DkimKeyChangeTooSoonException} it is;
     * nothing is stored unless SES took the change.
     */
    private Domain changeKeyLength(Domain d, DkimKeyLength length, SesGateway ses) {
        try {
            ses.putDkimKeyLength(d.region(), d.name().value(), length);
        } catch (SesRejectedException e) {
            throw new PreconditionFailedException(
                    "dkim_key_length: SES refused the change to " + length + ": " + e.getMessage()
                            + " (nothing was changed)",
                    e);
        }
        DkimKeys learned = keysAfterChange(d, length, ses);
        return write(d, x -> x.withDkimKeys(learned));
    }

    /**
     * Returns the domain's DKIM keys as SES reports them after the change to {@code length}; what SES does
     * not say (or cannot be asked now) is kept from before, the next length being the one asked for.
     */
    private DkimKeys keysAfterChange(Domain d, DkimKeyLength length, SesGateway ses) {
        DkimKeys before = d.dkimKeys();
        DkimSigning read = null;
        try {
            read = ses.getDkimSigning(d.region(), d.name().value());
        } catch (RetryLaterException | SesRejectedException e) {
            log.info("Could not read the DKIM keys of {} after changing their length: {}", d.name(), e.toString());
        }
        if (read == null) {
            return before.withLengths(before.current(), length, before.lastGeneratedAt());
        }
        return before.withLengths(
                read.currentKeyLength() != null ? read.currentKeyLength() : before.current(),
                read.nextKeyLength() != null ? read.nextKeyLength() : length,
                read.lastKeyGenerationAt() != null ? read.lastKeyGenerationAt() : before.lastGeneratedAt());
    }

    /** What RemoveDomain did: the removed domain's id, and notes on what was left as it was. */
    public record Removal(String id, List<String> notes) {
        public Removal {
            requireNonNull(id, "id");
            notes = List.copyOf(notes);
        }
    }

    /**
     * Work a removal does under the domain's lease before the SES identity is deleted (taking back the
     * records published for it, say); returns notes for the caller on what it did and left.
     */
    @FunctionalInterface
    public interface RemovalStep {
        /** No work. */
        RemovalStep NONE = d -> List.of();

        List<String> run(Domain d);
    }

    /** Removes the domain as {@link #remove(String, String, RemovalStep)} does, with no further step. */
    public Removal remove(String accountId, String id) {
        return remove(accountId, id, RemovalStep.NONE);
    }

    /**
     * Deletes the domain's SES identity and takes it out of receiving, when the identity is ours (tagged
     * with the domain's id), then deletes the domain. An identity made outside Domainkeeper is left in SES
     * untouched, and the removal says so.
     *
     * <p>The removal first takes the domain's lease, the one the background jobs claim their rows with,
     * and holds it until the row is gone: a verifier working on the domain is waited for (up to
     * {@link #REMOVAL_WAIT}), and no verifier can start on it meanwhile, so none can re-create the
     * identity between its deletion and the row's. An unfinished add (CREATING) is removed the same way
     * once no add is working on it (one in flight is not waited for: it may take as long as SES does).
     * {@code step} runs under that lease before SES is called.
     */
    public Removal remove(String accountId, String id, RemovalStep step) {
        requireNonNull(step, "step");
        Domain found = findAnyState(accountId, id);
        SesGateway ses = sesFor(accountId); // Admitted before anything changes.
        String lease = Ids.newId("rm");
        Domain d = leaseForRemoval(found, lease);
        try {
            List<String> notes = new ArrayList<>(step.run(d));
            Instant now = clock.instant();
            store.renewLease(d.id(), lease, now.plus(addLease));
            IdentityState identity = ses.getIdentity(d.region(), d.name().value());
            if (identity != null && identity.ownedBy(d.id())) {
                if (d.settings().receiveEnabled()) {
                    ses.setReceiving(d.region(), d.name().value(), false);
                }
                ses.deleteIdentity(d.region(), d.name().value());
            } else if (identity != null) {
                notes.add("The SES identity " + d.name() + " was not created by Domainkeeper for this domain (it"
                        + " has no " + SesGateway.OWNER_TAG + " tag with " + d.id() + "), so it was left in SES"
                        + " as it is; only the domain was removed from Domainkeeper");
            }
            if (d.provisioning() == Domain.Provisioning.READY) {
                store.delete(accountId, d.id(), events.domainEvent(EventType.DOMAIN_DELETED, d));
            } else {
                store.delete(accountId, d.id()); // An unfinished add was never announced.
            }
            return new Removal(d.id(), notes);
        } catch (SesRejectedException e) {
            throw new PreconditionFailedException("SES refused to remove " + d.name() + ": " + e.getMessage());
        } finally {
            store.release(d.id(), lease);
        }
    }

    /**
     * Takes the domain's lease for its removal, waiting up to {@link #REMOVAL_WAIT} for a background job
     * that holds it; returns the domain as it is under the lease.
     */
    private Domain leaseForRemoval(Domain found, String lease) {
        long deadline = System.nanoTime() + REMOVAL_WAIT.toNanos();
        while (true) {
            Instant now = clock.instant();
            Optional<Domain> leased =
                    store.claimForRemoval(found.accountId(), found.id(), lease, now, now.plus(addLease));
            if (leased.isPresent()) {
                return leased.get();
            }
            Domain current = findAnyState(found.accountId(), found.id());
            if (current.provisioning() == Domain.Provisioning.CREATING) {
                throw new RetryLaterException(
                        RetryLaterException.Reason.UNAVAILABLE,
                        "id: the domain " + found.id() + " is still being added; retry",
                        Duration.ofSeconds(5));
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new RetryLaterException(
                        RetryLaterException.Reason.UNAVAILABLE,
                        "id: the domain " + found.id() + " is being checked by a background job; retry",
                        Duration.ofSeconds(5));
            }
            try {
                Thread.sleep(REMOVAL_POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RetryLaterException(
                        RetryLaterException.Reason.UNAVAILABLE, "interrupted", Duration.ofSeconds(1), e);
            }
        }
    }

    /** Returns the records Domainkeeper published for the domain through a DNS provider, in order. */
    public List<PublishedRecord> published(Domain d) {
        return store.published(d);
    }

    /** Stores {@code records} as what Domainkeeper has published for the domain (all of it, replacing the rest). */
    public void recordPublished(Domain d, List<PublishedRecord> records) {
        store.replacePublished(d, records, clock.instant());
    }

    /** Returns the READY domain, or NOT_FOUND for unknown ids, other accounts' ids and unfinished adds. */
    public Domain find(String accountId, String id) {
        Domain d = findAnyState(accountId, id);
        if (d.provisioning() != Domain.Provisioning.READY) {
            throw new NotFoundException("id: no domain " + id.trim() + " in this account");
        }
        return d;
    }

    /** Returns the domain in any provisioning state, or NOT_FOUND for unknown ids and other accounts' ids. */
    private Domain findAnyState(String accountId, String id) {
        if (id == null || id.isBlank()) {
            throw new InvalidInputException("id: must not be empty (expected: a domain id like dom_...)");
        }
        return store.find(accountId, id.trim())
                .orElseThrow(() -> new NotFoundException("id: no domain " + id.trim() + " in this account"));
    }

    /**
     * Returns whether the row still needs its SES settings pushed after {@code pushed} were sent
     * (null: nothing was sent): a change that landed meanwhile keeps the flag for the verifier.
     */
    private static boolean stillNeedsSync(Domain current, DomainSettings pushed) {
        if (!current.sesSyncNeeded()) {
            return false;
        }
        return pushed == null
                || !current.settings().mailFromDomain().equals(pushed.mailFromDomain())
                || current.settings().receiveEnabled() != pushed.receiveEnabled();
    }

    /** Returns whether SES must follow the change from {@code before} to {@code after} (MAIL FROM, receiving). */
    private static boolean sesChange(DomainSettings before, DomainSettings after) {
        return !after.mailFromDomain().equals(before.mailFromDomain())
                || after.receiveEnabled() != before.receiveEnabled();
    }

    /** Sends the settings SES holds (MAIL FROM, receiving) to SES. */
    private static void pushSettings(Domain d, SesGateway ses) {
        ses.putMailFrom(d.region(), d.name().value(), d.settings().mailFromDomain());
        ses.setReceiving(d.region(), d.name().value(), d.settings().receiveEnabled());
    }

    private static IdentityStatus mailFromStatusOf(Domain d, IdentityState state) {
        if (state.mailFromDomain() == null
                || !state.mailFromDomain().equalsIgnoreCase(d.settings().mailFromDomain())) {
            return d.settings().mailFromDomain().isEmpty() ? IdentityStatus.NOT_STARTED : IdentityStatus.PENDING;
        }
        return state.mailFromStatus();
    }

    /**
     * Applies {@code change} with optimistic locking, re-reading and re-applying when another writer won,
     * and records the events the change implies ({@link DomainTransitions}) in the same transaction.
     */
    public Domain write(Domain current, UnaryOperator<Domain> change) {
        Domain base = current;
        for (int attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
            Domain before = base;
            Optional<Domain> saved = store.update(
                    change.apply(base),
                    clock.instant(),
                    after -> DomainTransitions.between(before, after).stream()
                            .map(type -> events.domainEvent(type, after))
                            .toList());
            if (saved.isPresent()) {
                return saved.get();
            }
            base = store.findById(current.id())
                    .orElseThrow(() -> new NotFoundException("id: no domain " + current.id() + " in this account"));
        }
        throw new ConcurrentChangeException("id: domain " + current.id() + " is being changed concurrently; retry");
    }

    private static DomainSettings patched(DomainSettings s, UpdateCommand c) {
        SpfMode mode = c.spfMode() == null ? s.spfMode() : c.spfMode();
        String spfValue = c.spfValue() != null ? c.spfValue() : mode == SpfMode.FORCE_VALUE ? s.spfValue() : "";
        return new DomainSettings(
                c.sendEnabled() == null ? s.sendEnabled() : c.sendEnabled(),
                c.receiveEnabled() == null ? s.receiveEnabled() : c.receiveEnabled(),
                c.dmarcEnabled() == null ? s.dmarcEnabled() : c.dmarcEnabled(),
                c.dmarcPolicy() == null ? s.dmarcPolicy() : c.dmarcPolicy(),
                c.dmarcReportEmail() == null ? s.dmarcReportEmail() : c.dmarcReportEmail(),
                mode,
                spfValue,
                c.mailFromDomain() == null ? s.mailFromDomain() : c.mailFromDomain());
    }

    /** Checks the settings' rules and returns them normalized. */
    static DomainSettings validated(DomainName name, DomainSettings s) {
        String spfValue = s.spfValue().trim();
        if (s.spfMode() == SpfMode.FORCE_VALUE) {
            if (spfValue.isEmpty()) {
                throw new InvalidInputException("spf_value: required with spf_mode FORCE_VALUE");
            }
            SpfRecord.validate("spf_value", spfValue);
        } else if (!spfValue.isEmpty()) {
            throw new InvalidInputException(
                    "spf_value: only allowed with spf_mode FORCE_VALUE (got spf_mode " + s.spfMode() + ")");
        }
        String report = s.dmarcReportEmail().trim();
        if (!report.isEmpty()) {
            report = EmailAddress.parse("dmarc_report_email", report).address();
        }
        DomainName mailFrom = DomainName.parseMailFrom("mail_from_domain", s.mailFromDomain(), name);
        return new DomainSettings(
                s.sendEnabled(),
                s.receiveEnabled(),
                s.dmarcEnabled(),
                s.dmarcPolicy(),
                report,
                s.spfMode(),
                spfValue,
                mailFrom.value());
    }
}
