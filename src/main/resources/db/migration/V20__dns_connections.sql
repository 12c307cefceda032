-- DNS connections: where an account's zones are hosted (Cloudflare, an RFC 2136 server, Route 53).
-- Portable SQL: runs unchanged on SQLite and PostgreSQL. Times are epoch milliseconds (BIGINT).
-- sealed_secret holds the API token or TSIG secret encrypted with DOMAINKEEPER_SECRETS_KEY
-- (secrets.SecretBox, bound to the account and the connection id); never the clear text.
CREATE TABLE dns_connections (
    id              VARCHAR(40)   NOT NULL PRIMARY KEY,
    account_id      VARCHAR(40)   NOT NULL REFERENCES accounts (id),
    kind            VARCHAR(20)   NOT NULL,
    display_name    VARCHAR(200)  NOT NULL,
    -- The zones served, lower case, separated by spaces.
    zones           VARCHAR(4000) NOT NULL,
    -- RFC 2136: host:port, TSIG key name and algorithm.
    server          VARCHAR(300),
    tsig_key_name   VARCHAR(300),
    tsig_algorithm  VARCHAR(40),
    -- Route 53: OPERATOR or ASSUME_ROLE, the role's ARN and the generated external id.
    route53_mode    VARCHAR(20),
    role_arn        VARCHAR(300),
    external_id     VARCHAR(80),
    sealed_secret   VARCHAR(4000),
    created_at      BIGINT        NOT NULL
);
CREATE INDEX dns_connections_by_account ON dns_connections (account_id, created_at);
