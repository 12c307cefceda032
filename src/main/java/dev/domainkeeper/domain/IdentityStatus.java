package dev.domainkeeper.domain;

/** An SES verification status, with SES's value names. */
public enum IdentityStatus {
    NOT_STARTED, PENDING, SUCCESS, FAILED, TEMPORARY_FAILURE;

    /** Returns true while SES may still change the status on its own. */
    public boolean isSettled() {
        return this == SUCCESS || this == FAILED;
    }
}
