package dev.domainkeeper.dnsconnections;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.google.common.hash.Hashing;
import com.google.common.io.BaseEncoding;
import com.google.common.net.HostAndPort;
import dev.domainkeeper.accounts.AccountService;
import dev.domainkeeper.dnshosting.DnsProvider;
import dev.domainkeeper.dnshosting.DnsProviderFactory;
import dev.domainkeeper.dnshosting.HostedZone;
import dev.domainkeeper.dnshosting.ProviderAccessDeniedException;
import dev.domainkeeper.domain.DomainName;
import dev.domainkeeper.domain.Ids;
import dev.domainkeeper.domain.InvalidInputException;
import dev.domainkeeper.errors.NotFoundException;
import dev.domainkeeper.errors.PreconditionFailedException;
import dev.domainkeeper.errors.QuotaExceededException;
import dev.domainkeeper.secrets.SecretBox;
import dev.domainkeeper.store.DnsConnectionStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Registers, lists, shows and deletes an account's DNS connections, and finds the one that serves a
 * domain. A connection is checked against its provider before it is stored (the credentials work
 * and every zone named is readable); its secret is sealed with the operator's key, bound to the
 * account and the connection id, and opened only to build the provider that uses it. Every call is
 * scoped by account.
 */
public final class DnsConnectionService {
    /** The most connections an account may hold. */
    public static final int MAX_CONNECTIONS = 100;
    /** The most zones one connection may serve. */
    public static final int MAX_ZONES = 50;

    static final Set<String> TSIG_ALGORITHMS =
            Set.of("hmac-sha256", "hmac-sha512", "hmac-sha384", "hmac-sha224", "hmac-sha1");
    private static final Pattern ROLE_ARN = Pattern.compile("arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]{1,512}");
    private static final Pattern TSIG_KEY_NAME = Pattern.compile("[A-Za-z0-9._-]{1,200}");
    private static final int MAX_SECRET = 1000;
    private static final int MAX_DISPLAY_NAME = 100;

    private final DnsConnectionStore store;
    private final AccountService accounts;
    private final DnsProviderFactory providers;
    private final SecretBox box;
    private final Clock clock;

    public DnsConnectionService(
            DnsConnectionStore store,
            AccountService accounts,
            DnsProviderFactory providers,
            SecretBox box,
            Clock clock) {
        this.store = requireNonNull(store, "store");
        this.accounts = requireNonNull(accounts, "accounts");
        this.providers = requireNonNull(providers, "providers");
        this.box = requireNonNull(box, "box");
        this.clock = requireNonNull(clock, "clock");
    }

    /** A connection that serves a domain: the zone it serves the domain from, and its provider. */
    public record Serving(DnsConnection connection, String zone, DnsProvider provider) {}

    /**
     * What a customer sets up before creating an ASSUME_ROLE connection: the role's ARN, the external
     * id the role's trust policy must require, the trust policy (naming the principal Domainkeeper
     * calls STS as) and the permissions policy.
     */
    public record RoleSetup(
            String roleArn,
            String externalId,
            String principal,
            String trustPolicyJson,
            String permissionsPolicyJson) {}

    /**
     * Returns what the customer's role {@code roleArn} must trust and allow, before an ASSUME_ROLE
     * connection through it is created. The external id is the one that connection will use.
     *
     * @throws InvalidInputException when {@code roleArn} is not an IAM role ARN
     * @throws PreconditionFailedException when Domainkeeper cannot tell its own AWS principal
     */
    public RoleSetup roleSetup(String accountId, String roleArn) {
        String arn = roleArn("role_arn", roleArn);
        String externalId = externalId(accountId, arn);
        String principal = providers.awsPrincipal();
        return new RoleSetup(
                arn,
                externalId,
                principal,
                RolePolicies.trustPolicy(principal, externalId),
                RolePolicies.permissionsPolicy());
    }

    /**
     * Checks and stores a connection.
     *
     * @throws InvalidInputException naming the field that is wrong
     * @throws PreconditionFailedException when no secrets key is configured, or the provider refuses
     *     the credentials or does not serve a zone named
     */
    public DnsConnection create(String accountId, NewDnsConnection in) {
        DnsConnection.Kind kind = kind(in.kind());
        List<String> zones = zones(in.zones());
        String displayName = in.displayName().strip();
        if (displayName.length() > MAX_DISPLAY_NAME) {
            throw new InvalidInputException("display_name: " + displayName.length() + " characters (expected: at most "
                    + MAX_DISPLAY_NAME + ")");
        }
        if (displayName.isEmpty()) {
            displayName = kind.name().toLowerCase(Locale.ROOT) + " " + zones.get(0);
        }
        String id = Ids.newId("dnc");
        long now = clock.millis();
        String server = null;
        String keyName = null;
        String algorithm = null;
        String mode = null;
        String roleArn = null;
        String externalId = null;
        String sealed = null;
        DnsProvider provider;
        switch (kind) {
            case CLOUDFLARE -> {
                String token = secret("cloudflare.api_token", in.cloudflareToken());
                sealed = box.seal(token, context(accountId, id));
                provider = providers.cloudflare(token);
            }
            case RFC2136 -> {
                server = server(in.server());
                keyName = in.tsigKeyName().strip();
                if (!TSIG_KEY_NAME.matcher(keyName).matches()) {
                    throw new InvalidInputException("rfc2136.tsig_key_name: \"" + keyName
                            + "\" (expected: the key's name as configured on the server, letters, digits, . _ -)");
                }
                algorithm = in.tsigAlgorithm().isBlank()
                        ? "hmac-sha256"
                        : in.tsigAlgorithm().strip().toLowerCase(Locale.ROOT);
                if (!TSIG_ALGORITHMS.contains(algorithm)) {
                    throw new InvalidInputException("rfc2136.tsig_algorithm: \"" + in.tsigAlgorithm()
                            + "\" (expected: one of " + String.join(", ", TSIG_ALGORITHMS) + ")");
                }
                String secret = secret("rfc2136.tsig_secret", in.tsigSecret());
                try {
                    Base64.getDecoder().decode(secret);
                } catch (IllegalArgumentException e) {
                    throw new InvalidInputException("rfc2136.tsig_secret: not base64 (expected: the secret as in"
                            + " the server's key file, e.g. from `tsig-keygen` or `keymgr -t`)");
                }
                sealed = box.seal(secret, context(accountId, id));
                provider = providers.rfc2136(server, keyName, algorithm, secret);
            }
            case ROUTE53 -> {
                DnsConnection.Route53Mode m = route53Mode(in.route53Mode());
                mode = m.name();
                if (m == DnsConnection.Route53Mode.OPERATOR) {
                    provider = providers
                            .operatorRoute53()
                            .orElseThrow(() -> new PreconditionFailedException("route53.mode: OPERATOR needs the"
                                    + " operator's Route 53 automation, which is off (the operator starts"
                                    + " Domainkeeper with DOMAINKEEPER_SES_BACKEND=aws or"
                                    + " DOMAINKEEPER_ROUTE53_ENDPOINT)"));
                } else {
                    roleArn = roleArn("route53.role_arn", in.roleArn());
                    externalId = externalId(accountId, roleArn);
                    provider = providers.route53AssumeRole(roleArn, externalId);
                }
            }
            default -> throw new IllegalStateException(kind.name());
        }
        DnsConnectionStore.Row row = new DnsConnectionStore.Row(
                id,
                accountId,
                kind.name(),
                displayName,
                zones,
                server,
                keyName,
                algorithm,
                mode,
                roleArn,
                externalId,
                sealed,
                now);
        try {
            check(accountId, row, provider);
        } catch (ProviderAccessDeniedException e) {
            if (roleArn == null) {
                throw e;
            }
            String principal = providers.awsPrincipal();
            throw new PreconditionFailedException(e.getMessage() + ". The role's trust policy must let " + principal
                    + " call sts:AssumeRole with sts:ExternalId " + externalId + "; GET"
                    + " /dns-connections/route53/role-setup?role_arn=" + roleArn
                    + " (GetRoute53RoleSetup) returns the trust and permissions policies to attach");
        }
        if (!store.insert(row, MAX_CONNECTIONS)) {
            throw new QuotaExceededException(
                    "dns connections: the account holds " + MAX_CONNECTIONS + " (expected: fewer; delete one first)",
                    null);
        }
        return toConnection(row);
    }

    /** Returns the account's connections, oldest first. */
    public List<DnsConnection> list(String accountId) {
        return store.list(accountId).stream().map(this::toConnection).toList();
    }

    /**
     * Returns one of the account's connections.
     *
     * @throws NotFoundException when the account holds no connection with this id
     */
    public DnsConnection get(String accountId, String id) {
        return toConnection(row(accountId, id));
    }

    /** Deletes one of the account's connections and its secret. */
    public void delete(String accountId, String id) {
        if (!store.delete(accountId, checkedId(id))) {
            throw notFound(id);
        }
    }

    /**
     * Returns the account's connection whose zone is the longest suffix of {@code domain} (the domain
     * itself or a parent), with its provider built; empty when none serves the domain.
     */
    public Optional<Serving> serving(String accountId, String domain) {
        DnsConnectionStore.Row best = null;
        String bestZone = "";
        for (DnsConnectionStore.Row r : store.list(accountId)) {
            for (String zone : r.zones()) {
                if ((domain.equals(zone) || domain.endsWith("." + zone)) && zone.length() > bestZone.length()) {
                    best = r;
                    bestZone = zone;
                }
            }
        }
        if (best == null) {
            return Optional.empty();
        }
        return Optional.of(new Serving(toConnection(best), bestZone, provider(best)));
    }

    /** Builds the provider of a stored connection, opening its secret. */
    private DnsProvider provider(DnsConnectionStore.Row r) {
        return switch (DnsConnection.Kind.valueOf(r.kind())) {
            case CLOUDFLARE -> providers.cloudflare(box.open(r.sealedSecret(), context(r.accountId(), r.id())));
            case RFC2136 ->
                providers.rfc2136(
                        r.server(),
                        r.tsigKeyName(),
                        r.tsigAlgorithm(),
                        box.open(r.sealedSecret(), context(r.accountId(), r.id())));
            case ROUTE53 ->
                DnsConnection.Route53Mode.valueOf(r.route53Mode()) == DnsConnection.Route53Mode.OPERATOR
                        ? providers
                                .operatorRoute53()
                                .orElseThrow(() -> new PreconditionFailedException("the connection " + r.id()
                                        + " uses the operator's Route 53, whose automation is now off"))
                        : providers.route53AssumeRole(r.roleArn(), r.externalId());
        };
    }

    /**
     * Returns the provider of the account's connection {@code id}, empty when the account holds no
     * such connection (any more).
     */
    public Optional<DnsProvider> provider(String accountId, String id) {
        return store.find(accountId, checkedId(id)).map(this::provider);
    }

    /**
     * Returns the external id of the account's connections through {@code roleArn}: derived from both,
     * so that the customer can write the trust policy before the connection exists, while no other
     * account can ever be given it (Domainkeeper always derives it from the calling account, which is
     * what stops the confused deputy: another tenant naming this customer's role gets another id,
     * which the role's trust policy refuses). It is not a secret, as AWS intends external ids.
     */
    static String externalId(String accountId, String roleArn) {
        byte[] digest = Hashing.sha256()
                .hashString("domainkeeper route53 external id\n" + accountId + "\n" + roleArn, UTF_8)
                .asBytes();
        return "dk_" + BaseEncoding.base32().omitPadding().lowerCase().encode(digest, 0, 20);
    }

    private static String roleArn(String field, String given) {
        String arn = given == null ? "" : given.strip();
        if (!ROLE_ARN.matcher(arn).matches()) {
            throw new InvalidInputException(field + ": \"" + arn
                    + "\" (expected: an IAM role ARN, e.g. arn:aws:iam::123456789012:role/domainkeeper)");
        }
        return arn;
    }

    /**
     * Checks the connection against its provider: the credentials work and it serves each zone
     * (for the operator's Route 53, each zone is granted to the account).
     */
    private void check(String accountId, DnsConnectionStore.Row row, DnsProvider provider) {
        provider.checkAccess();
        for (String zone : row.zones()) {
            Optional<HostedZone> found = provider.findZone(zone);
            if (found.isEmpty() || !found.get().name().equals(zone)) {
                throw new PreconditionFailedException("zones: " + provider.name() + " does not serve the zone " + zone
                        + " through this connection"
                        + found.map(z -> " (the closest zone it serves is " + z.name() + ")")
                                .orElse("")
                        + " (expected: a zone the credentials can read)");
            }
            if ("OPERATOR".equals(row.route53Mode())
                    && !accounts.mayPublishTo(accountId, found.get().id())) {
                throw new PreconditionFailedException("zones: the Route 53 hosted zone " + zone + " ("
                        + found.get().id() + ") is not granted to this account (expected: the operator grants it with"
                        + " ./domainkeeper accounts grant-zones " + accounts.accountName(accountId) + " "
                        + found.get().id() + ")");
            }
        }
    }

    private DnsConnectionStore.Row row(String accountId, String id) {
        return store.find(accountId, checkedId(id)).orElseThrow(() -> notFound(id));
    }

    private static String checkedId(String id) {
        if (id == null || id.isBlank()) {
            throw new InvalidInputException("id: empty (expected: a connection id, dnc_...)");
        }
        return id;
    }

    private static NotFoundException notFound(String id) {
        return new NotFoundException("dns connection " + id + " not found");
    }

    /** The context a secret is sealed with: it opens only in this account's row of this id. */
    private static String context(String accountId, String id) {
        return "dns-connection:" + accountId + ":" + id;
    }

    private DnsConnection toConnection(DnsConnectionStore.Row r) {
        Optional<DnsConnection.Rfc2136> rfc2136 = r.server() == null
                ? Optional.empty()
                : Optional.of(new DnsConnection.Rfc2136(r.server(), r.tsigKeyName(), r.tsigAlgorithm()));
        Optional<DnsConnection.Route53> route53 = Optional.empty();
        if (r.route53Mode() != null) {
            DnsConnection.Route53Mode mode = DnsConnection.Route53Mode.valueOf(r.route53Mode());
            route53 = Optional.of(
                    mode == DnsConnection.Route53Mode.OPERATOR
                            ? new DnsConnection.Route53(mode, "", "", "", "")
                            : new DnsConnection.Route53(
                                    mode,
                                    r.roleArn(),
                                    r.externalId(),
                                    trustPolicy(r.externalId()),
                                    RolePolicies.permissionsPolicy()));
        }
        return new DnsConnection(
                r.id(),
                r.accountId(),
                DnsConnection.Kind.valueOf(r.kind()),
                r.displayName(),
                r.zones(),
                Instant.ofEpochMilli(r.createdAt()),
                r.sealedSecret() != null,
                rfc2136,
                route53);
    }

    /** Returns the trust policy for a stored connection; empty when the principal cannot be told now. */
    private String trustPolicy(String externalId) {
        try {
            return RolePolicies.trustPolicy(providers.awsPrincipal(), externalId);
        } catch (PreconditionFailedException e) {
            return "";
        }
    }

    private static DnsConnection.Kind kind(String kind) {
        try {
            return DnsConnection.Kind.valueOf(kind);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidInputException("kind: \"" + kind + "\" (expected: CLOUDFLARE, RFC2136 or ROUTE53)");
        }
    }

    private static DnsConnection.Route53Mode route53Mode(String mode) {
        try {
            return DnsConnection.Route53Mode.valueOf(mode);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidInputException("route53.mode: \"" + mode + "\" (expected: OPERATOR or ASSUME_ROLE)");
        }
    }

    private static List<String> zones(List<String> given) {
        if (given.isEmpty() || given.size() > MAX_ZONES) {
            throw new InvalidInputException(
                    "zones: " + given.size() + " given (expected: 1 to " + MAX_ZONES + " zone names)");
        }
        Set<String> zones = new LinkedHashSet<>();
        for (int i = 0; i < given.size(); i++) {
            zones.add(DomainName.parse("zones[" + i + "]", given.get(i)).value());
        }
        return new ArrayList<>(zones);
    }

    private static String server(String given) {
        try {
            HostAndPort hp = HostAndPort.fromString(given.strip()).withDefaultPort(53);
            if (hp.getHost().isEmpty()) {
                throw new IllegalArgumentException("no host");
            }
            return hp.toString();
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("rfc2136.server: \"" + given
                    + "\" (expected: the primary server's host:port, e.g. ns1.example.net:53)");
        }
    }

    private static String secret(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidInputException(
                    field + ": empty (expected: the secret; it is stored encrypted and" + " never shown again)");
        }
        if (value.length() > MAX_SECRET) {
            throw new InvalidInputException(
                    field + ": " + value.length() + " characters (expected: at most " + MAX_SECRET + ")");
        }
        return value.strip();
    }
}
