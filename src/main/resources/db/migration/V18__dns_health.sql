-- The drift watch: what the last background DNS check of a verified domain found, and when the next is due.
-- One row per domain (id = the domain's id), created when the watch first sees the domain verified.
CREATE TABLE dns_health (
    id            VARCHAR(40)  PRIMARY KEY,
    account_id    VARCHAR(40)  NOT NULL,
    next_check_at BIGINT       NOT NULL,
    checked_at    BIGINT,
    -- JSON: per planned record, whether it was ever seen valid and, when it drifted, what is there now.
    state         TEXT         NOT NULL,
    lease_owner   VARCHAR(60),
    lease_until   BIGINT
);
CREATE INDEX dns_health_due ON dns_health (next_check_at);
CREATE INDEX dns_health_account ON dns_health (account_id);
