-- Webhooks. Portable SQL: runs unchanged on SQLite and PostgreSQL. Times are epoch milliseconds (BIGINT).

-- Orders the outbox: every event gets the next value inside the transaction that records it, so an
-- endpoint receives the events of one domain in the order they happened.
INSERT INTO counters (name, value) VALUES ('event_seq', 0);
-- Positions for paging the endpoints and the delivery log.
INSERT INTO counters (name, value) VALUES ('webhook_seq', 0);
INSERT INTO counters (name, value) VALUES ('webhook_attempt_seq', 0);

-- Where in the outbox an event stands, and which domain's order it keeps ('' for none).
ALTER TABLE domain_events ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;

-- The webhook endpoints of each account.
CREATE TABLE webhook_endpoints (
    id                   VARCHAR(40)   PRIMARY KEY,
    seq                  BIGINT        NOT NULL UNIQUE,
    account_id           VARCHAR(40)   NOT NULL REFERENCES accounts (id),
    url                  VARCHAR(2000) NOT NULL,
    description          VARCHAR(500)  NOT NULL,
    -- The event types it receives as ",a,b," ('' for every type).
    event_types          VARCHAR(1000) NOT NULL,
    enabled              BOOLEAN       NOT NULL,
    disabled_reason      VARCHAR(2000) NOT NULL,
    disabled_at          BIGINT,
    -- The signing secret, sealed by SecretBox (context webhook:<account>:<id>); never in clear text.
    secret_sealed        VARCHAR(400)  NOT NULL,
    -- After a rotation, the previous secret still signs beside the new one until previous_until.
    previous_sealed      VARCHAR(400)  NOT NULL,
    previous_until       BIGINT,
    -- Since when every delivery failed (NULL after a success); a long run disables the endpoint.
    failing_since        BIGINT,
    created_at           BIGINT        NOT NULL,
    updated_at           BIGINT        NOT NULL
);
CREATE INDEX webhook_endpoints_account ON webhook_endpoints (account_id, seq);

-- One row per event and endpoint: the delivery job's queue.
CREATE TABLE webhook_deliveries (
    id               VARCHAR(90)   PRIMARY KEY,
    account_id       VARCHAR(40)   NOT NULL,
    endpoint_id      VARCHAR(40)   NOT NULL,
    event_id         VARCHAR(40)   NOT NULL,
    -- Deliveries of one order key (the domain) to one endpoint go out one at a time, by seq.
    order_key        VARCHAR(60)   NOT NULL,
    seq              BIGINT        NOT NULL,
    -- PENDING (waiting, retrying or being sent), DELIVERED or FAILED (given up).
    status           VARCHAR(20)   NOT NULL,
    attempts         INTEGER       NOT NULL,
    next_attempt_at  BIGINT        NOT NULL,
    lease_owner      VARCHAR(60),
    lease_until      BIGINT,
    created_at       BIGINT        NOT NULL,
    updated_at       BIGINT        NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_order ON webhook_deliveries (endpoint_id, order_key, status, seq);

-- The delivery log: every attempt with its outcome.
CREATE TABLE webhook_attempts (
    id            VARCHAR(40)   PRIMARY KEY,
    seq           BIGINT        NOT NULL UNIQUE,
    account_id    VARCHAR(40)   NOT NULL,
    endpoint_id   VARCHAR(40)   NOT NULL,
    delivery_id   VARCHAR(90)   NOT NULL,
    event_id      VARCHAR(40)   NOT NULL,
    event_type    VARCHAR(60)   NOT NULL,
    attempt       INTEGER       NOT NULL,
    attempted_at  BIGINT        NOT NULL,
    http_status   INTEGER       NOT NULL,
    latency_ms    BIGINT        NOT NULL,
    error         VARCHAR(2000) NOT NULL
);
CREATE INDEX webhook_attempts_endpoint ON webhook_attempts (endpoint_id, seq);
