package dev.domainkeeper.dnshosting.route53;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.dnshosting.DnsProvider;
import dev.domainkeeper.dnshosting.HostedZone;
import dev.domainkeeper.dnshosting.RecordChange;
import dev.domainkeeper.dnshosting.RecordSet;
import dev.domainkeeper.domain.DomainName;
import dev.domainkeeper.domain.HostNames;
import dev.domainkeeper.domain.InvalidInputException;
import dev.domainkeeper.domain.RecordType;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.Route53ClientBuilder;
import software.amazon.awssdk.services.route53.model.Change;
import software.amazon.awssdk.services.route53.model.ChangeStatus;
import software.amazon.awssdk.services.route53.model.DelegationSet;
import software.amazon.awssdk.services.route53.model.GetHostedZoneResponse;
import software.amazon.awssdk.services.route53.model.ListHostedZonesByNameResponse;
import software.amazon.awssdk.services.route53.model.ListResourceRecordSetsResponse;
import software.amazon.awssdk.services.route53.model.ResourceRecord;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/**
 * Implements the DNS provider port against Amazon Route 53 (REST-XML, global endpoint).
 *
 * <p>Retrying throttling, {@code PriorRequestNotComplete}, 5xx and I/O errors with backoff is the
 * SDK's job (the retry strategy passed to {@link #create}); what still fails afterwards is
 * translated in one place ({@link Route53Errors}). Names and values are converted between the
 * application's form and Route 53's wire form by {@link Route53Format}.
 */
public final class Route53Provider implements DnsProvider, AutoCloseable {
    /** The provider's name in messages. */
    static final String NAME = "Route 53";

    /** The api call timeout (all attempts together) for production use. */
    public static final Duration DEFAULT_API_CALL_TIMEOUT = Duration.ofSeconds(20);

    private static final Logger log = LoggerFactory.getLogger(Route53Provider.class);

    private static final String ZONE_PREFIX = "/hostedzone/";
    private static final String CHANGE_PREFIX = "/change/";
    /** How many of the longest candidate names are asked for one by one before one listing covers the rest. */
    static final int DIRECT_LOOKUPS = 2;

    /** Zones per ListHostedZonesByName page; only zones of exactly one name are wanted. */
    static final int ZONES_PER_PAGE = 20;

    /** Record sets per ListResourceRecordSets page; one name rarely holds more than a few. */
    static final int RECORD_SETS_PER_PAGE = 50;

    private final Route53Client client;
    /** The customer's role the calls are made as; empty for the operator's own credentials. */
    private final Optional<String> role;
    /** Closed with the client: the assumed role's credentials provider, or nothing. */
    private final AutoCloseable credentials;

    private Route53Provider(Route53Client client, Optional<String> role, AutoCloseable credentials) {
        this.client = client;
        this.role = role;
        this.credentials = credentials;
    }

    /**
     * Creates a provider with its own Route 53 client.
     *
     * @param endpointOverride where requests go instead of {@code route53.amazonaws.com} (a stub);
     *     when empty the SDK resolves the endpoint, which includes honouring
     *     {@code AWS_ENDPOINT_URL}
     * @param credentials usually {@code DefaultCredentialsProvider.builder().build()}; when it cannot
     *     resolve credentials, calls throw
     *     {@link dev.domainkeeper.dnshosting.ProviderAccessDeniedException}
     * @param retryStrategy usually {@link AwsRetryStrategy#standardRetryStrategy()}
     * @param apiCallTimeout the limit for one call including all retries, e.g.
     *     {@link #DEFAULT_API_CALL_TIMEOUT}
     * @throws IllegalArgumentException when the timeout is not positive
     */
    public static Route53Provider create(
            Optional<URI> endpointOverride,
            AwsCredentialsProvider credentials,
            RetryStrategy retryStrategy,
            Duration apiCallTimeout) {
        requireNonNull(endpointOverride, "endpointOverride");
        requireNonNull(credentials, "credentials");
        return new Route53Provider(
                client(endpointOverride, credentials, retryStrategy, apiCallTimeout), Optional.empty(), () -> {});
    }

    /**
     * Creates a provider that acts in a customer's AWS account through {@code roleArn}, assumed with
     * STS AssumeRole and {@code externalId}; the temporary credentials are renewed before they expire.
     * When the role cannot be assumed, calls throw
     * {@link dev.domainkeeper.dnshosting.ProviderAccessDeniedException} naming the role (or
     * {@link dev.domainkeeper.dnshosting.ProviderUnavailableException} when STS cannot be reached).
     *
     * @param sts the operator's STS client, shared by every role; not closed with the provider
     * @param sessionName the role session name, which the customer sees in CloudTrail
     */
    public static Route53Provider assumingRole(
            Optional<URI> endpointOverride,
            StsClient sts,
            String roleArn,
            String externalId,
            String sessionName,
            RetryStrategy retryStrategy,
            Duration apiCallTimeout) {
        requireNonNull(endpointOverride, "endpointOverride");
        requireNonNull(sts, "sts");
        requireNonNull(roleArn, "roleArn");
        requireNonNull(externalId, "externalId");
        requireNonNull(sessionName, "sessionName");
        StsAssumeRoleCredentialsProvider assumed = StsAssumeRoleCredentialsProvider.builder()
                .stsClient(sts)
                .refreshRequest(r -> r.roleArn(roleArn).externalId(externalId).roleSessionName(sessionName))
                .build();
        return new Route53Provider(
                client(endpointOverride, assumed, retryStrategy, apiCallTimeout), Optional.of(roleArn), assumed);
    }

    private static Route53Client client(
            Optional<URI> endpointOverride,
            AwsCredentialsProvider credentials,
            RetryStrategy retryStrategy,
            Duration apiCallTimeout) {
        requireNonNull(retryStrategy, "retryStrategy");
        requireNonNull(apiCallTimeout, "apiCallTimeout");
        if (apiCallTimeout.isNegative() || apiCallTimeout.isZero()) {
            throw new IllegalArgumentException("apiCallTimeout: " + apiCallTimeout + " (expected: > 0)");
        }
        Route53ClientBuilder builder = Route53Client.builder()
                .region(Region.AWS_GLOBAL)
                .credentialsProvider(new CredentialsGuard(credentials))
                .overrideConfiguration(o -> o.retryStrategy(retryStrategy).apiCallTimeout(apiCallTimeout));
        endpointOverride.ifPresent(builder::endpointOverride);
        return builder.build();
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * {@inheritDoc}
     *
     * <p>The candidates are the name and its parents down to its registrable domain (the name under
     * its ICANN public suffix, see {@link DomainName#registrable()}); no zone above it is looked for.
     * The name itself and its parent, where zones usually are, are asked for with one
     * ListHostedZonesByName each, longest first. The rest are found with one listing that starts at the
     * registrable domain: Route 53 lists zones in reversed-label order, so the zones under the
     * registrable domain come together right after it, and the longest candidate among them wins. So a
     * name of any length costs at most three listings (plus one per further 100 zones the AWS account
     * holds under its registrable domain) and one GetHostedZone. Route 53 answers with the zones at or
     * after the name asked for, not only exact matches, so the zone names are compared here. When
     * several public zones share a name, the first in Route 53's order (by id) wins.
     */
    @Override
    public Optional<HostedZone> findZone(String domain) {
        requireNonNull(domain, "domain");
        String name = normalize(domain, "domain");
        List<String> candidates = zoneCandidates(name);
        int direct = Math.min(DIRECT_LOOKUPS, candidates.size());
        for (String candidate : candidates.subList(0, direct)) {
            Optional<software.amazon.awssdk.services.route53.model.HostedZone> zone =
                    findPublicZone(candidate, Set.of(candidate));
            if (zone.isPresent()) {
                return Optional.of(describeZone(stripPrefix(zone.get().id(), ZONE_PREFIX)));
            }
        }
        if (direct < candidates.size()) {
            String registrable = candidates.get(candidates.size() - 1);
            Optional<software.amazon.awssdk.services.route53.model.HostedZone> zone =
                    findPublicZone(registrable, Set.copyOf(candidates.subList(direct, candidates.size())));
            if (zone.isPresent()) {
                return Optional.of(describeZone(stripPrefix(zone.get().id(), ZONE_PREFIX)));
            }
        }
        log.debug("No public Route 53 zone covers {}", name);
        return Optional.empty();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Lists from each name in turn and stops at the first record set of another name, so a
     * large zone is not read whole. Record sets with a routing policy (a SetIdentifier) and alias
     * record sets have no place in the port's model and are left out, as are other types.
     */
    @Override
    public List<RecordSet> readRecords(String zoneId, Collection<String> names) {
        String zone = zoneId(zoneId);
        requireNonNull(names, "names");
        Set<String> wanted = new LinkedHashSet<>();
        for (String n : names) {
            wanted.add(normalize(requireNonNull(n, "names[i]"), "names[i]"));
        }
        List<RecordSet> found = new ArrayList<>();
        for (String name : wanted) {
            readName(zone, name, found);
        }
        return List.copyOf(found);
    }

    @Override
    public String submit(String zoneId, List<RecordChange> changes) {
        String zone = zoneId(zoneId);
        requireNonNull(changes, "changes");
        if (changes.isEmpty()) {
            throw new IllegalArgumentException("changes: none (expected: at least one)");
        }
        List<Change> wire = changes.stream().map(Route53Provider::toWire).toList();
        String changeId = call(
                        "ChangeResourceRecordSets " + zone + " (" + changes.size() + " changes)",
                        () -> client.changeResourceRecordSets(
                                b -> b.hostedZoneId(zone).changeBatch(batch -> batch.changes(wire))))
                .changeInfo()
                .id();
        String id = stripPrefix(changeId, CHANGE_PREFIX);
        log.info("Submitted {} changes to Route 53 zone {} as change {}", changes.size(), zone, id);
        return id;
    }

    @Override
    public boolean isInSync(String changeId) {
        requireNonNull(changeId, "changeId");
        String id = stripPrefix(changeId.trim(), CHANGE_PREFIX);
        if (id.isEmpty()) {
            throw new IllegalArgumentException("changeId: '" + changeId + "' (expected: an id returned by submit)");
        }
        return call("GetChange " + id, () -> client.getChange(b -> b.id(id)))
                        .changeInfo()
                        .status()
                == ChangeStatus.INSYNC;
    }

    /** Closes the Route 53 client; later calls fail. */
    @Override
    public void close() {
        client.close();
        try {
            credentials.close();
        } catch (Exception e) {
            log.debug("Closing the credentials of {} failed", role.orElse("the operator"), e);
        }
    }

    /**
     * Returns {@code name} and its parents down to its registrable domain, longest first; down to two
     * labels for a name that is not under a public suffix.
     */
    static List<String> zoneCandidates(String name) {
        String last;
        try {
            last = DomainName.parse("domain", name).registrable().value();
        } catch (InvalidInputException e) {
            last = null;
        }
        List<String> candidates = new ArrayList<>();
        String current = name;
        while (current.indexOf('.') > 0) {
            candidates.add(current);
            if (current.equals(last)) {
                break;
            }
            current = current.substring(current.indexOf('.') + 1);
        }
        return candidates;
    }

    /**
     * Lists the zones from {@code start} on and returns the first public zone named by the longest of
     * {@code wanted} (names at or under {@code start}). When {@code start} is the only name wanted the
     * listing stops at the first zone of another name; otherwise it goes on through the zones under
     * {@code start}, which Route 53 lists together after it.
     */
    private Optional<software.amazon.awssdk.services.route53.model.HostedZone> findPublicZone(
            String start, Set<String> wanted) {
        boolean exact = wanted.equals(Set.of(start));
        String startReversed = reversedLabels(start);
        String dnsName = start;
        String startZoneId = null;
        software.amazon.awssdk.services.route53.model.HostedZone best = null;
        int bestLength = -1;
        while (true) {
            String fromName = dnsName;
            String fromZone = startZoneId;
            ListHostedZonesByNameResponse page = call(
                    "ListHostedZonesByName " + start,
                    () -> client.listHostedZonesByName(b ->
                            b.dnsName(fromName).hostedZoneId(fromZone).maxItems(Integer.toString(ZONES_PER_PAGE))));
            boolean past = false;
            for (var zone : page.hostedZones()) {
                String zoneName = Route53Format.decodeName(zone.name());
                if (exact ? !zoneName.equals(start) : !reversedLabels(zoneName).startsWith(startReversed)) {
                    past = true;
                    break;
                }
                if (!wanted.contains(zoneName) || zoneName.length() <= bestLength) {
                    continue;
                }
                boolean privateZone = zone.config() != null
                        && Boolean.TRUE.equals(zone.config().privateZone());
                if (privateZone) {
                    log.debug("Skipping private Route 53 zone {} for {}", zone.id(), zoneName);
                } else if (exact) {
                    return Optional.of(zone);
                } else {
                    best = zone;
                    bestLength = zoneName.length();
                }
            }
            if (past || !Boolean.TRUE.equals(page.isTruncated()) || page.nextDNSName() == null) {
                return Optional.ofNullable(best);
            }
            dnsName = page.nextDNSName();
            startZoneId = page.nextHostedZoneId() == null ? null : stripPrefix(page.nextHostedZoneId(), ZONE_PREFIX);
        }
    }

    /** Returns {@code name} with its labels in reverse order ({@code com.example.mail}), as Route 53 sorts zones. */
    private static String reversedLabels(String name) {
        List<String> labels = new ArrayList<>(List.of(name.split("\\.")));
        Collections.reverse(labels);
        return String.join(".", labels);
    }

    private HostedZone describeZone(String zoneId) {
        GetHostedZoneResponse response = call("GetHostedZone " + zoneId, () -> client.getHostedZone(b -> b.id(zoneId)));
        var zone = response.hostedZone();
        DelegationSet delegation = response.delegationSet();
        List<String> nameServers = delegation == null || !delegation.hasNameServers()
                ? List.of()
                : delegation.nameServers().stream()
                        .map(ns -> Route53Format.decodeHost(ns).toLowerCase(Locale.ROOT))
                        .toList();
        boolean privateZone =
                zone.config() != null && Boolean.TRUE.equals(zone.config().privateZone());
        long count = zone.resourceRecordSetCount() == null ? 0 : zone.resourceRecordSetCount();
        return new HostedZone(
                stripPrefix(zone.id(), ZONE_PREFIX),
                Route53Format.decodeName(zone.name()),
                privateZone,
                count,
                nameServers);
    }

    private void readName(String zone, String name, List<RecordSet> found) {
        String startName = Route53Format.encodeName(name);
        String startType = null;
        String startIdentifier = null;
        while (true) {
            String fromName = startName;
            String fromType = startType;
            String fromIdentifier = startIdentifier;
            ListResourceRecordSetsResponse page = call(
                    "ListResourceRecordSets " + zone + " " + name,
                    () -> client.listResourceRecordSets(b -> b.hostedZoneId(zone)
                            .startRecordName(fromName)
                            .startRecordType(fromType)
                            .startRecordIdentifier(fromIdentifier)
                            .maxItems(Integer.toString(RECORD_SETS_PER_PAGE))));
            for (ResourceRecordSet set : page.resourceRecordSets()) {
                if (!Route53Format.decodeName(set.name()).equals(name)) {
                    return; // the listing is sorted: everything from here on is past the name
                }
                toRecordSet(name, set).ifPresent(found::add);
            }
            if (!Boolean.TRUE.equals(page.isTruncated()) || page.nextRecordName() == null) {
                return;
            }
            startName = page.nextRecordName();
            startType = page.nextRecordTypeAsString();
            startIdentifier = page.nextRecordIdentifier();
        }
    }

    private static Optional<RecordSet> toRecordSet(String name, ResourceRecordSet set) {
        Optional<RecordType> type = knownType(set.typeAsString());
        if (type.isEmpty()
                || set.aliasTarget() != null
                || set.setIdentifier() != null
                || !set.hasResourceRecords()
                || set.resourceRecords().isEmpty()) {
            log.debug(
                    "Leaving out Route 53 record set {} {} (alias: {}, set identifier: {})",
                    name,
                    set.typeAsString(),
                    set.aliasTarget() != null,
                    set.setIdentifier());
            return Optional.empty();
        }
        Function<String, String> decode = switch (type.get()) {
            case TXT -> Route53Format::decodeTxt;
            case MX -> Route53Format::decodeMx;
            case CNAME, NS -> Route53Format::decodeHost;
        };
        List<String> values =
                set.resourceRecords().stream().map(r -> decode.apply(r.value())).toList();
        long ttl = set.ttl() == null ? 0 : set.ttl();
        return Optional.of(new RecordSet(name, type.get(), ttl, values));
    }

    private static Optional<RecordType> knownType(String type) {
        for (RecordType t : RecordType.values()) {
            if (t.name().equals(type)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    private static Change toWire(RecordChange change) {
        requireNonNull(change, "changes[i]");
        RecordSet set = change.recordSet();
        Function<String, String> encode = switch (set.type()) {
            case TXT -> Route53Format::encodeTxt;
            case MX -> Route53Format::encodeMx;
            case CNAME, NS -> Route53Format::encodeHost;
        };
        List<ResourceRecord> records = set.values().stream()
                .map(v -> ResourceRecord.builder().value(encode.apply(v)).build())
                .toList();
        return Change.builder()
                .action(change.action().name())
                .resourceRecordSet(r -> r.name(Route53Format.encodeName(set.name()))
                        .type(set.type().name())
                        .ttl(set.ttl())
                        .resourceRecords(records))
                .build();
    }

    private static String zoneId(String zoneId) {
        requireNonNull(zoneId, "zoneId");
        String id = stripPrefix(zoneId.trim(), ZONE_PREFIX);
        if (id.isEmpty() || id.contains("/")) {
            throw new IllegalArgumentException(
                    "zoneId: '" + zoneId + "' (expected: a hosted zone id such as Z1D633PJN98FT9)");
        }
        return id;
    }

    private static String normalize(String name, String field) {
        String n = HostNames.normalize(name);
        if (n.isEmpty() || n.startsWith(".") || n.contains("..")) {
            throw new IllegalArgumentException(
                    field + ": '" + name + "' (expected: a domain name such as example.com)");
        }
        return n;
    }

    private static String stripPrefix(String id, String prefix) {
        return id.startsWith(prefix) ? id.substring(prefix.length()) : id;
    }

    /** Runs one SDK call, translating its failure into a port exception. */
    private <T> T call(String action, Supplier<T> request) {
        try {
            return request.get();
        } catch (SdkException e) {
            throw Route53Errors.translate(e, action, role);
        }
    }
}
