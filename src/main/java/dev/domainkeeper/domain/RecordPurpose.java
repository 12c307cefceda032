package dev.domainkeeper.domain;

/** Says why a planned DNS record is needed. */
public enum RecordPurpose {
    DKIM,
    MAIL_FROM_MX,
    MAIL_FROM_SPF,
    SPF,
    DMARC,
    INBOUND_MX
}
