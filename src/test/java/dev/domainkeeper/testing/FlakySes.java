package dev.domainkeeper.testing;

import dev.domainkeeper.ses.IdentityState;
import dev.domainkeeper.ses.OutboundEmail;
import dev.domainkeeper.ses.SesGateway;
import dev.domainkeeper.ses.SesUnavailableException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps a real SES gateway (normally the sandbox) and injects failures the way a flaky SES or a
 * crash would: SES down entirely, or a failure right after SES created an identity.
 */
public final class FlakySes implements SesGateway {
    private final SesGateway delegate;
    public final AtomicBoolean down = new AtomicBoolean();
    public final AtomicInteger failAfterCreate = new AtomicInteger();
    public final AtomicInteger creates = new AtomicInteger();

    public FlakySes(SesGateway delegate) {
        this.delegate = delegate;
    }

    private void checkUp() {
        if (down.get()) {
            throw new SesUnavailableException("injected: SES is down (HTTP 503)", Duration.ofSeconds(2), null);
        }
    }

    @Override
    public IdentityState createIdentity(String region, String domain) {
        checkUp();
        IdentityState s = delegate.createIdentity(region, domain);
        creates.incrementAndGet();
        if (failAfterCreate.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new SesUnavailableException("injected: connection lost after SES created the identity",
                    Duration.ofSeconds(2), null);
        }
        return s;
    }

    @Override
    public IdentityState getIdentity(String region, String domain) {
        checkUp();
        return delegate.getIdentity(region, domain);
    }

    @Override
    public void deleteIdentity(String region, String domain) {
        checkUp();
        delegate.deleteIdentity(region, domain);
    }

    @Override
    public void putMailFrom(String region, String domain, String mailFromDomain) {
        checkUp();
        delegate.putMailFrom(region, domain, mailFromDomain);
    }

    @Override
    public void setReceiving(String region, String domain, boolean enabled) {
        checkUp();
        delegate.setReceiving(region, domain, enabled);
    }

    @Override
    public String sendEmail(String region, OutboundEmail email) {
        checkUp();
        return delegate.sendEmail(region, email);
    }
}
