package dev.domainkeeper.ses.sandbox;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.dns.DnsAnswer;
import dev.domainkeeper.dns.DnsLookup;
import dev.domainkeeper.domain.DkimSetup;
import dev.domainkeeper.domain.IdentityStatus;
import dev.domainkeeper.domain.Ids;
import dev.domainkeeper.domain.RecordType;
import dev.domainkeeper.ses.IdentityState;
import dev.domainkeeper.ses.SesGateway;
import dev.domainkeeper.ses.SesIdentityExistsException;
import dev.domainkeeper.ses.SesUnavailableException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
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
    /** The zone the sandbox's DKIM CNAMEs point into, as in most SES regions. */
    public static final String SIGNING_ZONE = "dkim.amazonses.com";
    static final Duration VERIFICATION_WINDOW = Duration.ofHours(72);
    private static final Duration LOOKUP_BUDGET = Duration.ofSeconds(15);

    private final Jdbi jdbi;
    private final DnsLookup dns;
    private final Clock clock;

    public SandboxSesGateway(Jdbi jdbi, DnsLookup dns, Clock clock) {
        this.jdbi = requireNonNull(jdbi, "jdbi");
        this.dns = requireNonNull(dns, "dns");
        this.clock = requireNonNull(clock, "clock");
    }

    private record Row(String region, String domain, List<String> tokens, IdentityStatus verification,
                       IdentityStatus dkim, String mailFromDomain, IdentityStatus mailFrom, boolean receiving,
                       long createdAt) {}

    @Override
    public IdentityState createIdentity(String region, String domain) {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            tokens.add(Ids.random("t", 32).substring(2));
        }
        try {
            jdbi.useHandle(h -> h.createUpdate("INSERT INTO sandbox_identities (region, domain, dkim_tokens, "
                            + "verification_status, dkim_status, mail_from_domain, mail_from_status, receiving, created_at) "
                            + "VALUES (:region, :domain, :tokens, 'PENDING', 'PENDING', NULL, 'NOT_STARTED', FALSE, :now)")
                    .bind("region", region).bind("domain", domain).bind("tokens", String.join(",", tokens))
                    .bind("now", clock.millis()).execute());
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
                    .bind("v", checked.verification().name()).bind("d", checked.dkim().name())
                    .bind("m", checked.mailFrom().name()).bind("region", region).bind("domain", domain).execute());
        }
        return state(checked);
    }

    @Override
    public void deleteIdentity(String region, String domain) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM sandbox_identities WHERE region = :region AND domain = :domain")
                .bind("region", region).bind("domain", domain).execute());
    }

    @Override
    public void putMailFrom(String region, String domain, String mailFromDomain) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE sandbox_identities SET mail_from_domain = :m, "
                        + "mail_from_status = 'PENDING' WHERE region = :region AND domain = :domain")
                .bind("m", mailFromDomain).bind("region", region).bind("domain", domain).execute());
    }

    @Override
    public void setReceiving(String region, String domain, boolean enabled) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE sandbox_identities SET receiving = :r "
                        + "WHERE region = :region AND domain = :domain")
                .bind("r", enabled).bind("region", region).bind("domain", domain).execute());
    }

    /** Re-checks DNS for a not yet verified identity, as SES's own polling would. */
    private Row check(Row row) {
        boolean expired = clock.millis() - row.createdAt() > VERIFICATION_WINDOW.toMillis();
        IdentityStatus dkim = row.dkim();
        IdentityStatus verification = row.verification();
        IdentityStatus mailFrom = row.mailFrom();
        if (dkim != IdentityStatus.SUCCESS) {
            List<CompletableFuture<DnsAnswer>> lookups = row.tokens().stream()
                    .map(t -> dns.query(t + "._domainkey." + row.domain(), RecordType.CNAME)).toList();
            boolean allThere = true;
            for (int i = 0; i < lookups.size(); i++) {
                String expected = row.tokens().get(i) + "." + SIGNING_ZONE;
                DnsAnswer a = await(lookups.get(i));
                allThere &= a.outcome() == DnsAnswer.Outcome.FOUND && a.records().stream()
                        .anyMatch(v -> v.value().toLowerCase(Locale.ROOT).equals(expected));
            }
            if (allThere) {
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
        return new Row(row.region(), row.domain(), row.tokens(), verification, dkim, row.mailFromDomain(), mailFrom,
                row.receiving(), row.createdAt());
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
                        + "dkim_status, mail_from_domain, mail_from_status, receiving, created_at FROM sandbox_identities "
                        + "WHERE region = :region AND domain = :domain")
                .bind("region", region).bind("domain", domain).map((rs, ctx) -> map(rs)).findOne());
    }

    private static Row map(ResultSet rs) throws SQLException {
        return new Row(rs.getString("region"), rs.getString("domain"), List.of(rs.getString("dkim_tokens").split(",")),
                IdentityStatus.valueOf(rs.getString("verification_status")),
                IdentityStatus.valueOf(rs.getString("dkim_status")), rs.getString("mail_from_domain"),
                IdentityStatus.valueOf(rs.getString("mail_from_status")), rs.getBoolean("receiving"),
                rs.getLong("created_at"));
    }

    private static IdentityState state(Row r) {
        return new IdentityState(r.verification(), r.dkim(), r.mailFrom(), new DkimSetup(r.tokens(), SIGNING_ZONE),
                r.mailFromDomain());
    }
}
