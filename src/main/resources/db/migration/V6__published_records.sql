-- The records Domainkeeper published for a domain through a DNS provider (ApplyDomainRecords), as it
-- wrote them, so that RemoveDomain with remove_published_records takes back exactly those. One row per
-- record set a domain's record went into; rows go with their domain.
CREATE TABLE published_records (
    domain_id     VARCHAR(40)   NOT NULL,
    account_id    VARCHAR(40)   NOT NULL REFERENCES accounts (id),
    zone_id       VARCHAR(100)  NOT NULL,
    name          VARCHAR(253)  NOT NULL,
    type          VARCHAR(10)   NOT NULL,
    purpose       VARCHAR(20)   NOT NULL,
    -- The value as written: a CNAME target or MX host, the whole SPF or DMARC text.
    value         VARCHAR(2000) NOT NULL,
    priority      INTEGER       NOT NULL,
    ttl           INTEGER       NOT NULL,
    -- TRUE when nothing of its kind was at the name before Domainkeeper wrote it.
    created       BOOLEAN       NOT NULL,
    -- The order the domain's records were planned in, which notes follow.
    position      INTEGER       NOT NULL,
    published_at  BIGINT        NOT NULL,
    PRIMARY KEY (domain_id, name, type)
);
