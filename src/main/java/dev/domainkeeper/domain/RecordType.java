package dev.domainkeeper.domain;

/** The DNS record types Domainkeeper plans and checks. */
public enum RecordType {
    CNAME,
    MX,
    TXT,
    NS
}
