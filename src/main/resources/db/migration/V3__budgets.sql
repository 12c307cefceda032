-- Budgets shared by every node (see docs/SECURITY.md, "Budgets"). Portable SQL: runs unchanged on SQLite
-- and PostgreSQL. Times are epoch milliseconds (BIGINT).

-- Token buckets: budget 'ses' and 'route53' (scope '*' for the whole budget, an account id for that
-- account's share), 'test-sends' (per account, a minute's limit) and 'test-sends-day' (per account: tokens
-- counts the sends of the UTC day that starts at refilled_at). Tokens may go below zero: the follow-up
-- calls of a request already admitted are charged, and later requests wait until the debt is repaid.
CREATE TABLE budget_buckets (
    budget       VARCHAR(20)       NOT NULL,
    scope        VARCHAR(40)       NOT NULL,
    tokens       DOUBLE PRECISION  NOT NULL,
    refilled_at  BIGINT            NOT NULL,
    PRIMARY KEY (budget, scope)
);

-- How many NORMAL test emails the account may send a UTC day; NULL means the configured default.
ALTER TABLE accounts ADD COLUMN test_sends_per_day INTEGER;
