package dev.domainkeeper.ses;

import static java.util.Objects.requireNonNull;

/**
 * Hands out the {@link SesGateway} to use on behalf of one account: every SES call is made for an
 * account, and counts against that account's share of the SES request budget (see docs/SECURITY.md,
 * "Budgets"). Ask for a gateway per request (or per job item) before changing anything: asking is what
 * admits the request.
 */
public interface SesAccess {

    /**
     * Admits a request of the account (an API call) and returns the gateway for its SES calls.
     *
     * @throws dev.domainkeeper.errors.RetryLaterException (RATE_LIMITED) when the account is over its share
     */
    SesGateway forRequest(String accountId);

    /**
     * Admits a background job's work for the account, waiting a little when the share is used up, and
     * returns the gateway for its SES calls.
     *
     * @throws dev.domainkeeper.errors.RetryLaterException (RATE_LIMITED) when the job should put the work off
     */
    SesGateway forJob(String accountId);

    /** Returns access without a budget: every account gets {@code gateway} as it is (for tools and tests). */
    static SesAccess unmetered(SesGateway gateway) {
        requireNonNull(gateway, "gateway");
        return new SesAccess() {
            @Override
            public SesGateway forRequest(String accountId) {
                return gateway;
            }

            @Override
            public SesGateway forJob(String accountId) {
                return gateway;
            }
        };
    }
}
