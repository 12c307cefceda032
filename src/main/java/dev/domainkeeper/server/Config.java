package dev.domainkeeper.server;

import static java.util.Objects.requireNonNull;

import com.google.common.net.HostAndPort;
import dev.domainkeeper.domain.AwsRegion;
import dev.domainkeeper.secrets.SecretBox;
import dev.domainkeeper.ses.aws.SesRegions;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Holds the service configuration, read once from the environment and validated in one place.
 * No other class reads environment variables.
 */
public record Config(
        int port,
        Database database,
        Aws aws,
        Ses ses,
        Route53 route53,
        Dns dns,
        TestEmails testEmails,
        Jobs jobs,
        Optional<String> bootstrapApiKey,
        Secrets secrets,
        Drift drift,
        Bounds bounds,
        Webhooks webhooks) {

    /** The SES implementation the service talks to. */
    public enum SesBackend {
        SANDBOX,
        AWS
    }

    /** A DNS resolver address. */
    public record HostPort(String host, int port) {
        public HostPort {
            requireNonNull(host, "host");
        }

        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    /** Where the database is and how to log in; {@link #toString()} masks the password. */
    public record Database(String url, String user, String password) {
        public Database {
            requireNonNull(url, "url");
        }

        @Override
        public String toString() {
            return "Database[url=" + URL_PASSWORD.matcher(url).replaceAll("$1" + MASKED) + ", user=" + user
                    + ", password=" + (password == null ? null : MASKED) + "]";
        }
    }

    /**
     * The AWS region, endpoint overrides (tests and VPC endpoints), the timeout of one AWS call, and
     * the principal customers' roles trust (empty: asked of STS).
     */
    public record Aws(
            String region,
            Optional<URI> sesEndpoint,
            Optional<URI> route53Endpoint,
            Optional<URI> stsEndpoint,
            Duration apiCallTimeout,
            Optional<String> principal) {
        public Aws {
            requireNonNull(region, "region");
            requireNonNull(sesEndpoint, "sesEndpoint");
            requireNonNull(route53Endpoint, "route53Endpoint");
            requireNonNull(stsEndpoint, "stsEndpoint");
            requireNonNull(apiCallTimeout, "apiCallTimeout");
            requireNonNull(principal, "principal");
        }
    }

    /**
     * The SES backend, the SES request budget every node shares (requests per second and burst) and
     * the receipt rule inbound mail goes through.
     */
    public record Ses(
            SesBackend backend,
            double maxRps,
            int burst,
            Optional<String> receiptRuleSet,
            Optional<String> receiptRule) {
        public Ses {
            requireNonNull(backend, "backend");
            requireNonNull(receiptRuleSet, "receiptRuleSet");
            requireNonNull(receiptRule, "receiptRule");
        }
    }

    /** The Route 53 request budget every node shares: requests per second and burst. */
    public record Route53(double maxRps, int burst) {}

    /**
     * The resolvers DNS checks use (the system's when empty), the timeout of one lookup, the least
     * time between two sets of lookups of one domain, where Cloudflare's API v4 is reached (a stub in
     * tests; Cloudflare's own address when empty), the port authoritative name servers are asked on
     * when propagation is checked (53; tests point it at loopback servers), and whether name servers at
     * addresses that are not public may be asked (false).
     */
    public record Dns(
            List<HostPort> resolvers,
            Duration timeout,
            Duration checkInterval,
            Optional<URI> cloudflareEndpoint,
            int authoritativePort,
            boolean authoritativeAllowPrivate) {
        public Dns {
            resolvers = List.copyOf(resolvers);
            requireNonNull(timeout, "timeout");
            requireNonNull(checkInterval, "checkInterval");
            requireNonNull(cloudflareEndpoint, "cloudflareEndpoint");
        }
    }

    /**
     * Holds the test email settings: the SES configuration set per message class (none when
     * empty), the per-account rate limit (a minute's, for every test send, and a day's for NORMAL ones,
     * which an account's own limit set by the operator replaces), and the SMTP relay the sandbox also
     * delivers to.
     */
    public record TestEmails(
            Optional<String> configurationSetTransactional,
            Optional<String> configurationSetMarketing,
            int ratePerMinute,
            int burst,
            int perDay,
            Optional<HostPort> smtpRelay) {
        public TestEmails {
            requireNonNull(configurationSetTransactional, "configurationSetTransactional");
            requireNonNull(configurationSetMarketing, "configurationSetMarketing");
            requireNonNull(smtpRelay, "smtpRelay");
        }
    }

    /**
     * Whether this node runs the background jobs, and the lease they hold on a row (each job's own
     * default when empty; tests shorten it).
     */
    public record Jobs(boolean backgroundWorkers, Optional<Duration> leaseDuration) {
        public Jobs {
            requireNonNull(leaseDuration, "leaseDuration");
        }
    }

    /**
     * The operator's keys for the secrets tenants give us: the current one seals, the previous ones
     * only open (key rotation). Both empty when not configured; {@link #toString()} never shows them.
     */
    public record Secrets(Optional<byte[]> key, List<byte[]> previousKeys) {
        public Secrets {
            requireNonNull(key, "key");
            previousKeys = List.copyOf(previousKeys);
        }

        /** The box that seals and opens with these keys (a refusing one when no key is set). */
        public SecretBox box() {
            return key.map(k -> SecretBox.of(k, previousKeys)).orElseGet(SecretBox::disabled);
        }

        @Override
        public String toString() {
            return "Secrets[key=" + key.map(k -> MASKED) + ", previousKeys=" + previousKeys.size() + "]";
        }
    }

    /**
     * The drift watch: the time between two background checks of a verified domain's DNS (empty when
     * off) and the most DNS lookups its checks make per minute on one node.
     */
    public record Drift(Optional<Duration> interval, int queriesPerMinute) {
        public Drift {
            requireNonNull(interval, "interval");
        }
    }

    /**
     * Holds the bounds that keep one account from using up what all share (docs/SECURITY.md): the
     * overall deadline of a DNS validation snapshot and how many one account may run at once, how
     * long a Route 53 zone lookup is remembered per account, and how often the page-token key
     * changes and how long a page token stays valid.
     */
    public record Bounds(
            Duration dnsSnapshotDeadline,
            int dnsSnapshotsPerAccount,
            Duration zoneCacheTtl,
            Duration pageTokenKeyRotation,
            Duration pageTokenLifetime) {
        public Bounds {
            requireNonNull(dnsSnapshotDeadline, "dnsSnapshotDeadline");
            requireNonNull(zoneCacheTtl, "zoneCacheTtl");
            requireNonNull(pageTokenKeyRotation, "pageTokenKeyRotation");
            requireNonNull(pageTokenLifetime, "pageTokenLifetime");
        }
    }

    /**
     * The webhook settings: plain http allowed (development only), private, loopback and link-local
     * targets allowed (tests and closed networks), the timeout of one delivery attempt, and how many
     * attempts may be under way to one endpoint at once.
     */
    public record Webhooks(boolean allowHttp, boolean allowPrivate, Duration attemptTimeout, int maxPerEndpoint) {
        public Webhooks {
            requireNonNull(attemptTimeout, "attemptTimeout");
        }
    }

    public Config {
        requireNonNull(bounds, "bounds");
        requireNonNull(webhooks, "webhooks");
        requireNonNull(database, "database");
        requireNonNull(drift, "drift");
        requireNonNull(aws, "aws");
        requireNonNull(ses, "ses");
        requireNonNull(dns, "dns");
        requireNonNull(testEmails, "testEmails");
        requireNonNull(jobs, "jobs");
        requireNonNull(bootstrapApiKey, "bootstrapApiKey");
        requireNonNull(secrets, "secrets");
    }

    /** What stands in for a secret in {@link #toString()}. */
    static final String MASKED = "***";

    private static final Pattern URL_PASSWORD = Pattern.compile("(?i)(password=)[^&;]*");

    /**
     * Lists the settings with the secrets masked: the database password and a {@code password=}
     * parameter of the database URL, the bootstrap API key, the secrets keys. (A record's own toString
     * would print them, and a configuration ends up in logs and error reports.)
     */
    @Override
    public String toString() {
        return "Config[port=" + port + ", database=" + database + ", aws=" + aws + ", ses=" + ses + ", route53="
                + route53 + ", dns=" + dns
                + ", testEmails=" + testEmails + ", jobs=" + jobs + ", bootstrapApiKey="
                + bootstrapApiKey.map(k -> MASKED) + ", secrets=" + secrets + ", drift=" + drift + ", bounds=" + bounds
                + ", webhooks=" + webhooks + "]";
    }

    /** Returns a copy of this configuration with another port (tests use port 0). */
    public Config withPort(int newPort) {
        return new Config(
                newPort,
                database,
                aws,
                ses,
                route53,
                dns,
                testEmails,
                jobs,
                bootstrapApiKey,
                secrets,
                drift,
                bounds,
                webhooks);
    }

    /** Returns a copy of this configuration with the background verifier and workers on or off. */
    public Config withBackgroundWorkers(boolean enabled) {
        return new Config(
                port,
                database,
                aws,
                ses,
                route53,
                dns,
                testEmails,
                new Jobs(enabled, jobs.leaseDuration()),
                bootstrapApiKey,
                secrets,
                drift,
                bounds,
                webhooks);
    }

    /**
     * Reads the configuration from environment variables.
     *
     * @throws ConfigException naming the variable and the accepted values when one is invalid
     */
    public static Config fromEnvironment(Map<String, String> env) {
        int port = intValue(env, "DOMAINKEEPER_PORT", 8080, 0, 65535);
        String url = value(env, "DOMAINKEEPER_DATABASE_URL").orElse("jdbc:sqlite:data/domainkeeper.db");
        if (!url.startsWith("jdbc:sqlite:") && !url.startsWith("jdbc:postgresql:")) {
            throw new ConfigException("DOMAINKEEPER_DATABASE_URL: \"" + url
                    + "\" is not supported (expected: jdbc:sqlite:<file> or jdbc:postgresql://host:port/db)");
        }
        String backendText = value(env, "DOMAINKEEPER_SES_BACKEND").orElse("sandbox");
        SesBackend backend;
        try {
            backend = SesBackend.valueOf(backendText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(
                    "DOMAINKEEPER_SES_BACKEND: \"" + backendText + "\" is not a backend (expected: sandbox or aws)");
        }
        String region = value(env, "AWS_REGION")
                .or(() -> value(env, "AWS_DEFAULT_REGION"))
                .orElse("us-east-1");
        if (!SesRegions.known().contains(region)) {
            throw new ConfigException("AWS_REGION: \"" + region + "\" " + AwsRegion.notKnown(SesRegions.known()));
        }
        Optional<String> bootstrapKey = value(env, "DOMAINKEEPER_BOOTSTRAP_API_KEY");
        if (bootstrapKey.isPresent() && bootstrapKey.get().length() < 16) {
            throw new ConfigException("DOMAINKEEPER_BOOTSTRAP_API_KEY: too short (expected: at least 16 characters)");
        }
        if (value(env, "DOMAINKEEPER_SES_RECEIPT_RULE_SET").isPresent()
                != value(env, "DOMAINKEEPER_SES_RECEIPT_RULE").isPresent()) {
            throw new ConfigException("DOMAINKEEPER_SES_RECEIPT_RULE_SET and DOMAINKEEPER_SES_RECEIPT_RULE: "
                    + "set both or neither (expected: the rule set name and the rule name)");
        }
        if (value(env, "DOMAINKEEPER_DNS_CACHE_SECONDS").isPresent()) {
            throw new ConfigException("DOMAINKEEPER_DNS_CACHE_SECONDS: no longer read; DNS validation snapshots "
                    + "are no longer cached (expected: DOMAINKEEPER_DNS_CHECK_INTERVAL_MS, the least time in "
                    + "milliseconds between two sets of lookups of one domain, 0-60000)");
        }
        // SES allows 1 request a second for most actions; the sandbox has no such limit.
        double defaultRps = backend == SesBackend.AWS ? 1.0 : 1000.0;
        double maxRps = doubleValue(env, "DOMAINKEEPER_SES_MAX_RPS", defaultRps);
        // Route 53 allows 5 requests a second per AWS account.
        double route53Rps = doubleValue(env, "DOMAINKEEPER_ROUTE53_MAX_RPS", 5.0);
        return new Config(
                port,
                new Database(
                        url,
                        value(env, "DOMAINKEEPER_DATABASE_USER").orElse(null),
                        value(env, "DOMAINKEEPER_DATABASE_PASSWORD").orElse(null)),
                new Aws(
                        region,
                        uri(env, "DOMAINKEEPER_SES_ENDPOINT"),
                        uri(env, "DOMAINKEEPER_ROUTE53_ENDPOINT"),
                        uri(env, "DOMAINKEEPER_STS_ENDPOINT"),
                        Duration.ofMillis(intValue(env, "DOMAINKEEPER_AWS_TIMEOUT_MS", 20_000, 100, 300_000)),
                        principal(env, "DOMAINKEEPER_AWS_PRINCIPAL")),
                new Ses(
                        backend,
                        maxRps,
                        intValue(env, "DOMAINKEEPER_SES_BURST", defaultBurst(maxRps), 1, 1_000_000),
                        value(env, "DOMAINKEEPER_SES_RECEIPT_RULE_SET"),
                        value(env, "DOMAINKEEPER_SES_RECEIPT_RULE")),
                new Route53(
                        route53Rps,
                        intValue(env, "DOMAINKEEPER_ROUTE53_BURST", defaultBurst(route53Rps), 1, 1_000_000)),
                new Dns(
                        resolvers(env, "DOMAINKEEPER_DNS_RESOLVERS"),
                        Duration.ofMillis(intValue(env, "DOMAINKEEPER_DNS_TIMEOUT_MS", 3000, 1, 60_000)),
                        Duration.ofMillis(intValue(env, "DOMAINKEEPER_DNS_CHECK_INTERVAL_MS", 1000, 0, 60_000)),
                        uri(env, "DOMAINKEEPER_CLOUDFLARE_ENDPOINT"),
                        intValue(env, "DOMAINKEEPER_DNS_AUTHORITATIVE_PORT", 53, 1, 65535),
                        booleanValue(env, "DOMAINKEEPER_DNS_AUTHORITATIVE_ALLOW_PRIVATE", false)),
                new TestEmails(
                        configurationSet(env, "DOMAINKEEPER_SES_CONFIGURATION_SET_TRANSACTIONAL"),
                        configurationSet(env, "DOMAINKEEPER_SES_CONFIGURATION_SET_MARKETING"),
                        intValue(env, "DOMAINKEEPER_TEST_EMAIL_RATE_PER_MINUTE", 10, 1, 100_000),
                        intValue(env, "DOMAINKEEPER_TEST_EMAIL_BURST", 20, 1, 100_000),
                        intValue(env, "DOMAINKEEPER_TEST_EMAIL_PER_DAY", 200, 1, 10_000_000),
                        smtpRelay(env, "DOMAINKEEPER_SMTP_RELAY")),
                new Jobs(
                        booleanValue(env, "DOMAINKEEPER_BACKGROUND_WORKERS", true),
                        value(env, "DOMAINKEEPER_LEASE_SECONDS")
                                .map(v -> Duration.ofSeconds(intValue(env, "DOMAINKEEPER_LEASE_SECONDS", 0, 5, 3600)))),
                bootstrapKey,
                secrets(env),
                drift(env),
                new Bounds(
                        Duration.ofMillis(intValue(env, "DOMAINKEEPER_DNS_SNAPSHOT_DEADLINE_MS", 10_000, 100, 60_000)),
                        intValue(env, "DOMAINKEEPER_DNS_SNAPSHOTS_PER_ACCOUNT", 8, 1, 1000),
                        Duration.ofSeconds(intValue(env, "DOMAINKEEPER_ROUTE53_ZONE_CACHE_SECONDS", 60, 0, 3600)),
                        Duration.ofHours(intValue(env, "DOMAINKEEPER_PAGE_TOKEN_KEY_ROTATION_HOURS", 168, 1, 8760)),
                        Duration.ofHours(intValue(env, "DOMAINKEEPER_PAGE_TOKEN_LIFETIME_HOURS", 24, 1, 720))),
                new Webhooks(
                        booleanValue(env, "DOMAINKEEPER_WEBHOOKS_ALLOW_HTTP", false),
                        booleanValue(env, "DOMAINKEEPER_WEBHOOKS_ALLOW_PRIVATE", false),
                        Duration.ofMillis(intValue(env, "DOMAINKEEPER_WEBHOOKS_TIMEOUT_MS", 10_000, 100, 60_000)),
                        intValue(env, "DOMAINKEEPER_WEBHOOKS_MAX_PER_ENDPOINT", 4, 1, 64)));
    }

    private static Drift drift(Map<String, String> env) {
        int minutes = intValue(env, "DOMAINKEEPER_DRIFT_CHECK_MINUTES", 360, 0, 10_080);
        return new Drift(
                minutes == 0 ? Optional.empty() : Optional.of(Duration.ofMinutes(minutes)),
                intValue(env, "DOMAINKEEPER_DRIFT_DNS_QUERIES_PER_MINUTE", 600, 1, 100_000));
    }

    /** Returns the burst a request budget allows by default: two seconds' worth, at least 4. */
    static int defaultBurst(double perSecond) {
        return (int) Math.min(1_000_000, Math.max(4, Math.ceil(perSecond * 2)));
    }

    private static Secrets secrets(Map<String, String> env) {
        Optional<byte[]> key =
                value(env, "DOMAINKEEPER_SECRETS_KEY").map(v -> secretsKey("DOMAINKEEPER_SECRETS_KEY", v));
        List<byte[]> previous = new ArrayList<>();
        for (String part :
                value(env, "DOMAINKEEPER_SECRETS_KEY_PREVIOUS").orElse("").split(",")) {
            if (!part.isBlank()) {
                previous.add(secretsKey("DOMAINKEEPER_SECRETS_KEY_PREVIOUS", part));
            }
        }
        if (key.isEmpty() && !previous.isEmpty()) {
            throw new ConfigException("DOMAINKEEPER_SECRETS_KEY_PREVIOUS: set without DOMAINKEEPER_SECRETS_KEY "
                    + "(expected: the new key in DOMAINKEEPER_SECRETS_KEY, the old ones here, comma-separated)");
        }
        return new Secrets(key, previous);
    }

    private static byte[] secretsKey(String name, String text) {
        try {
            return SecretBox.decodeKey(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name + ": " + e.getMessage());
        }
    }

    private static Optional<String> configurationSet(Map<String, String> env, String name) {
        Optional<String> v = value(env, name);
        if (v.isPresent() && !v.get().matches("[A-Za-z0-9_-]{1,64}")) {
            throw new ConfigException(name + ": \"" + v.get() + "\" is not a configuration set name "
                    + "(expected: 1-64 ASCII letters, digits, '_' or '-')");
        }
        return v;
    }

    private static Optional<HostPort> smtpRelay(Map<String, String> env, String name) {
        return value(env, name)
                .map(v -> hostPort(v, -1)
                        .orElseThrow(() -> new ConfigException(name + ": \"" + v
                                + "\" is not valid (expected: host:port, e.g. localhost:1025, with port 1-65535)")));
    }

    /** Parses {@code host[:port]} ({@code [v6]:port} too) with Guava; empty when it is not one. */
    private static Optional<HostPort> hostPort(String text, int defaultPort) {
        try {
            HostAndPort parsed = HostAndPort.fromString(text);
            int port = parsed.getPortOrDefault(defaultPort);
            if (parsed.getHost().isBlank() || port < 1 || port > 65535) {
                return Optional.empty();
            }
            return Optional.of(new HostPort(parsed.getHost(), port));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> value(Map<String, String> env, String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
    }

    private static int intValue(Map<String, String> env, String name, int def, int min, int max) {
        Optional<String> v = value(env, name);
        if (v.isEmpty()) {
            return def;
        }
        try {
            int parsed = Integer.parseInt(v.get());
            if (parsed < min || parsed > max) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new ConfigException(
                    name + ": \"" + v.get() + "\" is not valid (expected: an integer from " + min + " to " + max + ")");
        }
    }

    private static boolean booleanValue(Map<String, String> env, String name, boolean def) {
        Optional<String> v = value(env, name);
        if (v.isEmpty()) {
            return def;
        }
        return switch (v.get().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new ConfigException(name + ": \"" + v.get() + "\" is not valid (expected: true or false)");
        };
    }

    private static double doubleValue(Map<String, String> env, String name, double def) {
        Optional<String> v = value(env, name);
        if (v.isEmpty()) {
            return def;
        }
        try {
            double parsed = Double.parseDouble(v.get());
            if (!(parsed > 0) || Double.isInfinite(parsed)) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new ConfigException(name + ": \"" + v.get() + "\" is not valid (expected: a number > 0)");
        }
    }

    private static Optional<URI> uri(Map<String, String> env, String name) {
        Optional<String> v = value(env, name);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        try {
            URI u = URI.create(v.get());
            if (u.getScheme() == null
                    || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
                    || u.getHost() == null) {
                throw new IllegalArgumentException();
            }
            return Optional.of(u);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name + ": \"" + v.get() + "\" is not valid (expected: an http(s) URL)");
        }
    }

    private static final Pattern AWS_ACCOUNT_ID = Pattern.compile("\\d{12}");
    private static final Pattern AWS_PRINCIPAL =
            Pattern.compile("arn:aws[a-z-]*:iam::\\d{12}:(root|(role|user)/[\\w+=,.@/-]{1,512})");

    /** Reads the principal customers' roles trust: an IAM ARN, or an account id meaning its root. */
    private static Optional<String> principal(Map<String, String> env, String name) {
        return value(env, name).map(String::strip).map(v -> {
            if (AWS_ACCOUNT_ID.matcher(v).matches()) {
                return "arn:aws:iam::" + v + ":root";
            }
            if (!AWS_PRINCIPAL.matcher(v).matches()) {
                throw new ConfigException(name + ": \"" + v + "\" is not valid (expected: a 12-digit AWS account id,"
                        + " or the ARN of the IAM role, user or account root Domainkeeper runs as, e.g."
                        + " arn:aws:iam::123456789012:role/domainkeeper)");
            }
            return v;
        });
    }

    private static List<HostPort> resolvers(Map<String, String> env, String name) {
        List<HostPort> out = new ArrayList<>();
        for (String part : value(env, name).orElse("").split(",")) {
            String p = part.trim();
            if (!p.isEmpty()) {
                out.add(hostPort(p, 53)
                        .orElseThrow(() -> new ConfigException(
                                name + ": \"" + p + "\" is not valid (expected: host[:port] with port 1-65535)")));
            }
        }
        return out;
    }
}
