package dev.domainkeeper.validation;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;
import static java.util.Objects.requireNonNull;
import static java.util.concurrent.TimeUnit.NANOSECONDS;

import dev.domainkeeper.dns.AuthoritativeLookup;
import dev.domainkeeper.dns.DnsAnswer;
import dev.domainkeeper.dns.DnsAnswer.DnsValue;
import dev.domainkeeper.dns.DnsAnswer.Outcome;
import dev.domainkeeper.dns.DnsLookup;
import dev.domainkeeper.domain.DkimKeyRecords;
import dev.domainkeeper.domain.DmarcRecord;
import dev.domainkeeper.domain.DnsRecord;
import dev.domainkeeper.domain.DomainName;
import dev.domainkeeper.domain.DomainSettings;
import dev.domainkeeper.domain.HostNames;
import dev.domainkeeper.domain.InvalidInputException;
import dev.domainkeeper.domain.RecordPurpose;
import dev.domainkeeper.domain.RecordType;
import dev.domainkeeper.domain.RequiredRecords;
import dev.domainkeeper.domain.SpfMode;
import dev.domainkeeper.domain.SpfRecord;
import dev.domainkeeper.validation.DnsValidation.NameServerCheck;
import dev.domainkeeper.validation.DnsValidation.Propagation;
import dev.domainkeeper.validation.DnsValidation.RecordCheck;
import dev.domainkeeper.validation.DnsValidation.Status;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Checks a domain's planned records against what DNS answers now (docs/ARCHITECTURE.md, "DNS
 * validation").
 *
 * <p>Every lookup of a snapshot starts at once and is made once per name and type. The SPF records'
 * includes are then followed to count their DNS lookups (RFC 7208 §4.6.4); the includes of the
 * planned SPF values (normally just {@code amazonses.com}) are looked up together with the records,
 * so that a domain published as planned is checked in one round of lookups.
 *
 * <p>What the SPF evaluation counts: the DNS-querying terms ({@code include}, {@code a}, {@code mx},
 * {@code ptr}, {@code exists}, {@code redirect}) of the record and, recursively, of the records its
 * {@code include}s and {@code redirect} name; and as void lookups, the {@code include} and
 * {@code redirect} targets that answer NXDOMAIN or no data (the A and MX lookups of {@code a} and
 * {@code mx} are not made). An include that leads back to a record already on the path is a loop:
 * it is reported, not followed.
 *
 * <p>A snapshot has one overall deadline ({@link #DEFAULT_DEADLINE} unless configured): once it has
 * passed, no further lookup is started, lookups still out count as failed, and every record whose
 * check has not finished is reported as {@link Status#ERROR}, saying the check ran out of time. So a
 * long chain of slow SPF includes (up to {@link #MAX_SPF_RECORDS_FOLLOWED} records) ends with the
 * deadline instead of one lookup timeout per hop.
 *
 * <p>Propagation (only when asked for, see {@link #validate(List, DomainSettings, DomainName)}): each
 * record's zone is found by walking up from the record's name to the first name with NS records
 * (through the resolvers, never above the domain's registrable domain); its name servers (at most
 * {@link Propagation#MAX_NAME_SERVERS}, the first by name) are found once per snapshot and zone, and
 * every one of them is asked for the record directly, without recursion. Each answer is judged by the
 * same rules as the resolvers' answer, except that SPF includes are not followed per server. Every
 * one of these lookups is within the same overall deadline; a record whose name servers were not all
 * asked by then reports a propagation error saying it ran out of time.
 */
public final class DnsValidator {
    /** RFC 7208 §4.6.4: more DNS-querying terms than this make SPF evaluation fail (permerror). */
    public static final int MAX_SPF_LOOKUPS = 10;
    /** RFC 7208 §4.6.4: more void lookups than this make SPF evaluation fail (permerror). */
    public static final int MAX_VOID_LOOKUPS = 2;
    /** The most SPF records one snapshot reads while following includes, so a huge include tree stays cheap. */
    static final int MAX_SPF_RECORDS_FOLLOWED = 40;

    /** The overall deadline of one snapshot unless another is configured. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(10);

    /** Completes a future once a duration has passed; tests pass one they complete by hand. */
    @FunctionalInterface
    public interface Timer {
        /** Returns a future that completes once {@code delay} has passed. */
        CompletableFuture<Void> after(Duration delay);

        Timer DEFAULT = delay -> new CompletableFuture<Void>().completeOnTimeout(null, delay.toNanos(), NANOSECONDS);
    }

    private final DnsLookup dns;
    private final AuthoritativeLookup authoritative;
    private final Clock clock;
    private final Duration deadline;
    private final Timer timer;

    public DnsValidator(DnsLookup dns, Clock clock) {
        this(dns, clock, DEFAULT_DEADLINE, Timer.DEFAULT);
    }

    /** Creates a validator whose snapshots end after {@code deadline}, measured by {@code timer}. */
    public DnsValidator(DnsLookup dns, Clock clock, Duration deadline, Timer timer) {
        this(dns, null, clock, deadline, timer);
    }

    /**
     * Creates a validator as above that can also check propagation by asking name servers through
     * {@code authoritative} (null: propagation cannot be asked for).
     */
    public DnsValidator(DnsLookup dns, AuthoritativeLookup authoritative, Clock clock, Duration deadline, Timer timer) {
        this.dns = requireNonNull(dns, "dns");
        this.authoritative = authoritative;
        this.clock = requireNonNull(clock, "clock");
        this.deadline = requireNonNull(deadline, "deadline");
        checkArgument(!deadline.isNegative() && !deadline.isZero(), "deadline: %s (expected: > 0)", deadline);
        this.timer = requireNonNull(timer, "timer");
    }

    /**
     * Looks up every record in {@code records} (a domain's plan, see {@code Domain.records()}) and
     * checks it against {@code settings}. The future never fails: failed lookups become
     * {@link Status#ERROR} checks.
     */
    public CompletableFuture<DnsValidation> validate(List<DnsRecord> records, DomainSettings settings) {
        return validate(records, settings, null);
    }

    /**
     * Checks {@code records} as {@link #validate(List, DomainSettings)} does and, when {@code
     * propagationWithin} is not null, also asks the authoritative name servers of each record's zone,
     * looking for zones no higher than the registrable domain of {@code propagationWithin} (the
     * domain the records belong to). Each {@link RecordCheck} then carries its {@link Propagation}.
     *
     * @throws IllegalStateException when propagation is asked of a validator made without an
     *     authoritative lookup
     */
    public CompletableFuture<DnsValidation> validate(
            List<DnsRecord> records, DomainSettings settings, DomainName propagationWithin) {
        requireNonNull(records, "records");
        requireNonNull(settings, "settings");
        checkState(
                propagationWithin == null || authoritative != null,
                "propagation was asked for, but this validator has no authoritative lookup");
        Snapshot snapshot = new Snapshot(timer.after(deadline));
        var checkedAt = clock.instant();
        for (DnsRecord r : records) {
            snapshot.lookup(r.name(), r.type());
        }
        // Awaited too, even where no check needs it: a snapshot ends with every lookup it started, so
        // what it holds in the account's bound is all it asks of the resolvers.
        List<CompletableFuture<DnsAnswer>> eager = new ArrayList<>();
        for (DnsRecord r : records) {
            if (isSpfPurpose(r)) {
                plannedSpfTargets(r.value()).forEach(target -> eager.add(snapshot.lookup(target, RecordType.TXT)));
            }
        }
        List<CompletableFuture<Checked>> checks = records.stream()
                .map(r -> snapshot.beforeDeadline(r, check(r, settings, snapshot)))
                .toList();
        Propagations propagations =
                propagationWithin == null ? null : new Propagations(snapshot, propagationWithin.registrable());
        List<CompletableFuture<Optional<Propagation>>> spread = records.stream()
                .map(r -> propagations == null
                        ? CompletableFuture.completedFuture(Optional.<Propagation>empty())
                        : propagations.of(r, settings).thenApply(Optional::of))
                .toList();
        List<CompletableFuture<?>> all = new ArrayList<>(checks);
        all.addAll(spread);
        all.addAll(eager);
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<RecordCheck> results = new ArrayList<>();
            LinkedHashSet<String> warnings = new LinkedHashSet<>();
            for (int i = 0; i < checks.size(); i++) {
                Checked c = checks.get(i).join();
                RecordCheck check = c.check();
                results.add(spread.get(i).join().map(check::withPropagation).orElse(check));
                warnings.addAll(c.warnings());
            }
            boolean allValid =
                    results.stream().filter(c -> c.record().required()).allMatch(c -> c.status() == Status.VALID);
            return new DnsValidation(checkedAt, allValid, results, List.copyOf(warnings));
        });
    }

    /** One record's check and the warnings it raised. */
    private record Checked(RecordCheck check, List<String> warnings) {
        Checked {
            warnings = List.copyOf(warnings);
        }

        Checked withWarnings(List<String> more) {
            return new Checked(
                    check, Stream.concat(warnings.stream(), more.stream()).toList());
        }
    }

    private CompletableFuture<Checked> check(DnsRecord r, DomainSettings settings, Snapshot snapshot) {
        return snapshot.lookup(r.name(), r.type()).thenCompose(answer -> classify(r, answer, settings, snapshot));
    }

    /**
     * Judges one answer for {@code r}. SPF includes are followed through {@code includes}; when it is
     * null (an answer of one name server) they are not.
     */
    private CompletableFuture<Checked> classify(
            DnsRecord r, DnsAnswer answer, DomainSettings settings, Snapshot includes) {
        if (answer.outcome() == Outcome.ERROR) {
            return done(result(
                    r,
                    Status.ERROR,
                    List.of(),
                    "Could not look up " + r.type() + " at " + r.name() + ": " + answer.error()
                            + "; the record's state is unknown, try again shortly"));
        }
        return switch (r.type()) {
            case CNAME -> done(checkCname(r, answer));
            case MX -> done(checkMx(r, answer));
            case TXT -> checkTxt(r, answer, settings, includes);
            case NS -> done(result(r, Status.ERROR, List.of(), "NS records are not checked"));
        };
    }

    private static Checked checkCname(DnsRecord r, DnsAnswer answer) {
        List<String> targets = answer.records().stream()
                .map(v -> HostNames.normalize(v.value()))
                .toList();
        String expected = HostNames.normalize(r.value());
        if (targets.isEmpty()) {
            return result(
                    r,
                    Status.MISSING,
                    List.of(),
                    "No CNAME at " + r.name() + "; publish CNAME " + r.name() + " pointing to " + expected);
        }
        if (targets.contains(expected)) {
            return result(r, Status.VALID, targets, "CNAME points to " + expected);
        }
        return result(
                r, Status.MISMATCH, targets, "Found CNAME " + String.join(", ", targets) + "; expected " + expected);
    }

    private static Checked checkMx(DnsRecord r, DnsAnswer answer) {
        if (!answer.cnames().isEmpty()) {
            return cnameConflict(r, answer);
        }
        List<DnsValue> mx = answer.records();
        List<String> found = mx.stream().map(DnsValidator::mxText).toList();
        String expectedHost = HostNames.normalize(r.value());
        String expected = r.priority() + " " + expectedHost;
        if (mx.isEmpty()) {
            return result(r, Status.MISSING, found, "No MX record at " + r.name() + "; publish MX " + expected);
        }
        List<DnsValue> ours = mx.stream()
                .filter(v -> HostNames.normalize(v.value()).equals(expectedHost))
                .toList();
        List<String> foreign = mx.stream()
                .filter(v -> !HostNames.normalize(v.value()).equals(expectedHost))
                .map(DnsValidator::mxText)
                .toList();
        if (r.purpose() == RecordPurpose.INBOUND_MX && !foreign.isEmpty()) {
            return result(
                    r,
                    Status.CONFLICT,
                    found,
                    "Found MX " + String.join(", ", foreign) + " at " + r.name()
                            + "; receiving through SES needs MX " + expected + " as the only MX host: remove the other"
                            + " MX records or turn receiving off");
        }
        if (ours.isEmpty()) {
            return result(
                    r, Status.MISMATCH, found, "Found MX " + String.join(", ", found) + "; expected MX " + expected);
        }
        List<String> warnings = new ArrayList<>();
        if (ours.stream().noneMatch(v -> v.priority() == r.priority())) {
            warnings.add("MX " + expectedHost + " at " + r.name() + " has priority "
                    + ours.get(0).priority() + " (expected: " + r.priority()
                    + "); it works, but differs from the recommended record");
        }
        if (!foreign.isEmpty()) {
            warnings.add(r.name() + " also has MX " + String.join(", ", foreign)
                    + "; bounces and complaints may go there instead of to SES");
        }
        return result(r, Status.VALID, found, "MX " + expected + " is published")
                .withWarnings(warnings);
    }

    private CompletableFuture<Checked> checkTxt(
            DnsRecord r, DnsAnswer answer, DomainSettings settings, Snapshot snapshot) {
        if (!answer.cnames().isEmpty()) {
            return done(cnameConflict(r, answer));
        }
        List<String> found = answer.records().stream().map(DnsValue::value).toList();
        return switch (r.purpose()) {
            case SPF, MAIL_FROM_SPF -> checkSpf(r, found, settings, snapshot);
            case DMARC -> done(checkDmarc(r, found, settings));
            case DKIM -> done(checkDkimKey(r, found));
            default ->
                done(
                        found.contains(r.value())
                                ? result(r, Status.VALID, found, "TXT record is published")
                                : result(
                                        r,
                                        found.isEmpty() ? Status.MISSING : Status.MISMATCH,
                                        found,
                                        "Expected TXT \"" + r.value() + "\" at " + r.name()));
        };
    }

    /**
     * Checks a BYODKIM public key record: VALID when a TXT record at the selector carries the planned
     * key ({@code p=}, whitespace and tag order aside), MISMATCH when it carries another key.
     */
    private Checked checkDkimKey(DnsRecord r, List<String> found) {
        String wanted = DkimKeyRecords.publicKey(r.value()).orElse("");
        List<String> keys = found.stream()
                .map(DkimKeyRecords::publicKey)
                .flatMap(Optional::stream)
                .toList();
        if (keys.contains(wanted)) {
            return result(r, Status.VALID, found, "The DKIM public key is published");
        }
        if (keys.isEmpty()) {
            return result(
                    r, Status.MISSING, found, "No DKIM key at " + r.name() + "; publish TXT \"" + r.value() + "\"");
        }
        return result(
                r,
                Status.MISMATCH,
                found,
                r.name() + " publishes another DKIM key; publish TXT \"" + r.value() + "\" instead");
    }

    private CompletableFuture<Checked> checkSpf(
            DnsRecord r, List<String> found, DomainSettings settings, Snapshot snapshot) {
        List<String> spf = found.stream().filter(SpfRecord::isSpf).toList();
        if (spf.isEmpty()) {
            return done(result(
                    r, Status.MISSING, found, "No SPF record at " + r.name() + "; publish TXT \"" + r.value() + "\""));
        }
        if (spf.size() > 1) {
            return done(result(
                    r,
                    Status.CONFLICT,
                    found,
                    "Found " + spf.size() + " SPF records at " + r.name()
                            + "; receivers treat more than one as an error (permerror): merge them into one record"));
        }
        String text = spf.get(0);
        SpfRecord parsed;
        try {
            parsed = SpfRecord.parse(r.name(), text);
        } catch (InvalidInputException e) {
            return done(
                    result(r, Status.CONFLICT, found, "Found an SPF record receivers cannot read: " + e.getMessage()));
        }
        SpfMode mode = r.purpose() == RecordPurpose.MAIL_FROM_SPF ? SpfMode.MERGE : settings.spfMode();
        boolean hasSes = parsed.hasInclude(RequiredRecords.SES_SPF_INCLUDE);
        List<String> warnings = new ArrayList<>();
        Checked checked;
        switch (mode) {
            case MERGE:
                checked = hasSes
                        ? result(r, Status.VALID, found, "SPF record includes " + RequiredRecords.SES_SPF_INCLUDE)
                        : result(
                                r,
                                Status.MISMATCH,
                                found,
                                "Found SPF \"" + text + "\" without include:" + RequiredRecords.SES_SPF_INCLUDE
                                        + "; expected " + merged(text));
                break;
            case FORCE_VALUE:
                checked = normalizeSpaces(text).equals(normalizeSpaces(r.value()))
                        ? result(r, Status.VALID, found, "SPF record is published as set")
                        : result(
                                r,
                                Status.MISMATCH,
                                found,
                                "Found SPF \"" + text + "\"; expected \"" + r.value() + "\"");
                break;
            default: // CREATE_IF_MISSING: an existing record is left alone.
                checked = result(r, Status.VALID, found, "An SPF record is published");
                if (!hasSes) {
                    warnings.add("The SPF record at " + r.name() + " does not include "
                            + RequiredRecords.SES_SPF_INCLUDE + ", so mail SES sends will not pass SPF at the"
                            + " apex: add include:" + RequiredRecords.SES_SPF_INCLUDE + " before its all term");
                }
                break;
        }
        Checked base = checked.withWarnings(warnings);
        if (snapshot == null) {
            return done(base);
        }
        return new SpfCounter(snapshot, r.name())
                .count(parsed)
                .thenApply(tally -> base.withWarnings(tally.warnings(r.name())));
    }

    private static Checked checkDmarc(DnsRecord r, List<String> found, DomainSettings settings) {
        List<String> dmarc = found.stream().filter(DmarcRecord::isDmarc).toList();
        if (dmarc.isEmpty()) {
            return result(
                    r, Status.MISSING, found, "No DMARC record at " + r.name() + "; publish TXT \"" + r.value() + "\"");
        }
        if (dmarc.size() > 1) {
            return result(
                    r,
                    Status.CONFLICT,
                    found,
                    "Found " + dmarc.size() + " DMARC records at " + r.name()
                            + "; receivers ignore DMARC when there is more than one: keep one");
        }
        DmarcRecord parsed;
        try {
            parsed = DmarcRecord.parse(r.name(), dmarc.get(0));
        } catch (InvalidInputException e) {
            return result(r, Status.CONFLICT, found, "Found a DMARC record receivers cannot read: " + e.getMessage())
                    .withWarnings(List.of("The DMARC record at " + r.name() + " does not parse, so receivers"
                            + " ignore it: " + e.getMessage()));
        }
        String wanted = settings.dmarcPolicy().name().toLowerCase(Locale.ROOT);
        String got = parsed.policy().name().toLowerCase(Locale.ROOT);
        if (parsed.policy().isWeakerThan(settings.dmarcPolicy())) {
            return result(
                    r,
                    Status.MISMATCH,
                    found,
                    "Found DMARC policy p=" + got + " at " + r.name() + "; expected p=" + wanted + " or stricter");
        }
        return result(r, Status.VALID, found, "DMARC record with p=" + got + " is published");
    }

    private static Checked cnameConflict(DnsRecord r, DnsAnswer answer) {
        List<String> targets = answer.cnames().stream()
                .map(v -> HostNames.normalize(v.value()))
                .toList();
        return result(
                r,
                Status.CONFLICT,
                targets,
                "Found CNAME " + targets.get(0) + " at " + r.name() + "; a "
                        + r.type() + " record cannot be published beside a CNAME: remove the CNAME, then publish "
                        + r.type() + " "
                        + (r.type() == RecordType.MX ? r.priority() + " " + r.value() : "\"" + r.value() + "\""));
    }

    /** Counts an SPF record's DNS lookups, following includes and redirect through one snapshot. */
    private static final class SpfCounter {
        private final Snapshot snapshot;
        private final String origin;
        private final AtomicInteger recordsFollowed = new AtomicInteger();

        SpfCounter(Snapshot snapshot, String origin) {
            this.snapshot = snapshot;
            this.origin = HostNames.normalize(origin);
        }

        CompletableFuture<Tally> count(SpfRecord record) {
            return count(record, List.of(origin));
        }

        private CompletableFuture<Tally> count(SpfRecord record, List<String> path) {
            List<CompletableFuture<Tally>> parts = new ArrayList<>();
            parts.add(CompletableFuture.completedFuture(Tally.of(record.dnsQueryingTerms())));
            for (String target : followedTargets(record)) {
                parts.add(follow(target, path));
            }
            return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
                    .thenApply(
                            done -> parts.stream().map(CompletableFuture::join).reduce(Tally.of(0), Tally::plus));
        }

        private CompletableFuture<Tally> follow(String target, List<String> path) {
            if (path.contains(target)) {
                return CompletableFuture.completedFuture(Tally.note("SPF include loop: " + String.join(" -> ", path)
                        + " -> " + target + "; receivers stop with an error (permerror)"));
            }
            if (recordsFollowed.incrementAndGet() > MAX_SPF_RECORDS_FOLLOWED) {
                return CompletableFuture.completedFuture(Tally.TRUNCATED);
            }
            List<String> next = Stream.concat(path.stream(), Stream.of(target)).toList();
            return snapshot.lookup(target, RecordType.TXT).thenCompose(answer -> {
                switch (answer.outcome()) {
                    case ERROR:
                        return CompletableFuture.completedFuture(Tally.note("Could not look up the SPF record of "
                                + target + " (included from " + path.get(path.size() - 1) + "): " + answer.error()));
                    case NXDOMAIN:
                    case NO_DATA:
                        return CompletableFuture.completedFuture(Tally.VOID);
                    default:
                        break;
                }
                List<String> spf = answer.records().stream()
                        .map(DnsValue::value)
                        .filter(SpfRecord::isSpf)
                        .toList();
                if (spf.size() != 1) {
                    return CompletableFuture.completedFuture(Tally.note(target + " (included from "
                            + path.get(path.size() - 1) + ") publishes " + spf.size() + " SPF records (expected: 1);"
                            + " receivers stop with an error (permerror)"));
                }
                try {
                    return count(SpfRecord.parse(target, spf.get(0)), next);
                } catch (InvalidInputException e) {
                    return CompletableFuture.completedFuture(Tally.note("The SPF record of " + target
                            + " (included from " + path.get(path.size() - 1) + ") does not parse: " + e.getMessage()));
                }
            });
        }
    }

    /** Adds up DNS-querying terms and void lookups, and collects what went wrong on the way. */
    private record Tally(int lookups, int voids, boolean truncated, List<String> notes) {
        static final Tally VOID = new Tally(0, 1, false, List.of());
        static final Tally TRUNCATED = new Tally(0, 0, true, List.of());

        static Tally of(int lookups) {
            return new Tally(lookups, 0, false, List.of());
        }

        static Tally note(String note) {
            return new Tally(0, 0, false, List.of(note));
        }

        Tally plus(Tally other) {
            return new Tally(
                    lookups + other.lookups,
                    voids + other.voids,
                    truncated || other.truncated,
                    Stream.concat(notes.stream(), other.notes.stream()).toList());
        }

        List<String> warnings(String name) {
            List<String> out = new ArrayList<>();
            if (lookups > MAX_SPF_LOOKUPS) {
                out.add("The SPF record at " + name + " needs " + (truncated ? "at least " : "") + lookups
                        + " DNS lookups (limit: " + MAX_SPF_LOOKUPS + "); receivers stop with an error (permerror):"
                        + " remove or flatten includes");
            }
            if (voids > MAX_VOID_LOOKUPS) {
                out.add("The SPF record at " + name + " makes " + voids + " lookups that find nothing (limit: "
                        + MAX_VOID_LOOKUPS + "); receivers stop with an error (permerror): remove includes of"
                        + " domains without SPF records");
            }
            out.addAll(notes);
            return out;
        }
    }

    /**
     * Holds one snapshot's lookups (each name and type asked once, whoever asks) and its deadline:
     * after it, lookups are not started and the ones still out answer as failed.
     */
    private final class Snapshot {
        private final Map<String, CompletableFuture<DnsAnswer>> answers = new ConcurrentHashMap<>();
        private final CompletableFuture<Void> expired;

        Snapshot(CompletableFuture<Void> expired) {
            this.expired = expired;
        }

        CompletableFuture<DnsAnswer> lookup(String name, RecordType type) {
            return answers.computeIfAbsent(
                    HostNames.normalize(name) + " " + type, key -> query(HostNames.normalize(name), type));
        }

        private CompletableFuture<DnsAnswer> query(String name, RecordType type) {
            return bounded(() -> dns.query(name, type), DnsValidator::failed, outOfTime());
        }

        /**
         * Starts {@code call} unless the deadline has passed, and returns its result, {@code failed}'s
         * when it fails, or {@code late} once the deadline passes first.
         */
        <T> CompletableFuture<T> bounded(Supplier<CompletableFuture<T>> call, Function<Throwable, T> failed, T late) {
            if (expired.isDone()) {
                return CompletableFuture.completedFuture(late);
            }
            CompletableFuture<T> out = new CompletableFuture<>();
            expired.thenRun(() -> out.complete(late));
            try {
                call.get().exceptionally(failed).thenAccept(out::complete);
            } catch (RuntimeException e) {
                out.complete(failed.apply(e));
            }
            return out;
        }

        /**
         * Returns {@code check}, or an ERROR check of {@code r} when the deadline passes first (a check
         * finished by the deadline's failed lookups counts as not finished in time).
         */
        CompletableFuture<Checked> beforeDeadline(DnsRecord r, CompletableFuture<Checked> check) {
            Checked late = result(
                    r,
                    Status.ERROR,
                    List.of(),
                    "The DNS check ran out of time (limit: " + deadline.toMillis() + " ms for one snapshot) before "
                            + r.type() + " at " + r.name() + " was checked; the record's state is unknown, try again"
                            + " shortly");
            return beforeDeadline(check, late);
        }

        /** Returns {@code work}'s result, or {@code late} when the deadline passes first (or it fails). */
        <T> CompletableFuture<T> beforeDeadline(CompletableFuture<T> work, T late) {
            CompletableFuture<T> out = new CompletableFuture<>();
            expired.thenRun(() -> out.complete(late));
            work.whenComplete((c, e) -> out.complete(e != null || expired.isDone() ? late : c));
            return out;
        }

        private DnsAnswer outOfTime() {
            return new DnsAnswer(
                    Outcome.ERROR,
                    List.of(),
                    List.of(),
                    "the DNS check ran out of time (limit: " + deadline.toMillis() + " ms for one snapshot)");
        }
    }

    /**
     * Checks records on the authoritative name servers of their zones within one snapshot: a zone's
     * name servers and their addresses are found once, and each name server is asked once per name
     * and type.
     */
    private final class Propagations {
        private final Snapshot snapshot;
        private final String top;
        private final Map<String, CompletableFuture<Zone>> zones = new ConcurrentHashMap<>();
        private final Map<String, CompletableFuture<DnsAnswer>> answers = new ConcurrentHashMap<>();

        Propagations(Snapshot snapshot, DomainName registrable) {
            this.snapshot = snapshot;
            this.top = registrable.value();
        }

        /** A zone and its name servers, or why they are not known. */
        private record Zone(String name, List<NameServer> servers, String error) {}

        /** A name server host and its addresses (the first is asked). */
        private record NameServer(String host, AuthoritativeLookup.Addresses addresses) {}

        CompletableFuture<Propagation> of(DnsRecord r, DomainSettings settings) {
            String name = HostNames.normalize(r.name());
            CompletableFuture<Propagation> work = zoneOf(candidates(name), 0).thenCompose(zone -> {
                if (!zone.error().isEmpty()) {
                    return CompletableFuture.completedFuture(Propagation.failed(zone.name(), zone.error()));
                }
                List<CompletableFuture<NameServerCheck>> each =
                        zone.servers().stream().map(ns -> ask(ns, r, settings)).toList();
                return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                        .thenApply(done -> Propagation.of(
                                zone.name(),
                                each.stream().map(CompletableFuture::join).toList()));
            });
            return snapshot.beforeDeadline(
                    work,
                    Propagation.failed(
                            "",
                            "the check of the name servers ran out of time (limit: " + deadline.toMillis()
                                    + " ms for one snapshot) before " + r.type() + " at " + r.name()
                                    + " was asked of all of them; try again shortly"));
        }

        /** Returns {@code name} and its parents up to the registrable domain, longest first. */
        private List<String> candidates(String name) {
            List<String> out = new ArrayList<>(List.of(name));
            String current = name;
            while (current.endsWith("." + top)) {
                current = current.substring(current.indexOf('.') + 1);
                out.add(current);
            }
            return out;
        }

        /** Returns the zone of the first of {@code candidates} from {@code index} on that has NS records. */
        private CompletableFuture<Zone> zoneOf(List<String> candidates, int index) {
            String candidate = candidates.get(index);
            return snapshot.lookup(candidate, RecordType.NS).thenCompose(answer -> {
                if (answer.outcome() == Outcome.ERROR) {
                    return CompletableFuture.completedFuture(new Zone(
                            candidate, List.of(), "could not look up NS at " + candidate + ": " + answer.error()));
                }
                if (answer.outcome() == Outcome.FOUND && answer.cnames().isEmpty()) {
                    return zones.computeIfAbsent(candidate, zone -> nameServers(zone, answer.records()));
                }
                if (index + 1 < candidates.size()) {
                    return zoneOf(candidates, index + 1);
                }
                return CompletableFuture.completedFuture(new Zone(
                        "",
                        List.of(),
                        "no NS records at " + candidates.get(0)
                                + (candidates.size() > 1 ? " or its parents up to " + candidate : "")));
            });
        }

        private CompletableFuture<Zone> nameServers(String zone, List<DnsValue> ns) {
            List<CompletableFuture<NameServer>> each = ns.stream()
                    .map(v -> HostNames.normalize(v.value()))
                    .distinct()
                    .sorted()
                    .limit(Propagation.MAX_NAME_SERVERS)
                    .map(host -> snapshot.bounded(
                                    () -> authoritative.addresses(host),
                                    e -> AuthoritativeLookup.Addresses.failed("lookup failed: " + e),
                                    AuthoritativeLookup.Addresses.failed(
                                            snapshot.outOfTime().error()))
                            .thenApply(addresses -> new NameServer(host, addresses)))
                    .toList();
            return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                    .thenApply(done -> new Zone(
                            zone, each.stream().map(CompletableFuture::join).toList(), ""));
        }

        private CompletableFuture<NameServerCheck> ask(NameServer ns, DnsRecord r, DomainSettings settings) {
            if (ns.addresses().addresses().isEmpty()) {
                return CompletableFuture.completedFuture(new NameServerCheck(
                        ns.host(),
                        "",
                        Status.ERROR,
                        List.of(),
                        "Could not find the address of name server " + ns.host() + ": "
                                + ns.addresses().error()));
            }
            InetSocketAddress address = ns.addresses().addresses().get(0);
            String ip = address.getAddress().getHostAddress();
            String name = HostNames.normalize(r.name());
            return answers.computeIfAbsent(
                            ip + " " + name + " " + r.type(),
                            key -> snapshot.bounded(
                                    () -> authoritative.query(address, name, r.type()),
                                    DnsValidator::failed,
                                    snapshot.outOfTime()))
                    .thenCompose(answer -> classify(r, answer, settings, null))
                    .thenApply(c -> new NameServerCheck(
                            ns.host(),
                            ip,
                            c.check().status(),
                            c.check().foundValues(),
                            c.check().message()));
        }
    }

    private static DnsAnswer failed(Throwable e) {
        return new DnsAnswer(Outcome.ERROR, List.of(), List.of(), "lookup failed: " + e);
    }

    /** Returns the include and applicable redirect targets, without macros (which cannot be followed). */
    private static List<String> followedTargets(SpfRecord record) {
        List<String> targets = new ArrayList<>(record.includes());
        boolean hasAll = record.terms().stream()
                .anyMatch(t -> t instanceof SpfRecord.Mechanism m && m.name().equals("all"));
        if (!hasAll) {
            record.redirect().ifPresent(targets::add);
        }
        return targets.stream()
                .filter(t -> !t.contains("%"))
                .map(HostNames::normalize)
                .distinct()
                .toList();
    }

    private static List<String> plannedSpfTargets(String planned) {
        try {
            return followedTargets(SpfRecord.parse("planned SPF", planned));
        } catch (InvalidInputException e) {
            return List.of();
        }
    }

    private static boolean isSpfPurpose(DnsRecord r) {
        return r.type() == RecordType.TXT
                && (r.purpose() == RecordPurpose.SPF || r.purpose() == RecordPurpose.MAIL_FROM_SPF);
    }

    private static String merged(String existing) {
        try {
            return "\"" + SpfRecord.mergeInclude(existing, RequiredRecords.SES_SPF_INCLUDE) + "\"";
        } catch (InvalidInputException e) {
            return "include:" + RequiredRecords.SES_SPF_INCLUDE + " in it";
        }
    }

    private static Checked result(DnsRecord r, Status status, List<String> found, String message) {
        return new Checked(new RecordCheck(r, status, found, message), List.of());
    }

    private static CompletableFuture<Checked> done(Checked checked) {
        return CompletableFuture.completedFuture(checked);
    }

    private static String mxText(DnsValue v) {
        return v.priority() + " " + HostNames.normalize(v.value());
    }

    private static String normalizeSpaces(String s) {
        return s.strip().replaceAll("\\s+", " ");
    }
}
