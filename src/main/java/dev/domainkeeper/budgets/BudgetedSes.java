package dev.domainkeeper.budgets;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.ses.ForwardingSesGateway;
import dev.domainkeeper.ses.SesAccess;
import dev.domainkeeper.ses.SesGateway;

/**
 * Puts every SES call within the shared SES request budget: a gateway handed out for an account is a
 * decorator whose first call is the one admission took, and whose further calls are charged to the
 * account.
 */
public final class BudgetedSes implements SesAccess {
    private final SesGateway delegate;
    private final FairBudget budget;

    public BudgetedSes(SesGateway delegate, FairBudget budget) {
        this.delegate = requireNonNull(delegate, "delegate");
        this.budget = requireNonNull(budget, "budget");
    }

    @Override
    public SesGateway forRequest(String accountId) {
        budget.admitRequest(accountId);
        return new Charged(delegate, new Admitted(budget, accountId));
    }

    @Override
    public SesGateway forJob(String accountId) {
        budget.admitJob(accountId);
        return new Charged(delegate, new Admitted(budget, accountId));
    }

    /** Charges each call after the admitted one to the account. */
    private static final class Charged extends ForwardingSesGateway {
        private final Admitted admitted;

        Charged(SesGateway delegate, Admitted admitted) {
            super(delegate);
            this.admitted = admitted;
        }

        @Override
        protected void beforeCall(String operation) {
            admitted.beforeCall(1);
        }
    }
}
