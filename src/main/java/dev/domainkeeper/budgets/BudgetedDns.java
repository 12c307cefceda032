package dev.domainkeeper.budgets;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.dnshosting.DnsProvider;
import dev.domainkeeper.dnshosting.DnsProviderAccess;
import dev.domainkeeper.dnshosting.HostedZone;
import dev.domainkeeper.dnshosting.RecordChange;
import dev.domainkeeper.dnshosting.RecordSet;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Puts every call to the DNS host (Route 53) within its shared request budget: a provider handed out for
 * an account is a decorator whose first call is the one admission took, and whose further calls are
 * charged to the account.
 */
public final class BudgetedDns implements DnsProviderAccess {
    private final DnsProvider delegate;
    private final FairBudget budget;

    public BudgetedDns(DnsProvider delegate, FairBudget budget) {
        this.delegate = requireNonNull(delegate, "delegate");
        this.budget = requireNonNull(budget, "budget");
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public DnsProvider forRequest(String accountId) {
        budget.admitRequest(accountId);
        return new Charged(delegate, new Admitted(budget, accountId));
    }

    @Override
    public DnsProvider forJob(String accountId) {
        budget.admitJob(accountId);
        return new Charged(delegate, new Admitted(budget, accountId));
    }

    /** Charges each call after the admitted one to the account. */
    private record Charged(DnsProvider delegate, Admitted admitted) implements DnsProvider {
        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public Optional<HostedZone> findZone(String domain) {
            // At most one lookup per candidate zone name (the name and its parents down to two labels),
            // and one to describe the zone found.
            admitted.beforeCall(Math.max(1, domain.split("\\.", -1).length - 1) + 1);
            return delegate.findZone(domain);
        }

        @Override
        public List<RecordSet> readRecords(String zoneId, Collection<String> names) {
            // At least one listing per name.
            admitted.beforeCall(Math.max(1, (int) names.stream().distinct().count()));
            return delegate.readRecords(zoneId, names);
        }

        @Override
        public String submit(String zoneId, List<RecordChange> changes) {
            admitted.beforeCall(1);
            return delegate.submit(zoneId, changes);
        }

        @Override
        public boolean isInSync(String changeId) {
            admitted.beforeCall(1);
            return delegate.isInSync(changeId);
        }
    }
}
