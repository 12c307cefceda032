package dev.domainkeeper.testing;

import dev.domainkeeper.domain.DkimKeyLength;
import dev.domainkeeper.ses.ForwardingSesGateway;
import dev.domainkeeper.ses.IdentityState;
import dev.domainkeeper.ses.SesGateway;
import dev.domainkeeper.ses.SesUnavailableException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps a real SES gateway (normally the sandbox) and injects failures the way a flaky SES or a
 * crash would: SES down entirely, or a failure right after SES created an identity.
 */
public final class FlakySes extends ForwardingSesGateway {
    public final AtomicBoolean down = new AtomicBoolean();
    public final AtomicInteger failAfterCreate = new AtomicInteger();
    public final AtomicInteger creates = new AtomicInteger();

    public FlakySes(SesGateway delegate) {
        super(delegate);
    }

    @Override
    protected void beforeCall(String operation) {
        if (down.get()) {
            throw new SesUnavailableException("injected: SES is down (HTTP 503)", Duration.ofSeconds(2), null);
        }
    }

    @Override
    public IdentityState createIdentity(String region, String domain, String ownerTag, DkimKeyLength keyLength) {
        IdentityState s = super.createIdentity(region, domain, ownerTag, keyLength);
        creates.incrementAndGet();
        if (failAfterCreate.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new SesUnavailableException(
                    "injected: connection lost after SES created the identity", Duration.ofSeconds(2), null);
        }
        return s;
    }
}
