package dev.domainkeeper.ses;

import dev.domainkeeper.domain.DkimKeyLength;

/**
 * Talks to Amazon SES (or the sandbox that behaves like it) about domain identities.
 * Implementations are thread-safe and blocking; callers run them off the event loop.
 *
 * <p>Errors: {@link SesIdentityExistsException} when the identity already exists,
 * {@link SesUnavailableException} for throttling, 5xx, timeouts and unreadable answers that
 * persisted through the retries, {@link SesRejectedException} when SES refuses a request for good.
 */
public interface SesGateway {

    /**
     * The tag every identity Domainkeeper creates carries, whose value is the id of the domain row it
     * was created for ({@code dom_...}): what tells an identity of ours from one made outside
     * Domainkeeper in the same SES account.
     */
    String OWNER_TAG = "domainkeeper:domain-id";

    /**
     * Creates a domain identity with Easy DKIM (RSA 2048), tagged {@link #OWNER_TAG} = {@code ownerTag},
     * and returns its state.
     */
    default IdentityState createIdentity(String region, String domain, String ownerTag) {
        return createIdentity(region, domain, ownerTag, DkimKeyLength.DEFAULT);
    }

    /**
     * Creates a domain identity with Easy DKIM keys of {@code keyLength}, tagged {@link #OWNER_TAG} =
     * {@code ownerTag}, and returns its state.
     */
    IdentityState createIdentity(String region, String domain, String ownerTag, DkimKeyLength keyLength);

    /**
     * Creates a domain identity that signs with Domainkeeper's own key (BYODKIM, SES's signing attributes
     * origin EXTERNAL) under {@code selector}, tagged {@link #OWNER_TAG} = {@code ownerTag}, and returns its
     * state. SES verifies the identity once {@code <selector>._domainkey.<domain>} serves the public key.
     *
     * @param privateKey the RSA private key (1024 or 2048 bits), base64 of its PKCS#8 DER encoding; it is
     *     a secret: implementations never log or store it in clear
     */
    IdentityState createIdentityWithKey(
            String region, String domain, String ownerTag, String selector, String privateKey);

    /** Returns the identity's DKIM key lengths and last key generation time, or {@code null} when SES does not know it. */
    DkimSigning getDkimSigning(String region, String domain);

    /**
     * Sets the length of the identity's next DKIM key pair. {@link DkimKeyChangeTooSoonException} when SES
     * refuses because the length changed less than a day ago.
     */
    void putDkimKeyLength(String region, String domain, DkimKeyLength keyLength);

    /**
     * Makes a BYODKIM identity sign with another key of Domainkeeper's ({@code selector}, {@code privateKey}
     * as for {@link #createIdentityWithKey}); called once DNS serves the new public key.
     */
    void putDkimSigningKey(String region, String domain, String selector, String privateKey);

    /**
     * Returns the identity's current state, with the value of its {@link #OWNER_TAG} tag (null when it
     * has none), or {@code null} when SES does not know it.
     */
    IdentityState getIdentity(String region, String domain);

    /** Deletes the identity; an identity SES does not know counts as deleted. */
    void deleteIdentity(String region, String domain);

    /** Sets the custom MAIL FROM domain with BehaviorOnMxFailure USE_DEFAULT_VALUE. */
    void putMailFrom(String region, String domain, String mailFromDomain);

    /**
     * Adds the domain to, or removes it from, the recipients of the configured receipt rule.
     * Idempotent. A no-op when no receipt rule is configured.
     */
    void setReceiving(String region, String domain, boolean enabled);

    /**
     * Sends one message (SES SendEmail, simple content) and returns the SES message id.
     * {@link SesRejectedException} means SES refused this message for good (MessageRejected,
     * MailFromDomainNotVerified, another 4xx); {@link SesUnavailableException} means trying again
     * later may work.
     */
    String sendEmail(String region, OutboundEmail email);
}
