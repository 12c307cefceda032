package dev.domainkeeper.domain;

/** An SES verification status, with SES's value names. */
public enum IdentityStatus {
    NOT_STARTED,
    PENDING,
    SUCCESS,
    FAILED,
    TEMPORARY_FAILURE;

    /** Returns true once SES will no longer change the status on its own (SUCCESS or FAILED). */
    public boolean isSettled() {
        return this == SUCCESS || this == FAILED;
    }
}
