package dev.domainkeeper.domain;

/** How the SPF record at the domain apex is managed. */
public enum SpfMode {
    CREATE_IF_MISSING,
    MERGE,
    FORCE_VALUE,
    SKIP
}
