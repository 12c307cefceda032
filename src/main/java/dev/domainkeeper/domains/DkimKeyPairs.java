package dev.domainkeeper.domains;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.dns.DnsAnswer;
import dev.domainkeeper.dns.DnsLookup;
import dev.domainkeeper.domain.DkimKeyLength;
import dev.domainkeeper.domain.DkimKeyRecords;
import dev.domainkeeper.domain.Domain;
import dev.domainkeeper.domain.DomainName;
import dev.domainkeeper.domain.ExternalDkimKey;
import dev.domainkeeper.domain.InvalidInputException;
import dev.domainkeeper.domain.RecordType;
import dev.domainkeeper.errors.PreconditionFailedException;
import dev.domainkeeper.errors.RetryLaterException;
import dev.domainkeeper.secrets.SecretBox;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Makes the key pairs of BYODKIM domains: an RSA key pair of the asked length, the private key sealed
 * with the operator's secrets key (bound to the account and the domain, so it opens only for that
 * domain's row) and opened only to hand it to SES. Chooses or checks the selector: a DNS label, and
 * not one under which the domain already publishes a DKIM key (another sender's).
 */
public final class DkimKeyPairs {
    /** A selector: one DNS label, lower case letters, digits and hyphens, not starting or ending with a hyphen. */
    private static final Pattern SELECTOR = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    private static final DateTimeFormatter DAY =
            DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);
    private static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(10);
    /** Default selectors tried before giving up: dkYYYYMMDD, then with b, c, … appended. */
    private static final int DEFAULT_TRIES = 5;

    private final SecretBox box;
    private final DnsLookup dns;
    private final Clock clock;
    private final KeyPublication publication;

    /** Checks selectors with {@code dns}, and new keys' publication with {@code publication}. */
    public DkimKeyPairs(SecretBox box, DnsLookup dns, Clock clock, KeyPublication publication) {
        this.box = requireNonNull(box, "box");
        this.dns = requireNonNull(dns, "dns");
        this.clock = requireNonNull(clock, "clock");
        this.publication = requireNonNull(publication, "publication");
    }

    /**
     * Makes a key pair for the domain {@code domainId} of {@code accountId}, under {@code selector} or,
     * when it is null or blank, one chosen here ({@code dk} and the date, e.g. {@code dk20261203}).
     *
     * @throws InvalidInputException naming {@code dkim_selector} when the selector is not a DNS label
     * @throws PreconditionFailedException when the domain already publishes a DKIM key or a CNAME under
     *     the selector, or no secrets key is configured
     * @throws RetryLaterException when DNS cannot tell whether the selector is free
     */
    public ExternalDkimKey create(
            String accountId, String domainId, DomainName domain, String selector, DkimKeyLength length) {
        return create(accountId, domainId, domain, selector, length, Set.of());
    }

    /**
     * As {@link #create(String, String, DomainName, String, DkimKeyLength)}, never choosing or taking one
     * of {@code ownSelectors} (the domain's keys already in use, published or not).
     */
    public ExternalDkimKey create(
            String accountId,
            String domainId,
            DomainName domain,
            String selector,
            DkimKeyLength length,
            Set<String> ownSelectors) {
        if (!box.enabled()) {
            throw new PreconditionFailedException("dkim_mode: BYODKIM keeps the domain's private key encrypted, and"
                    + " the operator has not set the key for that (DOMAINKEEPER_SECRETS_KEY)");
        }
        String chosen = selector == null || selector.isBlank()
                ? freeDefault(domain, ownSelectors)
                : checked(domain, selector, ownSelectors);
        KeyPair pair = generate(length);
        String privateKey = Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded());
        return new ExternalDkimKey(
                chosen,
                Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()),
                box.seal(privateKey, context(accountId, domainId)));
    }

    /** Returns the private key in the form SES takes it: base64 of its PKCS#8 DER encoding, no PEM armour. */
    public String privateKey(String accountId, String domainId, ExternalDkimKey key) {
        return box.open(key.sealedPrivateKey(), context(accountId, domainId));
    }

    /** Tells whether DNS serves {@code key}'s record of {@code domain} as planned (see {@link KeyPublication}). */
    public boolean served(Domain domain, ExternalDkimKey key) {
        String name = key.recordName(domain.name());
        return domain.records().stream()
                .filter(r -> r.name().equals(name))
                .findFirst()
                .map(r -> publication.served(domain, r))
                .orElse(false);
    }

    private String checked(DomainName domain, String given, Set<String> ownSelectors) {
        String selector = given.strip().toLowerCase(Locale.ROOT);
        if (!SELECTOR.matcher(selector).matches()) {
            throw new InvalidInputException("dkim_selector: \"" + given + "\" is not a valid selector (expected: one"
                    + " DNS label of 1-63 letters, digits and hyphens, not starting or ending with a hyphen)");
        }
        if (ownSelectors.contains(selector)) {
            throw new InvalidInputException("dkim_selector: " + selector + " is one of the domain's keys already"
                    + " (expected: a new selector for the new key)");
        }
        String taken = takenBy(domain, selector);
        if (taken != null) {
            throw new PreconditionFailedException("dkim_selector: " + selector + "._domainkey." + domain + " already "
                    + taken + ", likely another sender's (expected: a selector the domain does not use yet;"
                    + " Domainkeeper never replaces another sender's key)");
        }
        return selector;
    }

    private String freeDefault(DomainName domain, Set<String> ownSelectors) {
        String base = "dk" + DAY.format(clock.instant());
        for (int i = 0; i < DEFAULT_TRIES; i++) {
            String candidate = i == 0 ? base : base + (char) ('a' + i);
            if (!ownSelectors.contains(candidate) && takenBy(domain, candidate) == null) {
                return candidate;
            }
        }
        throw new PreconditionFailedException("dkim_selector: the selectors Domainkeeper would choose for " + domain
                + " (" + base + " and " + (DEFAULT_TRIES - 1) + " more) are all in use (expected: choose one with"
                + " dkim_selector)");
    }

    /** Returns what the domain publishes under {@code selector} that makes it taken, or null when it is free. */
    private String takenBy(DomainName domain, String selector) {
        DnsAnswer answer = await(dns.query(selector + "._domainkey." + domain.value(), RecordType.TXT));
        if (answer.outcome() == DnsAnswer.Outcome.ERROR) {
            throw new RetryLaterException(
                    RetryLaterException.Reason.UNAVAILABLE,
                    "dkim_selector: DNS could not tell whether " + selector + "._domainkey." + domain + " is in use ("
                            + answer.error() + "); try again",
                    Duration.ofSeconds(5));
        }
        if (!answer.cnames().isEmpty()) {
            return "is a CNAME to " + answer.cnames().get(0).value();
        }
        boolean key = answer.records().stream()
                .anyMatch(v -> DkimKeyRecords.publicKey(v.value()).isPresent());
        return key ? "publishes a DKIM key" : null;
    }

    private static DnsAnswer await(java.util.concurrent.CompletableFuture<DnsAnswer> f) {
        try {
            return f.get(LOOKUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new RetryLaterException(
                    RetryLaterException.Reason.UNAVAILABLE,
                    "dkim_selector: DNS did not answer; try again",
                    Duration.ofSeconds(5),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetryLaterException(
                    RetryLaterException.Reason.UNAVAILABLE, "interrupted", Duration.ofSeconds(5), e);
        }
    }

    private static KeyPair generate(DkimKeyLength length) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(length == DkimKeyLength.RSA_1024_BIT ? 1024 : 2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("RSA is not available in this JDK", e);
        }
    }

    /** The context a private key is sealed with: it opens only for this domain of this account. */
    private static String context(String accountId, String domainId) {
        return "dkim-private-key:" + accountId + ":" + domainId;
    }
}
