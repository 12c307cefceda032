package dev.domainkeeper.budgets;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Counts the calls of one admitted request: the first is the one admission took from the budget, each
 * further call is charged to the account (even below zero: the request is not stopped half-way).
 */
final class Admitted {
    private final FairBudget budget;
    private final String accountId;
    private final AtomicBoolean admissionUsed = new AtomicBoolean();

    Admitted(FairBudget budget, String accountId) {
        this.budget = requireNonNull(budget, "budget");
        this.accountId = requireNonNull(accountId, "accountId");
    }

    /** Counts a call that makes {@code requests} requests to the outside system. */
    void beforeCall(int requests) {
        budget.charge(accountId, admissionUsed.getAndSet(true) ? requests : requests - 1);
    }
}
