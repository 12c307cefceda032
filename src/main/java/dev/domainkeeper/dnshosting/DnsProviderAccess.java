package dev.domainkeeper.dnshosting;

import static java.util.Objects.requireNonNull;

/**
 * Hands out the {@link DnsProvider} to use on behalf of one account: every call to the DNS host is
 * made for an account, and counts against that account's share of the provider's request budget (see
 * docs/SECURITY.md, "Budgets"). Ask for a provider per request (or per job item) before changing
 * anything: asking is what admits the request.
 */
public interface DnsProviderAccess {

    /** Returns the provider's name as people know it, for messages: e.g. "Route 53". */
    String name();

    /**
     * Admits a request of the account (an API call) and returns the provider for its calls.
     *
     * @throws dev.domainkeeper.errors.RetryLaterException (RATE_LIMITED) when the account is over its share
     */
    DnsProvider forRequest(String accountId);

    /**
     * Admits a background job's work for the account, waiting a little when the share is used up.
     *
     * @throws dev.domainkeeper.errors.RetryLaterException (RATE_LIMITED) when the job should put the work off
     */
    DnsProvider forJob(String accountId);

    /** Returns access without a budget: every account gets {@code provider} as it is (for tools and tests). */
    static DnsProviderAccess unmetered(DnsProvider provider) {
        requireNonNull(provider, "provider");
        return new DnsProviderAccess() {
            @Override
            public String name() {
                return provider.name();
            }

            @Override
            public DnsProvider forRequest(String accountId) {
                return provider;
            }

            @Override
            public DnsProvider forJob(String accountId) {
                return provider;
            }
        };
    }
}
