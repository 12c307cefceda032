package dev.domainkeeper.ses;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.domain.DkimKeyLength;

/**
 * Passes every call to another gateway after {@link #beforeCall(String)}: the base of decorators
 * that pace, count or fail SES calls without repeating each method.
 */
public abstract class ForwardingSesGateway implements SesGateway {
    private final SesGateway delegate;

    protected ForwardingSesGateway(SesGateway delegate) {
        this.delegate = requireNonNull(delegate, "delegate");
    }

    /** Runs before each call; {@code operation} is the SesGateway method name. May throw to fail it. */
    protected abstract void beforeCall(String operation);

    @Override
    public IdentityState createIdentity(String region, String domain, String ownerTag, DkimKeyLength keyLength) {
        beforeCall("createIdentity");
        return delegate.createIdentity(region, domain, ownerTag, keyLength);
    }

    @Override
    public IdentityState createIdentityWithKey(
            String region, String domain, String ownerTag, String selector, String privateKey) {
        beforeCall("createIdentity");
        return delegate.createIdentityWithKey(region, domain, ownerTag, selector, privateKey);
    }

    @Override
    public void putDkimSigningKey(String region, String domain, String selector, String privateKey) {
        beforeCall("putDkimSigningKey");
        delegate.putDkimSigningKey(region, domain, selector, privateKey);
    }

    @Override
    public DkimSigning getDkimSigning(String region, String domain) {
        beforeCall("getDkimSigning");
        return delegate.getDkimSigning(region, domain);
    }

    @Override
    public void putDkimKeyLength(String region, String domain, DkimKeyLength keyLength) {
        beforeCall("putDkimKeyLength");
        delegate.putDkimKeyLength(region, domain, keyLength);
    }

    @Override
    public IdentityState getIdentity(String region, String domain) {
        beforeCall("getIdentity");
        return delegate.getIdentity(region, domain);
    }

    @Override
    public void deleteIdentity(String region, String domain) {
        beforeCall("deleteIdentity");
        delegate.deleteIdentity(region, domain);
    }

    @Override
    public void putMailFrom(String region, String domain, String mailFromDomain) {
        beforeCall("putMailFrom");
        delegate.putMailFrom(region, domain, mailFromDomain);
    }

    @Override
    public void setReceiving(String region, String domain, boolean enabled) {
        beforeCall("setReceiving");
        delegate.setReceiving(region, domain, enabled);
    }

    @Override
    public String sendEmail(String region, OutboundEmail email) {
        beforeCall("sendEmail");
        return delegate.sendEmail(region, email);
    }
}
