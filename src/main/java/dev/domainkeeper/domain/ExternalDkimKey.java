package dev.domainkeeper.domain;

import static java.util.Objects.requireNonNull;

/**
 * Holds a BYODKIM key pair of a domain: the selector it is published under, the public key (base64 of
 * its X.509 SubjectPublicKeyInfo, as the {@code p=} tag carries it) and the private key sealed with the
 * operator's secrets key. The private key is never held in clear here, and {@link #toString} leaves
 * even the sealed form out.
 */
public record ExternalDkimKey(String selector, String publicKey, String sealedPrivateKey) {
    public ExternalDkimKey {
        requireNonNull(selector, "selector");
        requireNonNull(publicKey, "publicKey");
        requireNonNull(sealedPrivateKey, "sealedPrivateKey");
    }

    /** The name the public key is published at for {@code domain}: {@code <selector>._domainkey.<domain>}. */
    public String recordName(DomainName domain) {
        return selector + "._domainkey." + domain.value();
    }

    /** The TXT value that publishes the public key. */
    public String recordValue() {
        return "v=DKIM1; k=rsa; p=" + publicKey;
    }

    @Override
    public String toString() {
        return "ExternalDkimKey[selector=" + selector + "]";
    }
}
