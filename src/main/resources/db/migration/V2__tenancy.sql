-- Tenancy. Portable SQL: runs unchanged on SQLite and PostgreSQL. Times are epoch milliseconds (BIGINT).

-- The Route 53 hosted zones (of the operator's AWS account) an account may publish records to.
-- zone_id '*' grants every zone. Without a row for the zone found, publishing is refused.
CREATE TABLE zone_grants (
    account_id  VARCHAR(40)  NOT NULL REFERENCES accounts (id),
    zone_id     VARCHAR(40)  NOT NULL,
    created_at  BIGINT       NOT NULL,
    PRIMARY KEY (account_id, zone_id)
);

-- The sandbox's copy of the SES tag domainkeeper:domain-id: the id of the domain row the identity was
-- created for. NULL for an identity made outside Domainkeeper (or before identities were tagged).
ALTER TABLE sandbox_identities ADD COLUMN owner_tag VARCHAR(60);

-- How many domains (in any provisioning state) the account may hold; AddDomain beyond it is refused.
ALTER TABLE accounts ADD COLUMN domain_quota INTEGER NOT NULL DEFAULT 1000;
