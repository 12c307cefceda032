package dev.domainkeeper.dnshosting.route53;

import static java.util.Objects.requireNonNull;

import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Wraps a credentials provider so that its failure is recognizable after the SDK has passed it on.
 *
 * <p>The SDK reports credentials it cannot resolve as a plain {@link SdkClientException}, which looks
 * like any other local failure; the application must tell this case apart to report "no access"
 * rather than "try later". The marker in the cause chain makes that independent of message texts.
 */
final class CredentialsGuard implements AwsCredentialsProvider {

    private final AwsCredentialsProvider delegate;

    CredentialsGuard(AwsCredentialsProvider delegate) {
        this.delegate = requireNonNull(delegate, "delegate");
    }

    @Override
    public AwsCredentials resolveCredentials() {
        try {
            return delegate.resolveCredentials();
        } catch (RuntimeException e) {
            throw SdkClientException.builder()
                    .message("Could not resolve AWS credentials: " + e.getMessage())
                    .cause(new Unresolved(e))
                    .build();
        }
    }

    /** Tells whether {@code e} was caused by credentials this guard could not resolve. */
    static boolean failedToResolve(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof Unresolved) {
                return true;
            }
        }
        return false;
    }

    /**
     * Tells whether {@code e} was caused by credentials behind another guard, i.e. the credentials a
     * guarded provider needs in order to get its own (the operator's, for STS AssumeRole) failed.
     */
    static boolean failedToResolveInner(Throwable e) {
        int markers = 0;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof Unresolved && ++markers == 2) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "CredentialsGuard(" + delegate + ")";
    }

    /** Marks the cause chain of a credentials failure. */
    private static final class Unresolved extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unresolved(RuntimeException cause) {
            super(cause.getMessage(), cause);
        }
    }
}
