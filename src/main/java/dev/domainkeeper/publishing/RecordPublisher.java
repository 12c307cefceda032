package dev.domainkeeper.publishing;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.base.Suppliers;
import com.google.common.base.Ticker;
import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import dev.domainkeeper.accounts.AccountService;
import dev.domainkeeper.dns.DnsAnswer;
import dev.domainkeeper.dns.DnsLookup;
import dev.domainkeeper.dnsconnections.DnsConnection;
import dev.domainkeeper.dnsconnections.DnsConnectionService;
import dev.domainkeeper.dnshosting.DnsProvider;
import dev.domainkeeper.dnshosting.DnsProviderAccess;
import dev.domainkeeper.dnshosting.HostedZone;
import dev.domainkeeper.dnshosting.ProviderAccessDeniedException;
import dev.domainkeeper.dnshosting.ProviderRejectedException;
import dev.domainkeeper.dnshosting.ProviderUnavailableException;
import dev.domainkeeper.dnshosting.RecordSet;
import dev.domainkeeper.domain.ApplyState;
import dev.domainkeeper.domain.ApplyState.FailedRecord;
import dev.domainkeeper.domain.DnsRecord;
import dev.domainkeeper.domain.Domain;
import dev.domainkeeper.domain.HostNames;
import dev.domainkeeper.domain.PublishedRecord;
import dev.domainkeeper.domain.RecordType;
import dev.domainkeeper.domains.DomainService;
import dev.domainkeeper.domains.KeyRecords;
import dev.domainkeeper.errors.PreconditionFailedException;
import dev.domainkeeper.errors.RetryLaterException;
import dev.domainkeeper.publishing.RecordChangePlanner.Plan;
import dev.domainkeeper.publishing.RecordChangePlanner.PlannedChange;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Publishes a domain's records to its DNS provider: CheckDNSProvider (which zone, can we use it,
 * is it the one the internet sees) and ApplyDomainRecords (plan with {@link RecordChangePlanner},
 * submit as one batch, fall back to one change per record to name the ones the provider refuses,
 * and record {@code dns_apply_state} and what was published). Whether a submitted change is in sync is
 * followed in the background by {@link ApplyTracker}, not by blocking the call. RemoveDomain with
 * {@code remove_published_records} takes back what was published ({@link #removeWithPublishedRecords}).
 *
 * <p>The hosted zones belong to the operator's AWS account, which every account shares: a zone is
 * used for an account only when the operator granted it to that account
 * ({@link AccountService#mayPublishTo}). Without a grant nothing of the zone is read beyond finding
 * it, and nothing is written.
 *
 * <p>The zone found for a domain is remembered per account for a bounded time ({@link
 * #DEFAULT_ZONE_CACHE_TTL} unless configured), so a client polling CheckDNSProvider costs Route 53
 * one zone lookup per that time; a zone created or deleted meanwhile is seen once the entry expires.
 * The entry answers only the account that asked: the grant is checked on every call.
 */
public final class RecordPublisher {
    /** The provider name stored in the apply state. */
    static final String ROUTE53 = "ROUTE53";
    /** Separates the provider from the connection in the apply state's provider name ({@code ROUTE53:dnc_…}). */
    static final String CONNECTION_SEPARATOR = ":";
    /** What to do when no provider is configured. */
    private static final String HOW_TO_ENABLE = "Route 53 automation is off: start Domainkeeper with"
            + " DOMAINKEEPER_SES_BACKEND=aws (credentials from the AWS SDK's default chain) or set"
            + " DOMAINKEEPER_ROUTE53_ENDPOINT";

    private static final Duration NS_LOOKUP_LIMIT = Duration.ofSeconds(10);
    /** How long a zone lookup is remembered per account unless configured otherwise. */
    public static final Duration DEFAULT_ZONE_CACHE_TTL = Duration.ofSeconds(60);
    /** The most zone lookups remembered (over all accounts); the oldest go first. */
    static final int MAX_CACHED_ZONES = 10_000;

    private final DomainService domains;
    private final AccountService accounts;
    private final DnsConnectionService connections;
    private final Optional<DnsProviderAccess> provider;
    private final DnsLookup dns;
    private final Clock clock;
    /** The zone found for a domain name, per account; empty when none serves it. */
    private final Cache<ZoneKey, Optional<HostedZone>> zones;

    /** What a cached zone lookup answers for: one account's question about one name. */
    private record ZoneKey(String accountId, String domain) {}

    /**
     * {@code provider} is empty when Route 53 automation is not configured; {@code accounts} says
     * which zones each account may use; {@code connections} holds the account's own DNS connections.
     * Every call to the operator's provider is made for the domain's account, within its share of the
     * provider's request budget.
     */
    public RecordPublisher(
            DomainService domains,
            AccountService accounts,
            DnsConnectionService connections,
            Optional<DnsProviderAccess> provider,
            DnsLookup dns,
            Clock clock) {
        this(domains, accounts, connections, provider, dns, clock, DEFAULT_ZONE_CACHE_TTL);
    }

    /**
     * Creates a publisher that remembers the zone found for a domain for {@code zoneCacheTtl} per
     * account ({@link Duration#ZERO}: not at all), measured on {@code clock}.
     */
    public RecordPublisher(
            DomainService domains,
            AccountService accounts,
            DnsConnectionService connections,
            Optional<DnsProviderAccess> provider,
            DnsLookup dns,
            Clock clock,
            Duration zoneCacheTtl) {
        this.domains = requireNonNull(domains, "domains");
        this.accounts = requireNonNull(accounts, "accounts");
        this.connections = requireNonNull(connections, "connections");
        this.provider = requireNonNull(provider, "provider");
        this.dns = requireNonNull(dns, "dns");
        this.clock = requireNonNull(clock, "clock");
        requireNonNull(zoneCacheTtl, "zoneCacheTtl");
        checkArgument(!zoneCacheTtl.isNegative(), "zoneCacheTtl: %s (expected: >= 0)", zoneCacheTtl);
        this.zones = CacheBuilder.newBuilder()
                .expireAfterWrite(zoneCacheTtl)
                .maximumSize(zoneCacheTtl.isZero() ? 0 : MAX_CACHED_ZONES)
                .ticker(new Ticker() {
                    @Override
                    public long read() {
                        return TimeUnit.MILLISECONDS.toNanos(clock.millis());
                    }
                })
                .build();
    }

    /**
     * Finds the zone that serves {@code d} for {@code accountId}, from the cache when this account
     * asked within the cache's time. Only the lookup is cached: whether the account may use the zone
     * is asked anew every time.
     */
    private Optional<HostedZone> findZone(String accountId, DnsProvider p, Domain d) {
        ZoneKey key = new ZoneKey(accountId, d.name().value());
        Optional<HostedZone> cached = zones.getIfPresent(key);
        if (cached != null) {
            return cached;
        }
        Optional<HostedZone> found = p.findZone(d.name().value());
        zones.put(key, found);
        return found;
    }

    /**
     * Says where the domain's DNS is hosted. {@code zone} is empty when none was found;
     * {@code delegated} is true when the zone's name servers are those of the NS lookup.
     */
    public record ProviderCheck(
            boolean hasAccess,
            Optional<HostedZone> zone,
            boolean delegated,
            List<String> delegatedNameServers,
            List<String> notes,
            String providerType,
            String connectionId,
            Optional<ProviderDetection.Detected> detected) {
        public ProviderCheck {
            requireNonNull(zone, "zone");
            delegatedNameServers = List.copyOf(delegatedNameServers);
            notes = List.copyOf(notes);
            requireNonNull(providerType, "providerType");
            requireNonNull(connectionId, "connectionId");
            requireNonNull(detected, "detected");
        }

        static ProviderCheck noAccess(String note) {
            return new ProviderCheck(
                    false, Optional.empty(), false, List.of(), List.of(note), "", "", Optional.empty());
        }

        ProviderCheck withDetected(Optional<ProviderDetection.Detected> d) {
            return new ProviderCheck(
                    hasAccess, zone, delegated, delegatedNameServers, notes, providerType, connectionId, d);
        }
    }

    /**
     * Names where a domain's records are published: the provider, its zone, the apply state's
     * provider name, and the account's connection (empty for the operator's Route 53).
     */
    private record Target(DnsProvider provider, HostedZone zone, String type, String connectionId) {}

    /** Reports an apply: the domain after it, the changes (planned, with a dry run), refusals, and records left alone. */
    public record ApplyResult(
            Domain domain, List<PlannedChange> changes, List<FailedRecord> failed, List<DnsRecord> unchanged) {
        public ApplyResult {
            requireNonNull(domain, "domain");
            changes = List.copyOf(changes);
            failed = List.copyOf(failed);
            unchanged = List.copyOf(unchanged);
        }
    }

    /**
     * Finds the zone that serves the domain among the account's DNS connections and the operator's
     * granted Route 53 zones (the longest zone wins), and checks that the internet is delegated to
     * it; when none serves it, says which provider the domain's NS records point at.
     */
    public ProviderCheck checkProvider(String accountId, String id) {
        Domain d = domains.find(accountId, id);
        ProviderCheck check = checkTarget(accountId, d);
        if (check.hasAccess()) {
            return check;
        }
        return check.withDetected(ProviderDetection.detect(dns, d.name().value()));
    }

    private ProviderCheck checkTarget(String accountId, Domain d) {
        Optional<Target> own = connectionTarget(accountId, d.name().value());
        if (own.isPresent()) {
            Target t = grantedRoute53(accountId, d.name().value())
                    .filter(r ->
                            r.zone().name().length() > own.get().zone().name().length())
                    .orElse(own.get());
            return delegation(t);
        }
        if (provider.isEmpty()) {
            return ProviderCheck.noAccess(HOW_TO_ENABLE);
        }
        Optional<HostedZone> found;
        DnsProvider p = provider.get().forRequest(accountId); // Admitted before anything is read.
        try {
            found = findZone(accountId, p, d);
        } catch (ProviderAccessDeniedException | ProviderRejectedException e) {
            return ProviderCheck.noAccess(e.getMessage()); // An answer, not an error: there is no access.
        }
        if (found.isEmpty()) {
            return ProviderCheck.noAccess("No public " + provider.get().name() + " hosted zone in this account serves "
                    + d.name() + " or a parent domain; create one and delegate the domain to its name servers");
        }
        HostedZone zone = found.get();
        if (!accounts.mayPublishTo(accountId, zone.id())) {
            return ProviderCheck.noAccess("The " + provider.get().name() + " hosted zone " + zone.name() + " ("
                    + zone.id() + ") serves " + d.name() + " but is not granted to this account, so Domainkeeper"
                    + " will not publish to it; the operator grants it with: " + grantCommand(accountId, zone));
        }
        return delegation(new Target(p, zone, ROUTE53, ""));
    }

    /** Checks whether the internet is delegated to the target's zone. */
    private ProviderCheck delegation(Target t) {
        HostedZone zone = t.zone();
        List<String> notes = new ArrayList<>();
        List<String> delegatedTo = nameServers(zone.name(), notes);
        TreeSet<String> ours = new TreeSet<>(zone.nameServers());
        boolean delegated = !delegatedTo.isEmpty() && ours.equals(new TreeSet<>(delegatedTo));
        if (!delegated && !delegatedTo.isEmpty()) {
            notes.add("The zone " + zone.name() + " is served by " + String.join(", ", ours) + " but the internet"
                    + " asks " + String.join(", ", delegatedTo) + ": records applied to this zone will not be"
                    + " seen until the domain is delegated to the zone's name servers at its registrar");
        }
        return new ProviderCheck(
                true, Optional.of(zone), delegated, delegatedTo, notes, t.type(), t.connectionId(), Optional.empty());
    }

    /**
     * Returns the account's connection that serves {@code domain}, with the zone as its provider
     * reports it.
     *
     * @throws PreconditionFailedException when the connection's provider no longer serves the zone
     */
    private Optional<Target> connectionTarget(String accountId, String domain) {
        Optional<DnsConnectionService.Serving> serving = connections.serving(accountId, domain);
        if (serving.isEmpty()) {
            return Optional.empty();
        }
        DnsConnectionService.Serving s = serving.get();
        HostedZone zone = s.provider()
                .findZone(s.zone())
                .filter(z -> z.name().equals(s.zone()))
                .orElseThrow(() -> new PreconditionFailedException(
                        "id: the DNS connection " + s.connection().id()
                                + " serves the zone " + s.zone() + " but "
                                + s.provider().name() + " no longer has it"
                                + " (expected: the zone readable through the connection; check it at the provider)"));
        return Optional.of(new Target(
                s.provider(),
                zone,
                applyProvider(s.connection()),
                s.connection().id()));
    }

    /**
     * Returns the provider name a connection's applies are recorded under: its kind, and for Route 53
     * in the customer's own AWS account also the connection, whose credentials alone can follow the
     * change ({@link #track}).
     */
    private static String applyProvider(DnsConnection c) {
        boolean ownAccount = c.route53()
                .map(r -> r.mode() == DnsConnection.Route53Mode.ASSUME_ROLE)
                .orElse(false);
        return ownAccount ? ROUTE53 + CONNECTION_SEPARATOR + c.id() : c.kind().name();
    }

    /** Returns the operator's Route 53 zone for the domain when it is granted to the account; quietly empty otherwise. */
    private Optional<Target> grantedRoute53(String accountId, String domain) {
        if (provider.isEmpty()) {
            return Optional.empty();
        }
        try {
            DnsProvider p = provider.get().forRequest(accountId);
            return p.findZone(domain)
                    .filter(z -> accounts.mayPublishTo(accountId, z.id()))
                    .map(z -> new Target(p, z, ROUTE53, ""));
        } catch (PreconditionFailedException | RetryLaterException e) {
            return Optional.empty(); // The account's own connection serves the domain anyway.
        }
    }

    /** Returns the command that grants {@code zone} to the account. */
    private String grantCommand(String accountId, HostedZone zone) {
        return "./domainkeeper accounts grant-zones " + accounts.accountName(accountId) + " " + zone.id();
    }

    /** Returns the NS lookup of {@code zoneName}, sorted; explains an empty answer in {@code notes}. */
    private List<String> nameServers(String zoneName, List<String> notes) {
        DnsAnswer answer;
        try {
            answer = dns.query(zoneName, RecordType.NS).get(NS_LOOKUP_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetryLaterException(RetryLaterException.Reason.UNAVAILABLE, "interrupted", Duration.ofSeconds(1));
        } catch (ExecutionException | TimeoutException e) {
            answer = new DnsAnswer(DnsAnswer.Outcome.ERROR, List.of(), List.of(), e.toString());
        }
        switch (answer.outcome()) {
            case FOUND:
                return answer.records().stream()
                        .map(v -> HostNames.normalize(v.value()))
                        .sorted()
                        .distinct()
                        .toList();
            case ERROR:
                notes.add("Could not look up the NS records of " + zoneName + " (" + answer.error()
                        + "), so whether the internet is delegated to this zone is unknown");
                return List.of();
            default:
                notes.add(zoneName + " has no NS records on the internet: the domain is not delegated to this"
                        + " zone, and records applied to it will not be seen");
                return List.of();
        }
    }

    /**
     * Publishes the domain's records to its hosted zone, or with {@code dryRun} only plans them.
     *
     * @throws PreconditionFailedException when no provider is configured, access is denied, no zone
     *     serves the domain or the zone is not granted to the account
     * @throws RetryLaterException when the provider does not answer, or the account is over its share of
     *     the provider's request budget (nothing is read or changed then)
     */
    public ApplyResult apply(String accountId, String id, boolean dryRun) {
        Domain d = domains.find(accountId, id);
        Target target = target(accountId, d);
        DnsProvider p = target.provider();
        HostedZone zone = target.zone();
        List<DnsRecord> records = d.records();
        List<String> names = records.stream().map(DnsRecord::name).distinct().toList();
        List<RecordSet> existing = p.readRecords(zone.id(), names);
        Plan plan = RecordChangePlanner.plan(records, d.settings(), existing);
        if (dryRun) {
            return new ApplyResult(d, plan.changes(), plan.failed(), plan.unchanged());
        }

        List<FailedRecord> failed = new ArrayList<>(plan.failed());
        List<PlannedChange> submitted = new ArrayList<>();
        String changeId = "";
        if (!plan.changes().isEmpty()) {
            try {
                changeId = p.submit(zone.id(), plan.recordChanges());
                submitted.addAll(plan.changes());
            } catch (ProviderRejectedException e) {
                changeId = submitOneByOne(p, zone, plan.changes(), e, submitted, failed);
            }
        }
        ApplyState next = nextState(
                d.applyState(),
                target.type(),
                changeId,
                p.confirmsOnSubmit(),
                !plan.unchanged().isEmpty(),
                failed,
                records.size());
        Domain saved = domains.write(d, x -> x.withApplyState(next));
        if (!submitted.isEmpty()) {
            domains.recordPublished(
                    saved, RecordChangePlanner.published(domains.published(saved), zone.id(), submitted, existing));
        }
        return new ApplyResult(saved, submitted, failed, plan.unchanged());
    }

    /** The records of a domain as they should be published, and the zone their names belong to. */
    public record Export(String zone, List<RecordSet> sets) {
        public Export {
            requireNonNull(zone, "zone");
            sets = List.copyOf(sets);
        }
    }

    /**
     * Returns the domain's records as they should be published: planned against the zone that serves
     * the domain when there is one the account may use (SPF merged, a stricter DMARC kept), as
     * required otherwise. Reads only.
     */
    public Export export(String accountId, String id) {
        Domain d = domains.find(accountId, id);
        List<DnsRecord> records = d.records();
        List<RecordSet> existing = List.of();
        String zone = d.name().value();
        try {
            Target target = target(accountId, d);
            zone = target.zone().name();
            existing = target.provider()
                    .readRecords(
                            target.zone().id(),
                            records.stream().map(DnsRecord::name).distinct().toList());
        } catch (PreconditionFailedException e) {
            // No zone to read: the records as required.
        }
        Plan plan = RecordChangePlanner.plan(records, d.settings(), existing);
        List<RecordSet> sets = new ArrayList<>();
        plan.changes().forEach(c -> sets.add(c.change().recordSet()));
        for (DnsRecord r : plan.unchanged()) {
            existing.stream()
                    .filter(s -> s.name().equals(HostNames.normalize(r.name())) && s.type() == r.type())
                    .findFirst()
                    .filter(s -> !sets.contains(s))
                    .ifPresent(sets::add);
        }
        for (FailedRecord f : plan.failed()) {
            existing.stream()
                    .filter(s -> s.name().equals(HostNames.normalize(f.record().name()))
                            && s.type() == f.record().type())
                    .findFirst()
                    .filter(s -> !sets.contains(s))
                    .ifPresent(sets::add);
        }
        sets.sort(java.util.Comparator.comparing(RecordSet::name).thenComparing(RecordSet::type));
        return new Export(zone, sets);
    }

    /**
     * Returns where to publish the domain: the account's connection or granted Route 53 zone whose
     * zone is the longest suffix of the domain.
     */
    private Target target(String accountId, Domain d) {
        Optional<Target> own = connectionTarget(accountId, d.name().value());
        if (own.isPresent()) {
            return grantedRoute53(accountId, d.name().value())
                    .filter(r ->
                            r.zone().name().length() > own.get().zone().name().length())
                    .orElse(own.get());
        }
        // Admitted by the provider's budget before anything is read or changed.
        DnsProvider p = provider.orElseThrow(() -> new PreconditionFailedException(
                        HOW_TO_ENABLE + ", or register a DNS connection for the domain's zone (CreateDnsConnection)"))
                .forRequest(accountId);
        HostedZone zone = findZone(accountId, p, d)
                .orElseThrow(() -> new PreconditionFailedException("id: no public " + p.name() + " hosted zone serves "
                        + d.name() + " or a parent domain (expected: a zone for it in this AWS account; see"
                        + " CheckDNSProvider)"));
        if (!accounts.mayPublishTo(accountId, zone.id())) {
            throw new PreconditionFailedException("id: the " + p.name() + " hosted zone " + zone.name() + " ("
                    + zone.id() + ") that serves " + d.name() + " is not granted to this account (expected: the"
                    + " operator grants it with " + grantCommand(accountId, zone) + ")");
        }
        return new Target(p, zone, ROUTE53, "");
    }

    /**
     * Submits each change alone after the batch was refused, so the refused ones can be named.
     * A provider applies a zone's changes in order, so the last accepted change id stands for them all.
     */
    private static String submitOneByOne(
            DnsProvider p,
            HostedZone zone,
            List<PlannedChange> changes,
            ProviderRejectedException batchError,
            List<PlannedChange> submitted,
            List<FailedRecord> failed) {
        if (changes.size() == 1) {
            failed.add(new FailedRecord(changes.get(0).record(), refusal(batchError)));
            return "";
        }
        String lastId = "";
        for (PlannedChange change : changes) {
            try {
                lastId = p.submit(zone.id(), List.of(change.change()));
                submitted.add(change);
            } catch (ProviderRejectedException e) {
                failed.add(new FailedRecord(change.record(), refusal(e)));
            } catch (ProviderUnavailableException | ProviderAccessDeniedException e) {
                failed.add(new FailedRecord(change.record(), p.name() + " did not take the change: " + e.getMessage()));
            }
        }
        return lastId;
    }

    private ApplyState nextState(
            ApplyState before,
            String providerType,
            String changeId,
            boolean confirmed,
            boolean someRight,
            List<FailedRecord> failed,
            int planned) {
        String error = failed.isEmpty()
                ? ""
                : failed.size() + " of " + planned + " records could not be published; see records_failed";
        if (!changeId.isEmpty() && confirmed) {
            // The provider serves the change already (Cloudflare), or the adapter read it back (RFC 2136).
            ApplyState.Status status =
                    failed.isEmpty() ? ApplyState.Status.APPLIED : ApplyState.Status.PARTIALLY_APPLIED;
            return new ApplyState(status, providerType, changeId, clock.instant(), error, failed);
        }
        if (!changeId.isEmpty()) {
            return new ApplyState(ApplyState.Status.APPLYING, providerType, changeId, null, error, failed);
        }
        if (!before.provider().equals(providerType) && !before.provider().isEmpty()) {
            before = ApplyState.none(); // Another provider now: its pending change is not this one's.
        }
        if (!failed.isEmpty()) {
            ApplyState.Status status = someRight ? ApplyState.Status.PARTIALLY_APPLIED : ApplyState.Status.APPLY_FAILED;
            return new ApplyState(status, providerType, "", null, error, failed);
        }
        if (before.status() == ApplyState.Status.APPLYING) {
            // The zone already shows the pending change; the tracker reports when it is in sync.
            return new ApplyState(ApplyState.Status.APPLYING, providerType, before.changeId(), null, "", List.of());
        }
        if (before.status() == ApplyState.Status.APPLIED) {
            return new ApplyState(
                    ApplyState.Status.APPLIED, providerType, before.changeId(), before.appliedAt(), "", List.of());
        }
        return new ApplyState(ApplyState.Status.APPLIED, providerType, "", clock.instant(), "", List.of());
    }

    /**
     * Removes the domain as RemoveDomain does, first taking back the records Domainkeeper published
     * for it ({@link #takeBack}); the notes say what was removed and what was left, and why.
     *
     * @throws RetryLaterException when the provider does not answer; then nothing is removed
     */
    public DomainService.Removal removeWithPublishedRecords(String accountId, String id) {
        return domains.remove(accountId, id, this::takeBack);
    }

    /**
     * Takes back the records Domainkeeper published for {@code d}, as {@link RecordChangePlanner#takeBack}
     * plans it, from each zone it can still reach for the domain's account: the zone of the account's
     * DNS connection that serves the domain, or an operator's Route 53 zone still granted to the account.
     * Nothing is read from or written to any other zone (a grant revoked, a connection deleted). Returns
     * the notes for the caller.
     */
    List<String> takeBack(Domain d) {
        return takeBack(d, r -> true).notes();
    }

    /**
     * Takes back the record of a retired DKIM key ({@code record}) as {@link #takeBack(Domain)} would,
     * if Domainkeeper published it, and forgets it among the domain's published records. Returns the
     * notes; nothing is done when Domainkeeper did not publish it.
     */
    public List<String> takeBackRetired(Domain d, DnsRecord record) {
        Predicate<PublishedRecord> which = p -> p.record().type() == record.type()
                && HostNames.normalize(p.record().name()).equals(HostNames.normalize(record.name()));
        if (domains.published(d).stream().noneMatch(which)) {
            return List.of();
        }
        TakenBack taken = takeBack(d, which);
        if (!taken.zones().isEmpty()) {
            domains.recordPublished(
                    d,
                    domains.published(d).stream()
                            .filter(p -> !(which.test(p) && taken.zones().contains(p.zoneId())))
                            .toList());
        }
        return taken.notes();
    }

    /**
     * Returns the publishing of a rotation's DKIM key records: the incoming key published by
     * {@link #apply} when something serves the domain (quietly nothing when nothing does, or the zone
     * refuses), the retired one taken back by {@link #takeBackRetired}.
     */
    public KeyRecords keyRecords() {
        return new KeyRecords() {
            @Override
            public void publish(Domain d) {
                try {
                    apply(d.accountId(), d.id(), false);
                } catch (PreconditionFailedException nothingServesIt) {
                    // The customer publishes the record.
                }
            }

            @Override
            public List<String> takeBack(Domain d, DnsRecord record) {
                return takeBackRetired(d, record);
            }
        };
    }

    /** What a take-back did: its notes, and the zones it reached (whose records were taken back or left as changed). */
    private record TakenBack(List<String> notes, Set<String> zones) {}

    private TakenBack takeBack(Domain d, Predicate<PublishedRecord> which) {
        List<PublishedRecord> published =
                domains.published(d).stream().filter(which).toList();
        Set<String> reached = new java.util.HashSet<>();
        if (published.isEmpty()) {
            return new TakenBack(
                    List.of("Domainkeeper published no records for " + d.name() + " through a DNS provider, so"
                            + " there were none to take back"),
                    reached);
        }
        Optional<Target> own = reachableConnection(d);
        // The operator's provider is admitted once, before anything is read, and only when a zone needs it.
        Supplier<DnsProvider> operator = Suppliers.memoize(() -> provider.get().forRequest(d.accountId()));
        Map<String, List<PublishedRecord>> byZone = new LinkedHashMap<>();
        published.forEach(
                r -> byZone.computeIfAbsent(r.zoneId(), z -> new ArrayList<>()).add(r));
        List<String> notes = new ArrayList<>();
        byZone.forEach((zoneId, inZone) -> {
            DnsProvider p;
            if (own.isPresent() && own.get().zone().id().equals(zoneId)) {
                p = own.get().provider();
            } else if (provider.isEmpty()) {
                notes.add(HOW_TO_ENABLE + "; no DNS connection of this account serves the zone " + zoneId
                        + " either, so the records Domainkeeper published for " + d.name() + " were left there: "
                        + listed(inZone));
                return;
            } else if (!accounts.mayPublishTo(d.accountId(), zoneId)) {
                notes.add("The zone " + zoneId + " is no longer granted to this account and no DNS connection of"
                        + " it serves the zone, so Domainkeeper did not touch it and left the records it had"
                        + " published there for " + d.name() + ": " + listed(inZone) + " (the operator can grant"
                        + " the zone again, or the account can connect it, before removing; or remove them by"
                        + " hand)");
                return;
            } else {
                p = operator.get();
            }
            List<RecordSet> existing = p.readRecords(
                    zoneId,
                    inZone.stream().map(r -> r.record().name()).distinct().toList());
            RecordChangePlanner.TakeBack plan = RecordChangePlanner.takeBack(inZone, existing);
            if (!plan.changes().isEmpty()) {
                try {
                    p.submit(zoneId, plan.changes());
                } catch (ProviderRejectedException | ProviderAccessDeniedException e) {
                    notes.add(p.name() + " did not take the change back (" + e.getMessage() + "), so the records"
                            + " Domainkeeper published for " + d.name() + " were left: " + listed(inZone));
                    return;
                }
            }
            notes.addAll(plan.removed());
            notes.addAll(plan.left());
            reached.add(zoneId);
        });
        return new TakenBack(notes, reached);
    }

    /** Returns the account's connection serving the domain, empty when none does or it no longer reaches its zone. */
    private Optional<Target> reachableConnection(Domain d) {
        try {
            return connectionTarget(d.accountId(), d.name().value());
        } catch (PreconditionFailedException gone) {
            return Optional.empty();
        }
    }

    private static String listed(List<PublishedRecord> records) {
        return String.join(
                ", ",
                records.stream()
                        .map(r -> r.record().type() + " " + r.record().name())
                        .toList());
    }

    /**
     * Marks an APPLYING domain APPLIED (or PARTIALLY_APPLIED when records failed) once the provider
     * reports its change in sync; leaves it when the change is still pending. Returns true when the
     * domain no longer needs polling.
     */
    boolean track(Domain d) {
        ApplyState state = d.applyState();
        if (state.status() != ApplyState.Status.APPLYING || !state.provider().startsWith(ROUTE53)) {
            return true;
        }
        Optional<DnsProvider> follower = follower(d.accountId(), state.provider());
        if (follower.isEmpty()) {
            if (state.provider().equals(ROUTE53)) {
                return true; // The operator's Route 53 automation is off; nothing can follow the change.
            }
            finish(
                    d,
                    state,
                    new ApplyState(
                            ApplyState.Status.APPLY_FAILED,
                            state.provider(),
                            state.changeId(),
                            null,
                            "the DNS connection " + connectionOf(state.provider())
                                    + " was deleted before Route 53 reported" + " change " + state.changeId()
                                    + " in sync",
                            state.failed()));
            return true;
        }
        Instant now = clock.instant();
        ApplyState next;
        try {
            if (!follower.get().isInSync(state.changeId())) {
                return false;
            }
            next = new ApplyState(
                    state.failed().isEmpty() ? ApplyState.Status.APPLIED : ApplyState.Status.PARTIALLY_APPLIED,
                    state.provider(),
                    state.changeId(),
                    now,
                    state.error(),
                    state.failed());
        } catch (ProviderRejectedException e) {
            next = new ApplyState(
                    ApplyState.Status.APPLY_FAILED,
                    state.provider(),
                    state.changeId(),
                    null,
                    e.provider() + " cannot report on change " + state.changeId() + ": " + e.providerMessage(),
                    state.failed());
        }
        finish(d, state, next);
        return true;
    }

    /** Stores {@code finished}, only if no newer apply replaced the change {@code state} meanwhile. */
    private void finish(Domain d, ApplyState state, ApplyState finished) {
        domains.write(
                d,
                x -> x.applyState().changeId().equals(state.changeId())
                                && x.applyState().status() == ApplyState.Status.APPLYING
                        ? x.withApplyState(finished)
                        : x);
    }

    /**
     * Returns the provider that can follow a change recorded under {@code applyProvider}: the
     * operator's Route 53 (within the account's share of its budget), or the account's own Route 53
     * connection; empty when that is gone.
     */
    private Optional<DnsProvider> follower(String accountId, String applyProvider) {
        if (applyProvider.equals(ROUTE53)) {
            return provider.map(p -> p.forJob(accountId));
        }
        return connections.provider(accountId, connectionOf(applyProvider));
    }

    private static String connectionOf(String applyProvider) {
        return applyProvider.substring(applyProvider.indexOf(CONNECTION_SEPARATOR) + 1);
    }

    private static String refusal(ProviderRejectedException e) {
        return e.provider() + " refused the change (" + e.errorCode() + "): " + e.providerMessage();
    }
}
