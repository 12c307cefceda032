package dev.domainkeeper.domain;

/** Who makes the key pair a domain's mail is DKIM-signed with. */
public enum DkimMode {
    /** SES makes and rotates the keys; the domain publishes three CNAMEs pointing at SES. */
    EASY_DKIM,
    /**
     * Bring Your Own DKIM: Domainkeeper makes the key pair, keeps the private key sealed and hands it to
     * SES; the domain publishes the public key as a TXT record under a selector.
     */
    BYODKIM
}
