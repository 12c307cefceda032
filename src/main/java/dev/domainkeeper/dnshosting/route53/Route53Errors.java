package dev.domainkeeper.dnshosting.route53;

import dev.domainkeeper.dnshosting.ProviderAccessDeniedException;
import dev.domainkeeper.dnshosting.ProviderRejectedException;
import dev.domainkeeper.dnshosting.ProviderUnavailableException;
import dev.domainkeeper.errors.TenantSafeText;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Translates SDK failures into the port's exceptions; the one place where Route 53 errors are
 * classified.
 *
 * <p>By the time an exception gets here the SDK's retry strategy has retried what it considers
 * retryable (throttling, {@code PriorRequestNotComplete}, 5xx, I/O errors). Route 53 answers
 * throttling with HTTP 400 and code {@code Throttling}, so the code decides, not the status.
 */
final class Route53Errors {

    /** The retry hint when Route 53 gives none, which is the usual case. */
    static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(5);

    /** Caps a {@code Retry-After} header so a stray value cannot park a caller for hours. */
    private static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(5);

    /** Codes for "slow down" or "this zone is busy with a previous change" (HTTP 400 at Route 53). */
    private static final Set<String> TRANSIENT_CODES =
            Set.of("Throttling", "ThrottlingException", "RequestThrottled", "PriorRequestNotComplete");

    private static final Logger log = LoggerFactory.getLogger(Route53Errors.class);

    private Route53Errors() {}

    /**
     * Returns the port exception for {@code e}, thrown while doing {@code action} (e.g.
     * "ChangeResourceRecordSets Z1D633PJN98FT9"), which ends up in the message.
     *
     * <p>The message is fit for the tenant who caused the call: Route 53's own text loses what names the
     * operator's AWS account ({@link TenantSafeText}), an access denial is worded as the operator's
     * matter without Route 53's text, and every message ends with a reference. The full text goes to the
     * log under that reference, for the operator.
     */
    static RuntimeException translate(SdkException e, String action) {
        return translate(e, action, Optional.empty());
    }

    /**
     * As {@link #translate(SdkException, String)}, for calls made as {@code role} in the customer's
     * own AWS account when present: access problems are then the customer's to fix, and the message
     * says which role and what to check instead of sending them to the operator.
     */
    static RuntimeException translate(SdkException e, String action, Optional<String> role) {
        String reference = TenantSafeText.newReference();
        log.warn("Route 53 call failed: {} [reference {}]: {}", action, reference, e.toString());
        String ref = " (reference " + reference + ")";
        return role.map(r -> classifyForRole(e, action, r, ref)).orElseGet(() -> classify(e, action, ref));
    }

    /**
     * Classifies a failure of a call made as the customer's role: the role could not be assumed (STS
     * refused: the trust policy or the external id is wrong, or the role does not exist), STS could not
     * be reached, or the role may not make the Route 53 call (its permissions policy); the rest as
     * for the operator's credentials.
     */
    private static RuntimeException classifyForRole(SdkException e, String action, String role, String reference) {
        if (CredentialsGuard.failedToResolveInner(e)) {
            return new ProviderAccessDeniedException(
                    Route53Provider.NAME,
                    action + ": Domainkeeper has no AWS credentials of its own to assume the role " + role
                            + " with; ask the operator of Domainkeeper" + reference,
                    e);
        }
        if (CredentialsGuard.failedToResolve(e)) {
            Optional<AwsServiceException> sts = serviceCause(e);
            if (sts.isPresent() && isRefusal(sts.get())) {
                return new ProviderAccessDeniedException(
                        Route53Provider.NAME,
                        action + ": Domainkeeper could not assume the role " + role + " (STS answered "
                                + errorCode(sts.get()) + ": " + serviceMessage(sts.get()) + "); expected: the role"
                                + " exists and its trust policy is the one the connection shows, with the"
                                + " connection's external id" + reference,
                        e);
            }
            return new ProviderUnavailableException(
                    Route53Provider.NAME,
                    action + ": STS could not be asked for the role " + role + "'s credentials now" + reference,
                    DEFAULT_RETRY_AFTER,
                    e);
        }
        if (e instanceof AwsServiceException ase
                && (ase.statusCode() == 403 || TenantSafeText.isCredentialsRefusal(errorCode(ase)))) {
            return new ProviderAccessDeniedException(
                    Route53Provider.NAME,
                    action + ": the role " + role + " may not make this Route 53 call (" + errorCode(ase)
                            + ", status " + ase.statusCode() + "): " + serviceMessage(ase) + "; expected: the"
                            + " permissions policy the connection shows attached to the role" + reference,
                    e);
        }
        return classify(e, action, reference);
    }

    /** True for an STS answer that trying again will not change (4xx other than throttling). */
    private static boolean isRefusal(AwsServiceException e) {
        return e.statusCode() >= 400
                && e.statusCode() < 500
                && e.statusCode() != 429
                && !e.isThrottlingException()
                && !TRANSIENT_CODES.contains(errorCode(e));
    }

    /** Returns the service exception in the cause chain of {@code e}, if any. */
    private static Optional<AwsServiceException> serviceCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AwsServiceException ase) {
                return Optional.of(ase);
            }
        }
        return Optional.empty();
    }

    private static RuntimeException classify(SdkException e, String action, String reference) {
        if (CredentialsGuard.failedToResolve(e)) {
            return new ProviderAccessDeniedException(
                    Route53Provider.NAME,
                    action + ": no AWS credentials could be resolved for Route 53 with the operator's"
                            + " configuration (" + TenantSafeText.scrub(e.getMessage()) + "); ask the operator of"
                            + " Domainkeeper" + reference,
                    e);
        }
        if (e instanceof AwsServiceException ase) {
            String code = errorCode(ase);
            int status = ase.statusCode();
            if (status == 403 || TenantSafeText.isCredentialsRefusal(code)) {
                return new ProviderAccessDeniedException(
                        Route53Provider.NAME,
                        action + ": the operator's AWS credentials are not authorized for this Route 53 call (" + code
                                + ", status " + status + "); ask the operator of Domainkeeper" + reference,
                        e);
            }
            if (status == 429 || ase.isThrottlingException() || TRANSIENT_CODES.contains(code) || status >= 500) {
                return new ProviderUnavailableException(
                        Route53Provider.NAME,
                        action + ": Route 53 answered " + code + " (status " + status + ") through all retries: "
                                + serviceMessage(ase) + reference,
                        retryAfter(ase),
                        e);
            }
            return new ProviderRejectedException(
                    Route53Provider.NAME,
                    code,
                    serviceMessage(ase),
                    action
                            + ": Route 53 rejected the request with " + code + " (status " + status + "): "
                            + serviceMessage(ase) + reference,
                    e);
        }
        if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException) {
            return new ProviderUnavailableException(
                    Route53Provider.NAME,
                    action + ": Route 53 did not answer in time (" + TenantSafeText.scrub(e.getMessage()) + ")"
                            + reference,
                    DEFAULT_RETRY_AFTER,
                    e);
        }
        // I/O failures, answers the SDK could not unmarshal and a closed client: Route 53 is
        // unusable for now, and trying later is the only advice that fits all of them.
        return new ProviderUnavailableException(
                Route53Provider.NAME,
                action + ": Route 53 could not be reached or answered unreadably" + reference,
                DEFAULT_RETRY_AFTER,
                e);
    }

    private static String errorCode(AwsServiceException e) {
        AwsErrorDetails details = e.awsErrorDetails();
        return details == null
                        || details.errorCode() == null
                        || details.errorCode().isBlank()
                ? "Unknown"
                : details.errorCode();
    }

    /** Returns Route 53's explanation without what names the operator's AWS account. */
    private static String serviceMessage(AwsServiceException e) {
        AwsErrorDetails details = e.awsErrorDetails();
        return TenantSafeText.scrub(
                details != null && details.errorMessage() != null ? details.errorMessage() : e.getMessage());
    }

    /** Reads a {@code Retry-After} header in seconds, capped; else the default. */
    private static Duration retryAfter(AwsServiceException e) {
        return Optional.ofNullable(e.awsErrorDetails())
                .map(AwsErrorDetails::sdkHttpResponse)
                .flatMap(r -> r.firstMatchingHeader("Retry-After"))
                .flatMap(Route53Errors::seconds)
                .filter(d -> !d.isNegative() && !d.isZero())
                .map(d -> d.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : d)
                .orElse(DEFAULT_RETRY_AFTER);
    }

    private static Optional<Duration> seconds(String header) {
        try {
            return Optional.of(Duration.ofSeconds(Long.parseLong(header.trim())));
        } catch (NumberFormatException notSeconds) {
            return Optional.empty(); // an HTTP date; not worth parsing for a hint
        }
    }
}
