package dev.domainkeeper.ses;

/**
 * Holds SES calls to a steady rate (requests per second), so background polling never exceeds the
 * account's SES API quota (1 request/second for most SES actions). Calls are spaced evenly and never
 * saved up: after an idle spell there is no burst (unlike Guava's RateLimiter, which stores up to a
 * second of permits), so no window of t seconds sees more than {@code 1 + rate × t} calls.
 */
public final class RateLimitedSesGateway extends ForwardingSesGateway {
    private final Pacer limiter;

    public RateLimitedSesGateway(SesGateway delegate, double requestsPerSecond) {
        super(delegate);
        this.limiter = new Pacer(requestsPerSecond);
    }

    @Override
    protected void beforeCall(String operation) {
        limiter.acquire();
    }

    /** Hands out evenly spaced time slots; a caller sleeps until its slot. */
    private static final class Pacer {
        private final long intervalNanos;
        private long nextFree = System.nanoTime();

        Pacer(double perSecond) {
            if (!(perSecond > 0)) {
                throw new IllegalArgumentException("requestsPerSecond: " + perSecond + " (expected: > 0)");
            }
            this.intervalNanos = (long) (1e9 / perSecond);
        }

        void acquire() {
            long slot;
            synchronized (this) {
                long now = System.nanoTime();
                slot = Math.max(nextFree, now);
                nextFree = slot + intervalNanos;
            }
            long wait = slot - System.nanoTime();
            if (wait > 0) {
                try {
                    java.util.concurrent.TimeUnit.NANOSECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the SES rate limit", e);
                }
            }
        }
    }
}
