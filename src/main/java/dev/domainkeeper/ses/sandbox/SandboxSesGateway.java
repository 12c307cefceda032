package dev.domainkeeper.ses.sandbox;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.dns.DnsAnswer;
import dev.domainkeeper.dns.DnsLookup;
import dev.domainkeeper.domain.DkimKeyLength;
import dev.domainkeeper.domain.DkimKeyRecords;
import dev.domainkeeper.domain.DkimSetup;
import dev.domainkeeper.domain.IdentityStatus;
import dev.domainkeeper.domain.Ids;
import dev.domainkeeper.domain.MessageClass;
import dev.domainkeeper.domain.RecordType;
import dev.domainkeeper.domain.TestEmailType;
import dev.domainkeeper.ses.DkimKeyChangeTooSoonException;
import dev.domainkeeper.ses.DkimSigning;
import dev.domainkeeper.ses.IdentityState;
import dev.domainkeeper.ses.OutboundEmail;
import dev.domainkeeper.ses.SesGateway;
import dev.domainkeeper.ses.SesIdentityExistsException;
import dev.domainkeeper.ses.SesRejectedException;
import dev.domainkeeper.ses.SesUnavailableException;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jdbi.v3.core.Jdbi;

/**
 * Behaves like SES for everything the API exposes, with no AWS account: an identity gets three
 * random DKIM tokens and PENDING statuses; it verifies (DKIM, then the domain) once its DKIM CNAMEs
 * really resolve to {@code <token>.dkim.amazonses.com} through the configured resolvers; MAIL FROM
 * verifies when its MX resolves to SES's feedback host; an identity still unverified after 72 hours
 * goes FAILED. State lives in the database, so a restart keeps it.
 */
public final class SandboxSesGateway implements SesGateway {
    static final Duration VERIFICATION_WINDOW = Duration.ofHours(72);
    private static final Duration LOOKUP_BUDGET = Duration.ofSeconds(15);

    private final Jdbi jdbi;
    private final DnsLookup dns;
    private final Clock clock;
    private final Optional<SmtpRelay> relay;

    public SandboxSesGateway(Jdbi jdbi, DnsLookup dns, Clock clock) {
        this(jdbi, dns, clock, Optional.empty());
    }

    /**
     * Creates a sandbox that also delivers every message it accepts to the SMTP server at
     * {@code smtpRelay} (host and port), when given.
     */
    public SandboxSesGateway(Jdbi jdbi, DnsLookup dns, Clock clock, Optional<InetSocketAddress> smtpRelay) {
        this.jdbi = requireNonNull(jdbi, "jdbi");
        this.dns = requireNonNull(dns, "dns");
        this.clock = requireNonNull(clock, "clock");
        this.relay = requireNonNull(smtpRelay, "smtpRelay").map(a -> new SmtpRelay(a.getHostString(), a.getPort()));
    }

    private record Row(
            String region,
            String domain,
            List<String> tokens,
            IdentityStatus verification,
            IdentityStatus dkim,
            String mailFromDomain,
            IdentityStatus mailFrom,
            boolean receiving,
            long createdAt,
            String ownerTag,
            String externalPublicKey) {
        /** The selector of a BYODKIM identity (its one token), or null with Easy DKIM. */
        String externalSelector() {
            return externalPublicKey == null ? null : tokens.get(0);
        }
    }

    /** {@inheritDoc} The tag is kept in the identity's {@code owner_tag} column. */
    @Override
    public IdentityState createIdentity(String region, String domain, String ownerTag, DkimKeyLength keyLength) {
        requireNonNull(ownerTag, "ownerTag");
        requireNonNull(keyLength, "keyLength");
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            tokens.add(Ids.random("t", 32).substring(2));
        }
        return insert(region, domain, ownerTag, tokens, keyLength, null);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Like SES, takes a 1024- or 2048-bit RSA key and refuses anything else; the sandbox keeps only
     * the public key (derived from the private one) to check DNS against, never the private key.
     */
    @Override
    public IdentityState createIdentityWithKey(
            String region, String domain, String ownerTag, String selector, String privateKey) {
        requireNonNull(ownerTag, "ownerTag");
        requireNonNull(selector, "selector");
        RSAPublicKey publicKey = publicKeyOf(privateKey);
        int bits = publicKey.getModulus().bitLength();
        if (bits != 1024 && bits != 2048) {
            throw new SesRejectedException(
                    "BadRequestException", "The private key must use 1024 or 2048-bit RSA encryption.", null);
        }
        return insert(
                region,
                domain,
                ownerTag,
                List.of(selector),
                bits == 1024 ? DkimKeyLength.RSA_1024_BIT : DkimKeyLength.RSA_2048_BIT,
                Base64.getEncoder().encodeToString(publicKey.getEncoded()));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Takes the new key at once and checks DNS for it right away, as SES does when it gets a new
     * signing key: DKIM stays SUCCESS when the new public key is already served, else PENDING.
     */
    @Override
    public void putDkimSigningKey(String region, String domain, String selector, String privateKey) {
        requireNonNull(selector, "selector");
        if (find(region, domain).isEmpty()) {
            throw new SesRejectedException("NotFoundException", "Email identity " + domain + " does not exist.", null);
        }
        String publicKey =
                Base64.getEncoder().encodeToString(publicKeyOf(privateKey).getEncoded());
        IdentityStatus dkim =
                publishesKey(domain, selector, publicKey) ? IdentityStatus.SUCCESS : IdentityStatus.PENDING;
        jdbi.useHandle(
                h -> h.createUpdate("UPDATE sandbox_identities SET dkim_tokens = :selector, external_public_key ="
                                + " :publicKey, dkim_status = :dkim, key_generated_at = :now WHERE region = :region AND domain ="
                                + " :domain")
                        .bind("selector", selector)
                        .bind("publicKey", publicKey)
                        .bind("dkim", dkim.name())
                        .bind("now", clock.millis())
                        .bind("region", region)
                        .bind("domain", domain)
                        .execute());
    }

    /** Derives the public key of a base64 PKCS#8 RSA private key, as SES does; SES's refusal when it is none. */
    private static RSAPublicKey publicKeyOf(String privateKey) {
        try {
            KeyFactory rsa = KeyFactory.getInstance("RSA");
            RSAPrivateCrtKey key = (RSAPrivateCrtKey) rsa.generatePrivate(
                    new PKCS8EncodedKeySpec(Base64.getDecoder().decode(privateKey)));
            return (RSAPublicKey) rsa.generatePublic(new RSAPublicKeySpec(key.getModulus(), key.getPublicExponent()));
        } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
            throw new SesRejectedException(
                    "BadRequestException", "The private key is not a base64-encoded RSA private key.", null);
        }
    }

    private IdentityState insert(
            String region,
            String domain,
            String ownerTag,
            List<String> tokens,
            DkimKeyLength keyLength,
            String externalPublicKey) {
        try {
            jdbi.useHandle(h -> h.createUpdate("INSERT INTO sandbox_identities (region, domain, dkim_tokens, "
                            + "verification_status, dkim_status, mail_from_domain, mail_from_status, receiving, created_at, "
                            + "owner_tag, current_key_length, next_key_length, key_generated_at, external_public_key)"
                            + " VALUES (:region, :domain, :tokens, 'PENDING', 'PENDING', NULL, 'NOT_STARTED', FALSE,"
                            + " :now, :owner, :length, :length, :now, :publicKey)")
                    .bind("length", keyLength.name())
                    .bind("region", region)
                    .bind("domain", domain)
                    .bind("tokens", String.join(",", tokens))
                    .bind("now", clock.millis())
                    .bind("owner", ownerTag)
                    .bind("publicKey", externalPublicKey)
                    .execute());
        } catch (RuntimeException e) {
            if (find(region, domain).isPresent()) {
                throw new SesIdentityExistsException("Email identity " + domain + " already exist.", e);
            }
            throw e;
        }
        return state(find(region, domain).orElseThrow());
    }

    @Override
    public IdentityState getIdentity(String region, String domain) {
        Optional<Row> found = find(region, domain);
        if (found.isEmpty()) {
            return null;
        }
        Row row = found.get();
        Row checked = check(row);
        if (!checked.equals(row)) {
            jdbi.useHandle(h -> h.createUpdate("UPDATE sandbox_identities SET verification_status = :v, "
                            + "dkim_status = :d, mail_from_status = :m WHERE region = :region AND domain = :domain")
                    .bind("v", checked.verification().name())
                    .bind("d", checked.dkim().name())
                    .bind("m", checked.mailFrom().name())
                    .bind("region", region)
                    .bind("domain", domain)
                    .execute());
        }
        return state(checked);
    }

    /** {@inheritDoc} Rows made before key lengths were kept read as RSA_2048_BIT, generated when created. */
    @Override
    public DkimSigning getDkimSigning(String region, String domain) {
        return jdbi.withHandle(h -> h.createQuery("SELECT current_key_length, next_key_length, "
                                + "COALESCE(key_generated_at, created_at) AS generated_at FROM sandbox_identities "
                                + "WHERE region = :region AND domain = :domain")
                        .bind("region", region)
                        .bind("domain", domain)
                        .map((rs, ctx) -> new DkimSigning(
                                length(rs.getString("current_key_length")),
                                length(rs.getString("next_key_length")),
                                Instant.ofEpochMilli(rs.getLong("generated_at"))))
                        .findOne())
                .orElse(null);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Like SES, refuses a change within 24 hours of the last key generation; unlike SES, which rotates
     * later, the sandbox generates the new key pair at once, so the current and next lengths are both the
     * new one and the generation time is now. The same length again changes nothing. The 24-hour rule is
     * checked by the UPDATE itself, so of two changes racing for the same identity only one is made.
     */
    @Override
    public void putDkimKeyLength(String region, String domain, DkimKeyLength keyLength) {
        requireNonNull(keyLength, "keyLength");
        DkimSigning signing = existingSigning(region, domain);
        if (signing.alreadyHas(keyLength)) {
            return;
        }
        Instant now = clock.instant();
        int changed = jdbi.withHandle(h -> h.createUpdate("UPDATE sandbox_identities SET current_key_length = :length, "
                        + "next_key_length = :length, key_generated_at = :now WHERE region = :region AND domain = :domain "
                        + "AND COALESCE(key_generated_at, created_at) <= :cutoff")
                .bind("length", keyLength.name())
                .bind("now", now.toEpochMilli())
                .bind("cutoff", now.minus(DkimSigning.CHANGE_INTERVAL).toEpochMilli())
                .bind("region", region)
                .bind("domain", domain)
                .execute());
        if (changed == 0) {
            // Re-read for the time of the key generation that made the change too soon (maybe a racing one).
            throw new DkimKeyChangeTooSoonException(
                    domain, existingSigning(region, domain).nextChangeAllowedAt(), null);
        }
    }

    /** Returns the identity's DKIM signing state, or SES's NotFoundException when it does not exist. */
    private DkimSigning existingSigning(String region, String domain) {
        DkimSigning signing = getDkimSigning(region, domain);
        if (signing == null) {
            throw new SesRejectedException("NotFoundException", "Email identity " + domain + " does not exist.", null);
        }
        return signing;
    }

    private static DkimKeyLength length(String stored) {
        return stored == null ? DkimKeyLength.DEFAULT : DkimKeyLength.valueOf(stored);
    }

    @Override
    public void deleteIdentity(String region, String domain) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM sandbox_identities WHERE region = :region AND domain = :domain")
                .bind("region", region)
                .bind("domain", domain)
                .execute());
    }

    @Override
    public void putMailFrom(String region, String domain, String mailFromDomain) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE sandbox_identities SET mail_from_domain = :m, "
                        + "mail_from_status = 'PENDING' WHERE region = :region AND domain = :domain")
                .bind("m", mailFromDomain)
                .bind("region", region)
                .bind("domain", domain)
                .execute());
    }

    @Override
    public void setReceiving(String region, String domain, boolean enabled) {
        jdbi.useHandle(h -> h.createUpdate(
                        "UPDATE sandbox_identities SET receiving = :r " + "WHERE region = :region AND domain = :domain")
                .bind("r", enabled)
                .bind("region", region)
                .bind("domain", domain)
                .execute());
    }

    /**
     * {@inheritDoc}
     *
     * <p>Accepts the message, returns an SES-shaped message id and records the message in the outbox
     * with the outcome SES would report: a mailbox simulator address gets its simulated outcome
     * (BOUNCE, COMPLAINT, OOTO, SUPPRESSED, DELIVERED), any other address DELIVERED. With an SMTP
     * relay configured the message is delivered there first; a relay that does not take it makes the
     * send fail as SES being unavailable would.
     */
    @Override
    public String sendEmail(String region, OutboundEmail email) {
        requireNonNull(email, "email");
        Instant now = clock.instant();
        String messageId = messageId(now);
        relay.ifPresent(r -> r.deliver(email, messageId, now));
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO sandbox_outbox (message_id, from_email, to_email, subject, "
                        + "message_class, configuration_set, outcome, created_at) VALUES (:id, :from, :to, :subject, "
                        + ":class, :configurationSet, :outcome, :now)")
                .bind("id", messageId)
                .bind("from", email.from())
                .bind("to", email.to())
                .bind("subject", truncate(email.subject(), 500))
                .bind("class", truncate(email.tags().getOrDefault(MessageClass.TAG_NAME, ""), 20))
                .bind("configurationSet", email.configurationSet().orElse(""))
                .bind("outcome", outcome(email.to()))
                .bind("now", now.toEpochMilli())
                .execute());
        return messageId;
    }

    /**
     * Returns the outcome SES's mailbox simulator produces for {@code to} (docs/AWS.md, "SES mailbox simulator";
     * {@code +label} addressing included), or DELIVERED for any other address.
     */
    static String outcome(String to) {
        int at = to.lastIndexOf('@');
        if (at < 0 || !to.substring(at + 1).equalsIgnoreCase(TestEmailType.SIMULATOR_DOMAIN)) {
            return "DELIVERED";
        }
        String local = to.substring(0, at).toLowerCase(Locale.ROOT);
        int plus = local.indexOf('+');
        return switch (plus < 0 ? local : local.substring(0, plus)) {
            case "bounce" -> "BOUNCE";
            case "complaint" -> "COMPLAINT";
            case "ooto" -> "OOTO";
            case "suppressionlist" -> "SUPPRESSED";
            default -> "DELIVERED";
        };
    }

    /**
     * Returns an id shaped like SES's: {@code 0100} and the send time in hex milliseconds (16 hex
     * digits), a random UUID, and {@code -000000}.
     */
    static String messageId(Instant sentAt) {
        return String.format(Locale.ROOT, "0100%012x-%s-000000", sentAt.toEpochMilli(), UUID.randomUUID());
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }

    /** Tells whether DNS serves {@code publicKey} as the DKIM key at {@code selector} of {@code domain}. */
    private boolean publishesKey(String domain, String selector, String publicKey) {
        DnsAnswer a = await(dns.query(selector + "._domainkey." + domain, RecordType.TXT));
        return a.outcome() == DnsAnswer.Outcome.FOUND
                && a.records().stream()
                        .anyMatch(v -> DkimKeyRecords.publicKey(v.value()).equals(Optional.of(publicKey)));
    }

    /** Tells whether DNS serves each Easy DKIM CNAME of the identity, pointing at its token in SES's zone. */
    private boolean publishesCnames(Row row) {
        List<CompletableFuture<DnsAnswer>> lookups = row.tokens().stream()
                .map(t -> dns.query(t + "._domainkey." + row.domain(), RecordType.CNAME))
                .toList();
        boolean allThere = true;
        for (int i = 0; i < lookups.size(); i++) {
            String expected = row.tokens().get(i) + "." + DkimSetup.DEFAULT_SIGNING_ZONE;
            DnsAnswer a = await(lookups.get(i));
            allThere &= a.outcome() == DnsAnswer.Outcome.FOUND
                    && a.records().stream()
                            .anyMatch(v -> v.value().toLowerCase(Locale.ROOT).equals(expected));
        }
        return allThere;
    }

    /** Re-checks DNS for a not yet verified identity, as SES's own polling would. */
    private Row check(Row row) {
        boolean expired = clock.millis() - row.createdAt() > VERIFICATION_WINDOW.toMillis();
        IdentityStatus dkim = row.dkim();
        IdentityStatus verification = row.verification();
        IdentityStatus mailFrom = row.mailFrom();
        if (dkim != IdentityStatus.SUCCESS) {
            if (row.externalPublicKey() != null
                    ? publishesKey(row.domain(), row.externalSelector(), row.externalPublicKey())
                    : publishesCnames(row)) {
                dkim = IdentityStatus.SUCCESS;
                verification = IdentityStatus.SUCCESS;
            } else if (expired) {
                dkim = IdentityStatus.FAILED;
                verification = IdentityStatus.FAILED;
            }
        }
        if (row.mailFromDomain() != null && mailFrom != IdentityStatus.SUCCESS && mailFrom != IdentityStatus.FAILED) {
            String expected = "feedback-smtp." + row.region() + ".amazonses.com";
            DnsAnswer a = await(dns.query(row.mailFromDomain(), RecordType.MX));
            if (a.outcome() == DnsAnswer.Outcome.FOUND
                    && a.records().stream().anyMatch(v -> v.value().equalsIgnoreCase(expected))) {
                mailFrom = IdentityStatus.SUCCESS;
            } else if (expired) {
                mailFrom = IdentityStatus.FAILED;
            }
        }
        return new Row(
                row.region(),
                row.domain(),
                row.tokens(),
                verification,
                dkim,
                row.mailFromDomain(),
                mailFrom,
                row.receiving(),
                row.createdAt(),
                row.ownerTag(),
                row.externalPublicKey());
    }

    private static DnsAnswer await(CompletableFuture<DnsAnswer> f) {
        try {
            return f.get(LOOKUP_BUDGET.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            throw new SesUnavailableException("sandbox could not check DNS: " + e, Duration.ofSeconds(5), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SesUnavailableException("interrupted while checking DNS", Duration.ofSeconds(5), e);
        }
    }

    private Optional<Row> find(String region, String domain) {
        return jdbi.withHandle(h -> h.createQuery("SELECT region, domain, dkim_tokens, verification_status, "
                        + "dkim_status, mail_from_domain, mail_from_status, receiving, created_at, owner_tag, "
                        + "external_public_key "
                        + "FROM sandbox_identities "
                        + "WHERE region = :region AND domain = :domain")
                .bind("region", region)
                .bind("domain", domain)
                .map((rs, ctx) -> map(rs))
                .findOne());
    }

    private static Row map(ResultSet rs) throws SQLException {
        return new Row(
                rs.getString("region"),
                rs.getString("domain"),
                List.of(rs.getString("dkim_tokens").split(",")),
                IdentityStatus.valueOf(rs.getString("verification_status")),
                IdentityStatus.valueOf(rs.getString("dkim_status")),
                rs.getString("mail_from_domain"),
                IdentityStatus.valueOf(rs.getString("mail_from_status")),
                rs.getBoolean("receiving"),
                rs.getLong("created_at"),
                rs.getString("owner_tag"),
                rs.getString("external_public_key"));
    }

    private static IdentityState state(Row r) {
        return new IdentityState(
                r.verification(),
                r.dkim(),
                r.mailFrom(),
                new DkimSetup(r.tokens(), DkimSetup.DEFAULT_SIGNING_ZONE),
                r.mailFromDomain(),
                r.ownerTag());
    }
}
