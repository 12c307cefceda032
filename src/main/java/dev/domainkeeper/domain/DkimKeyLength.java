package dev.domainkeeper.domain;

/** The length of the RSA key pair SES signs a domain's mail with (Easy DKIM). */
public enum DkimKeyLength {
    RSA_1024_BIT,
    RSA_2048_BIT;

    /** The length an identity gets when none is asked for. */
    public static final DkimKeyLength DEFAULT = RSA_2048_BIT;
}
