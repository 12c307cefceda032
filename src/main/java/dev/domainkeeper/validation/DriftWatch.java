package dev.domainkeeper.validation;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.dns.DnsAnswer;
import dev.domainkeeper.dns.DnsLookup;
import dev.domainkeeper.domain.DnsRecord;
import dev.domainkeeper.domain.Domain;
import dev.domainkeeper.domain.EventType;
import dev.domainkeeper.domain.RecordType;
import dev.domainkeeper.events.EventRecorder;
import dev.domainkeeper.jobs.LeasedJobLoop;
import dev.domainkeeper.store.DnsHealthStore;
import dev.domainkeeper.store.DnsHealthStore.Health;
import dev.domainkeeper.store.DomainStore;
import dev.domainkeeper.store.OutboxEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches verified domains' DNS for drift: re-checks each verified domain's records in the background
 * (every {@code interval}, jittered by ±10% so checks spread out), remembers which records were seen
 * valid, and when one of them goes missing, changes or meets a conflict records a
 * {@code domain.dns_drift} event (and {@code domain.dns_restored} when it is back), in the same
 * transaction as the check's outcome. GetDomain shows the outcome as {@link DnsHealth}.
 *
 * <p>The checks run on the one {@link LeasedJobLoop}, so two nodes never check the same domain at once,
 * and within a DNS query budget: at most {@code queriesPerMinute} lookups per minute on this node. A
 * domain is checked only while the current minute has budget left; otherwise its check moves to the
 * next minute (one check may overshoot the budget by its own lookups, about ten).
 */
public final class DriftWatch implements AutoCloseable {
    /** How long a check holds its domain. */
    public static final Duration LEASE = Duration.ofMinutes(2);
    /** The default time between two checks of a domain. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofHours(6);
    /** How often the loop looks for due checks. */
    public static final Duration POLL_INTERVAL = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(DriftWatch.class);
    private static final int PER_PASS = 50;
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(60);

    private final DnsHealthStore health;
    private final DomainStore domains;
    private final DnsValidator validator;
    private final EventRecorder events;
    private final Clock clock;
    private final Duration interval;
    private final int queriesPerMinute;
    private final DoubleSupplier random;
    private final LeasedJobLoop<Health> loop;
    private final AtomicLong queries = new AtomicLong();
    private volatile long budgetMinute = -1;

    /**
     * Creates the watch; its lookups go through {@code dns}, counted against {@code queriesPerMinute}.
     * {@code random} gives numbers in [0, 1) for the jitter.
     */
    public DriftWatch(
            DnsHealthStore health,
            DomainStore domains,
            EventRecorder events,
            DnsLookup dns,
            Clock clock,
            Duration interval,
            int queriesPerMinute,
            Duration lease,
            DoubleSupplier random) {
        this.events = requireNonNull(events, "events");
        this.health = requireNonNull(health, "health");
        this.domains = requireNonNull(domains, "domains");
        this.clock = requireNonNull(clock, "clock");
        this.interval = requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive: " + interval);
        }
        if (queriesPerMinute < 1) {
            throw new IllegalArgumentException("queriesPerMinute must be at least 1: " + queriesPerMinute);
        }
        this.queriesPerMinute = queriesPerMinute;
        this.random = requireNonNull(random, "random");
        this.validator = new DnsValidator(new Counted(requireNonNull(dns, "dns")), clock);
        this.loop = new LeasedJobLoop<>(
                "drift-watch", health.due(), this::check, clock, lease, LeasedJobLoop.Limits.perPass(10, PER_PASS));
    }

    /** Starts looking for due checks every {@link #POLL_INTERVAL}. */
    public void start() {
        loop.start(POLL_INTERVAL);
    }

    /**
     * Enrols newly verified domains (their first check is due at once, to learn which records are
     * valid) and checks the domains that are due; returns how many were claimed.
     */
    public int runOnce() {
        health.enrolVerified(clock.instant(), DriftState.EMPTY);
        return loop.runOnce().claimed();
    }

    /** Returns what the watch knows of the account's domain, empty before its first check. */
    public Optional<DnsHealth> health(String accountId, String domainId) {
        return health.find(accountId, domainId)
                .map(h -> new DnsHealth(
                        h.checkedAt(),
                        h.nextCheckAt(),
                        DriftState.parse(h.state()).drifted()));
    }

    private boolean check(Health h, String claimId) {
        Instant now = clock.instant();
        if (!withinBudget(now)) {
            health.postpone(
                    h.domainId(), claimId, now.truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1)));
            return false;
        }
        Optional<Domain> found = domains.find(h.accountId(), h.domainId());
        if (found.isEmpty()) {
            health.delete(h.domainId());
            return true;
        }
        Domain d = found.get();
        DnsValidation v = validator
                .validate(d.records(), d.settings())
                .orTimeout(CHECK_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                .join();
        DriftState.Step step = DriftState.parse(h.state()).apply(v, v.checkedAt());
        List<OutboxEvent> outcome = new ArrayList<>();
        if (!step.drifted().isEmpty()) {
            outcome.add(
                    events.domainEvent(EventType.DOMAIN_DNS_DRIFT, d, Map.of("records", driftPayload(step.drifted()))));
            log.info("Domain {}: {} record(s) drifted", d.id(), step.drifted().size());
        }
        if (!step.restored().isEmpty()) {
            outcome.add(events.domainEvent(
                    EventType.DOMAIN_DNS_RESTORED,
                    d,
                    Map.of(
                            "records",
                            step.restored().stream()
                                    .map(DriftWatch::recordPayload)
                                    .toList())));
        }
        health.recordCheck(
                h, claimId, v.checkedAt(), next(v.checkedAt()), step.state().json(), outcome);
        return true;
    }

    private boolean withinBudget(Instant now) {
        long minute = now.getEpochSecond() / 60;
        if (minute != budgetMinute) {
            budgetMinute = minute;
            queries.set(0);
        }
        return queries.get() < queriesPerMinute;
    }

    private Instant next(Instant at) {
        double jitter = 0.9 + 0.2 * random.getAsDouble();
        return at.plusMillis(Math.round(interval.toMillis() * jitter));
    }

    private static List<Map<String, Object>> driftPayload(List<DnsHealth.Drift> drifted) {
        return drifted.stream()
                .map(x -> {
                    Map<String, Object> m = recordPayload(x.record());
                    m.put("status", x.status().name());
                    m.put("found_values", x.foundValues());
                    m.put("message", x.message());
                    return m;
                })
                .toList();
    }

    private static Map<String, Object> recordPayload(DnsRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("purpose", r.purpose().name());
        m.put("type", r.type().name());
        m.put("name", r.name());
        m.put("value", r.value());
        return m;
    }

    @Override
    public void close() {
        loop.close();
    }

    /** Counts the watch's lookups against the budget. */
    private final class Counted implements DnsLookup {
        private final DnsLookup delegate;

        Counted(DnsLookup delegate) {
            this.delegate = delegate;
        }

        @Override
        public CompletableFuture<DnsAnswer> query(String name, RecordType type) {
            queries.incrementAndGet();
            return delegate.query(name, type);
        }
    }
}
