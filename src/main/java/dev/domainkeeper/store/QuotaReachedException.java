package dev.domainkeeper.store;

/** Signals that an insert was refused because the account already holds as many domains as its quota allows. */
public final class QuotaReachedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String accountName;
    private final long held;
    private final int quota;

    public QuotaReachedException(String accountName, long held, int quota) {
        super("account " + accountName + " holds " + held + " domains, its quota " + quota);
        this.accountName = accountName;
        this.held = held;
        this.quota = quota;
    }

    /** The name of the account. */
    public String accountName() {
        return accountName;
    }

    /** How many domains the account holds. */
    public long held() {
        return held;
    }

    /** The account's domain quota. */
    public int quota() {
        return quota;
    }
}
