package dev.domainkeeper.app;

import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.RateLimiter;
import dev.domainkeeper.ses.IdentityState;
import dev.domainkeeper.ses.OutboundEmail;
import dev.domainkeeper.ses.SesGateway;

/**
 * Holds SES calls to a steady rate (requests per second), so background polling never exceeds the
 * account's SES API quota (1 request/second for most SES actions).
 */
public final class RateLimitedSesGateway implements SesGateway {
    private final SesGateway delegate;
    private final RateLimiter limiter;

    public RateLimitedSesGateway(SesGateway delegate, double requestsPerSecond) {
        this.delegate = requireNonNull(delegate, "delegate");
        this.limiter = RateLimiter.create(requestsPerSecond);
    }

    @Override
    public IdentityState createIdentity(String region, String domain) {
        limiter.acquire();
        return delegate.createIdentity(region, domain);
    }

    @Override
    public IdentityState getIdentity(String region, String domain) {
        limiter.acquire();
        return delegate.getIdentity(region, domain);
    }

    @Override
    public void deleteIdentity(String region, String domain) {
        limiter.acquire();
        delegate.deleteIdentity(region, domain);
    }

    @Override
    public void putMailFrom(String region, String domain, String mailFromDomain) {
        limiter.acquire();
        delegate.putMailFrom(region, domain, mailFromDomain);
    }

    @Override
    public void setReceiving(String region, String domain, boolean enabled) {
        limiter.acquire();
        delegate.setReceiving(region, domain, enabled);
    }

    @Override
    public String sendEmail(String region, OutboundEmail email) {
        limiter.acquire();
        return delegate.sendEmail(region, email);
    }
}
