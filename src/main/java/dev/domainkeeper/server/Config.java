package dev.domainkeeper.server;

import static java.util.Objects.requireNonNull;

import com.google.common.net.HostAndPort;
import dev.domainkeeper.domain.AwsRegion;
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
        String databaseUrl,
        String databaseUser,
        String databasePassword,
        SesBackend sesBackend,
        String awsRegion,
        Optional<URI> sesEndpoint,
        Optional<URI> route53Endpoint,
        List<HostPort> dnsResolvers,
        Duration dnsTimeout,
        Duration dnsCheckInterval,
        Optional<String> bootstrapApiKey,
        double sesMaxRps,
        int sesBurst,
        double route53MaxRps,
        int route53Burst,
        Optional<String> receiptRuleSet,
        Optional<String> receiptRule,
        boolean backgroundWorkers,
        TestEmails testEmails,
        Duration awsApiCallTimeout,
        Optional<Duration> leaseDuration) {

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

    public Config {
        requireNonNull(databaseUrl, "databaseUrl");
        requireNonNull(sesBackend, "sesBackend");
        requireNonNull(testEmails, "testEmails");
        requireNonNull(awsApiCallTimeout, "awsApiCallTimeout");
        requireNonNull(leaseDuration, "leaseDuration");
        dnsResolvers = List.copyOf(dnsResolvers);
    }

    /** What stands in for a secret in {@link #toString()}. */
    static final String MASKED = "***";

    private static final Pattern URL_PASSWORD = Pattern.compile("(?i)(password=)[^&;]*");

    /**
     * Lists the settings with the secrets masked: the database password, the bootstrap API key, and a
     * {@code password=} parameter of the database URL. (A record's own toString would print them, and a
     * configuration ends up in logs and error reports.)
     */
    @Override
    public String toString() {
        return "Config[port=" + port + ", databaseUrl="
                + URL_PASSWORD.matcher(databaseUrl).replaceAll("$1" + MASKED)
                + ", databaseUser=" + databaseUser + ", databasePassword=" + (databasePassword == null ? null : MASKED)
                + ", sesBackend=" + sesBackend + ", awsRegion=" + awsRegion + ", sesEndpoint=" + sesEndpoint
                + ", route53Endpoint=" + route53Endpoint + ", dnsResolvers=" + dnsResolvers + ", dnsTimeout="
                + dnsTimeout + ", dnsCheckInterval=" + dnsCheckInterval + ", bootstrapApiKey="
                + bootstrapApiKey.map(k -> MASKED) + ", sesMaxRps=" + sesMaxRps + ", sesBurst=" + sesBurst
                + ", route53MaxRps=" + route53MaxRps + ", route53Burst=" + route53Burst + ", receiptRuleSet="
                + receiptRuleSet
                + ", receiptRule=" + receiptRule + ", backgroundWorkers=" + backgroundWorkers + ", testEmails="
                + testEmails + ", awsApiCallTimeout=" + awsApiCallTimeout + ", leaseDuration=" + leaseDuration + "]";
    }

    /** Returns a copy of this configuration with another port (tests use port 0). */
    public Config withPort(int newPort) {
        return new Config(
                newPort,
                databaseUrl,
                databaseUser,
                databasePassword,
                sesBackend,
                awsRegion,
                sesEndpoint,
                route53Endpoint,
                dnsResolvers,
                dnsTimeout,
                dnsCheckInterval,
                bootstrapApiKey,
                sesMaxRps,
                sesBurst,
                route53MaxRps,
                route53Burst,
                receiptRuleSet,
                receiptRule,
                backgroundWorkers,
                testEmails,
                awsApiCallTimeout,
                leaseDuration);
    }

    /** Returns a copy of this configuration with the background verifier and workers on or off. */
    public Config withBackgroundWorkers(boolean enabled) {
        return new Config(
                port,
                databaseUrl,
                databaseUser,
                databasePassword,
                sesBackend,
                awsRegion,
                sesEndpoint,
                route53Endpoint,
                dnsResolvers,
                dnsTimeout,
                dnsCheckInterval,
                bootstrapApiKey,
                sesMaxRps,
                sesBurst,
                route53MaxRps,
                route53Burst,
                receiptRuleSet,
                receiptRule,
                enabled,
                testEmails,
                awsApiCallTimeout,
                leaseDuration);
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
        if (!AwsRegion.isValid(region)) {
            throw new ConfigException("AWS_REGION: \"" + region + "\" is not an AWS region (expected e.g. us-east-1)");
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
                url,
                value(env, "DOMAINKEEPER_DATABASE_USER").orElse(null),
                value(env, "DOMAINKEEPER_DATABASE_PASSWORD").orElse(null),
                backend,
                region,
                uri(env, "DOMAINKEEPER_SES_ENDPOINT"),
                uri(env, "DOMAINKEEPER_ROUTE53_ENDPOINT"),
                resolvers(env, "DOMAINKEEPER_DNS_RESOLVERS"),
                Duration.ofMillis(intValue(env, "DOMAINKEEPER_DNS_TIMEOUT_MS", 3000, 1, 60_000)),
                Duration.ofMillis(intValue(env, "DOMAINKEEPER_DNS_CHECK_INTERVAL_MS", 1000, 0, 60_000)),
                bootstrapKey,
                maxRps,
                intValue(env, "DOMAINKEEPER_SES_BURST", defaultBurst(maxRps), 1, 1_000_000),
                route53Rps,
                intValue(env, "DOMAINKEEPER_ROUTE53_BURST", defaultBurst(route53Rps), 1, 1_000_000),
                value(env, "DOMAINKEEPER_SES_RECEIPT_RULE_SET"),
                value(env, "DOMAINKEEPER_SES_RECEIPT_RULE"),
                booleanValue(env, "DOMAINKEEPER_BACKGROUND_WORKERS", true),
                new TestEmails(
                        configurationSet(env, "DOMAINKEEPER_SES_CONFIGURATION_SET_TRANSACTIONAL"),
                        configurationSet(env, "DOMAINKEEPER_SES_CONFIGURATION_SET_MARKETING"),
                        intValue(env, "DOMAINKEEPER_TEST_EMAIL_RATE_PER_MINUTE", 10, 1, 100_000),
                        intValue(env, "DOMAINKEEPER_TEST_EMAIL_BURST", 20, 1, 100_000),
                        intValue(env, "DOMAINKEEPER_TEST_EMAIL_PER_DAY", 200, 1, 10_000_000),
                        smtpRelay(env, "DOMAINKEEPER_SMTP_RELAY")),
                Duration.ofMillis(intValue(env, "DOMAINKEEPER_AWS_TIMEOUT_MS", 20_000, 100, 300_000)),
                value(env, "DOMAINKEEPER_LEASE_SECONDS")
                        .map(v -> Duration.ofSeconds(intValue(env, "DOMAINKEEPER_LEASE_SECONDS", 0, 5, 3600))));
    }

    /** Returns the burst a request budget allows by default: two seconds' worth, at least 4. */
    static int defaultBurst(double perSecond) {
        return (int) Math.min(1_000_000, Math.max(4, Math.ceil(perSecond * 2)));
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
