package dev.domainkeeper.domain;

/** The DMARC `p=` policy, ordered from weakest to strictest. */
public enum DmarcPolicy {
    NONE,
    QUARANTINE,
    REJECT;

    /** Returns true when this policy is weaker than {@code other}. */
    public boolean isWeakerThan(DmarcPolicy other) {
        return compareTo(other) < 0;
    }
}
