-- Portable SQL: runs unchanged on SQLite and PostgreSQL. Times are epoch milliseconds (BIGINT).

CREATE TABLE accounts (
    id          VARCHAR(40)  PRIMARY KEY,
    name        VARCHAR(200) NOT NULL UNIQUE,
    created_at  BIGINT       NOT NULL
);

CREATE TABLE api_keys (
    id          VARCHAR(40)  PRIMARY KEY,
    account_id  VARCHAR(40)  NOT NULL REFERENCES accounts (id),
    prefix      VARCHAR(40)  NOT NULL UNIQUE,
    key_hash    VARCHAR(64)  NOT NULL UNIQUE,
    created_at  BIGINT       NOT NULL,
    revoked_at  BIGINT
);

-- Secrets shared by every node (for example the page token signing key).
CREATE TABLE server_secrets (
    name        VARCHAR(100) PRIMARY KEY,
    value       VARCHAR(200) NOT NULL
);

-- Monotonic counters shared by every node (incremented inside the inserting transaction).
CREATE TABLE counters (
    name   VARCHAR(60) PRIMARY KEY,
    value  BIGINT      NOT NULL
);
INSERT INTO counters (name, value) VALUES ('domain_seq', 0);

CREATE TABLE domains (
    id                   VARCHAR(40)  PRIMARY KEY,
    -- Creation order: a gapless-enough, strictly increasing position used for keyset paging.
    seq                  BIGINT       NOT NULL UNIQUE,
    account_id           VARCHAR(40)  NOT NULL REFERENCES accounts (id),
    name                 VARCHAR(253) NOT NULL UNIQUE,
    region               VARCHAR(40)  NOT NULL,
    send_enabled         BOOLEAN      NOT NULL,
    receive_enabled      BOOLEAN      NOT NULL,
    dmarc_enabled        BOOLEAN      NOT NULL,
    dmarc_policy         VARCHAR(20)  NOT NULL,
    dmarc_report_email   VARCHAR(320) NOT NULL,
    spf_mode             VARCHAR(20)  NOT NULL,
    spf_value            VARCHAR(512) NOT NULL,
    mail_from_domain     VARCHAR(253) NOT NULL,
    -- CREATING until the SES identity exists and its result is stored, then READY.
    provisioning         VARCHAR(20)  NOT NULL,
    verification_status  VARCHAR(20)  NOT NULL,
    dkim_status          VARCHAR(20)  NOT NULL,
    mail_from_status     VARCHAR(20)  NOT NULL,
    dkim_tokens          VARCHAR(400) NOT NULL,
    dkim_signing_zone    VARCHAR(100) NOT NULL,
    -- Settings SES has not yet confirmed (MAIL FROM, receiving) are retried by the verifier.
    ses_sync_needed      BOOLEAN      NOT NULL,
    ses_checked_at       BIGINT,
    next_check_at        BIGINT       NOT NULL,
    check_attempts       INTEGER      NOT NULL,
    lease_owner          VARCHAR(60),
    lease_until          BIGINT,
    apply_status         VARCHAR(30)  NOT NULL,
    apply_provider       VARCHAR(20)  NOT NULL,
    apply_change_id      VARCHAR(100) NOT NULL,
    apply_applied_at     BIGINT,
    apply_error          VARCHAR(2000) NOT NULL,
    apply_failed         TEXT         NOT NULL,
    created_at           BIGINT       NOT NULL,
    updated_at           BIGINT       NOT NULL,
    version              BIGINT       NOT NULL
);
CREATE INDEX domains_account_order ON domains (account_id, seq);
CREATE INDEX domains_next_check ON domains (next_check_at);

-- Outbox of domain status changes, for later publishing.
CREATE TABLE domain_events (
    id           VARCHAR(40)  PRIMARY KEY,
    domain_id    VARCHAR(40)  NOT NULL,
    account_id   VARCHAR(40)  NOT NULL,
    type         VARCHAR(60)  NOT NULL,
    payload      TEXT         NOT NULL,
    created_at   BIGINT       NOT NULL,
    published_at BIGINT
);
CREATE INDEX domain_events_unpublished ON domain_events (published_at, created_at);

CREATE TABLE submissions (
    id               VARCHAR(40)  PRIMARY KEY,
    account_id       VARCHAR(40)  NOT NULL REFERENCES accounts (id),
    domain_id        VARCHAR(40)  NOT NULL,
    from_email       VARCHAR(320) NOT NULL,
    to_email         VARCHAR(320) NOT NULL,
    message_class    VARCHAR(20)  NOT NULL,
    status           VARCHAR(20)  NOT NULL,
    attempts         INTEGER      NOT NULL,
    next_attempt_at  BIGINT       NOT NULL,
    message_id       VARCHAR(200) NOT NULL,
    error            VARCHAR(2000) NOT NULL,
    lease_owner      VARCHAR(60),
    lease_until      BIGINT,
    created_at       BIGINT       NOT NULL,
    updated_at       BIGINT       NOT NULL
);
CREATE INDEX submissions_due ON submissions (status, next_attempt_at);

-- The sandbox SES backend keeps its identities here so a restart keeps them.
CREATE TABLE sandbox_identities (
    region               VARCHAR(40)  NOT NULL,
    domain               VARCHAR(253) NOT NULL,
    dkim_tokens          VARCHAR(400) NOT NULL,
    verification_status  VARCHAR(20)  NOT NULL,
    dkim_status          VARCHAR(20)  NOT NULL,
    mail_from_domain     VARCHAR(253),
    mail_from_status     VARCHAR(20)  NOT NULL,
    receiving            BOOLEAN      NOT NULL,
    created_at           BIGINT       NOT NULL,
    PRIMARY KEY (region, domain)
);

CREATE TABLE sandbox_outbox (
    message_id         VARCHAR(200) PRIMARY KEY,
    from_email         VARCHAR(320) NOT NULL,
    to_email           VARCHAR(320) NOT NULL,
    subject            VARCHAR(500) NOT NULL,
    message_class      VARCHAR(20)  NOT NULL,
    configuration_set  VARCHAR(100) NOT NULL,
    outcome            VARCHAR(40)  NOT NULL,
    created_at         BIGINT       NOT NULL
);
