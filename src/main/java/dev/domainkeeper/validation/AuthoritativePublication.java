package dev.domainkeeper.validation;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.domain.DnsRecord;
import dev.domainkeeper.domain.Domain;
import dev.domainkeeper.domains.KeyPublication;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a record on every authoritative name server of its zone (the validator's propagation check):
 * served when all of them serve it. When no name server of the zone can be found (no NS records up to
 * the registrable domain), the recursive resolvers' answer decides instead.
 */
public final class AuthoritativePublication implements KeyPublication {
    private static final Logger log = LoggerFactory.getLogger(AuthoritativePublication.class);
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final DnsValidator validator;

    public AuthoritativePublication(DnsValidator validator) {
        this.validator = requireNonNull(validator, "validator");
    }

    @Override
    public boolean served(Domain domain, DnsRecord record) {
        DnsValidation.RecordCheck check;
        try {
            check = validator
                    .validate(List.of(record), domain.settings(), domain.name())
                    .get(WAIT.toMillis(), TimeUnit.MILLISECONDS)
                    .records()
                    .get(0);
        } catch (ExecutionException | TimeoutException e) {
            log.info("Could not check {} on the name servers: {}", record.name(), e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return check.propagation()
                .filter(p -> p.nameServersTotal() > 0)
                .map(p -> p.nameServersServing() == p.nameServersTotal())
                .orElse(check.status() == DnsValidation.Status.VALID);
    }
}
