package dev.domainkeeper.ses.aws;

import dev.domainkeeper.errors.TenantSafeText;
import dev.domainkeeper.ses.SesIdentityExistsException;
import dev.domainkeeper.ses.SesRejectedException;
import dev.domainkeeper.ses.SesUnavailableException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.sesv2.model.AlreadyExistsException;

/**
 * Translates SDK failures into the port's exceptions; the one place where SES errors are classified.
 *
 * <p>The SDK's retry strategy has already retried whatever it considers retryable by the time an
 * exception gets here, so everything transient becomes {@link SesUnavailableException} with a
 * retry hint, and every other 4xx becomes {@link SesRejectedException} carrying SES's error code.
 */
final class SesErrors {

    /** The retry hint when SES gives none (no {@code Retry-After} header). */
    static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(5);

    /** Caps a {@code Retry-After} header so a stray value cannot park a caller for hours. */
    private static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(5);

    /** Error codes that mean "slow down" even when the status is 400 (the Query protocol's style). */
    private static final Set<String> THROTTLING_CODES =
            Set.of("Throttling", "ThrottlingException", "TooManyRequestsException", "RequestThrottled");

    private static final Logger log = LoggerFactory.getLogger(SesErrors.class);

    private SesErrors() {}

    /**
     * Returns the port exception for {@code e}, thrown while doing {@code action} (e.g.
     * "CreateEmailIdentity example.com in eu-west-1"), which ends up in the message.
     *
     * <p>The message is fit for the tenant who caused the call: SES's own text loses what names the
     * operator's AWS account ({@link TenantSafeText}), an access denial is worded as the operator's
     * matter without SES's text, and every message ends with a reference. The full text goes to the log
     * under that reference, for the operator.
     */
    static RuntimeException translate(SdkException e, String action) {
        String reference = TenantSafeText.newReference();
        log.warn("SES call failed: {} [reference {}]: {}", action, reference, e.toString());
        return classify(e, action, " (reference " + reference + ")");
    }

    private static RuntimeException classify(SdkException e, String action, String reference) {
        if (e instanceof AlreadyExistsException) {
            return new SesIdentityExistsException(
                    action + ": SES already has this identity (" + serviceMessage(e) + ")" + reference, e);
        }
        if (e instanceof AwsServiceException ase) {
            String code = errorCode(ase);
            int status = ase.statusCode();
            if (status == 429 || ase.isThrottlingException() || THROTTLING_CODES.contains(code)) {
                return new SesUnavailableException(
                        action + ": SES throttled the request (status " + status + ", code " + code
                                + ") through all retries" + reference,
                        retryAfter(ase),
                        e);
            }
            if (status >= 500) {
                return new SesUnavailableException(
                        action + ": SES failed with status " + status + " (code " + code + ", " + serviceMessage(e)
                                + ") through all retries" + reference,
                        retryAfter(ase),
                        e);
            }
            if (status == 403 || TenantSafeText.isCredentialsRefusal(code)) {
                return new SesRejectedException(
                        code,
                        action + ": SES refused the request: the operator's AWS credentials are not authorized"
                                + " for this SES call (" + code + ", status " + status + "); ask the operator of"
                                + " Domainkeeper" + reference,
                        e);
            }
            return new SesRejectedException(
                    code,
                    action + ": SES rejected the request with " + code + " (status " + status + "): "
                            + serviceMessage(e) + reference,
                    e);
        }
        if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException) {
            return new SesUnavailableException(
                    action + ": SES did not answer in time (" + TenantSafeText.scrub(e.getMessage()) + ")" + reference,
                    DEFAULT_RETRY_AFTER,
                    e);
        }
        if (e instanceof SdkClientException) {
            // I/O failures and answers the SDK could not unmarshal (a malformed body: the shaded
            // Jackson parser throws IOExceptions) are transient from our side. Anything else here is
            // local (credentials could not be resolved, the client was closed): SES is still
            // unusable for the caller, and retrying later is the only sensible advice, so it maps
            // the same way rather than pretending SES rejected the request. The SDK's own text of
            // those names the operator's set-up (credential sources, profiles), so it stays in the log.
            String kind = hasIoCause(e)
                    ? "could not be reached or answered unreadably"
                    : "could not be called with the operator's configuration (ask the operator of Domainkeeper)";
            return new SesUnavailableException(action + ": SES " + kind + reference, DEFAULT_RETRY_AFTER, e);
        }
        return new SesUnavailableException(action + ": SES call failed" + reference, DEFAULT_RETRY_AFTER, e);
    }

    /** Returns SES's error code, or {@code "Unknown"} when the response carried none. */
    static String errorCode(AwsServiceException e) {
        AwsErrorDetails details = e.awsErrorDetails();
        if (details == null
                || details.errorCode() == null
                || details.errorCode().isBlank()) {
            return "Unknown";
        }
        return details.errorCode();
    }

    /** Returns SES's explanation without what names the operator's AWS account. */
    private static String serviceMessage(SdkException e) {
        if (e instanceof AwsServiceException ase
                && ase.awsErrorDetails() != null
                && ase.awsErrorDetails().errorMessage() != null) {
            return TenantSafeText.scrub(ase.awsErrorDetails().errorMessage());
        }
        return TenantSafeText.scrub(e.getMessage());
    }

    private static boolean hasIoCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IOException || t instanceof UncheckedIOException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Reads the hint the SDK's own retries honour too: {@code x-amz-retry-after} (milliseconds),
     * else {@code Retry-After} (seconds); else the default.
     */
    private static Duration retryAfter(AwsServiceException e) {
        Optional<SdkHttpResponse> response =
                Optional.ofNullable(e.awsErrorDetails()).map(AwsErrorDetails::sdkHttpResponse);
        return response.flatMap(r -> r.firstMatchingHeader("x-amz-retry-after"))
                .flatMap(v -> parseLong(v).map(Duration::ofMillis))
                .or(() -> response.flatMap(r -> r.firstMatchingHeader("Retry-After"))
                        .flatMap(v -> parseLong(v).map(Duration::ofSeconds)))
                .filter(d -> !d.isNegative() && !d.isZero())
                .map(d -> d.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : d)
                .orElse(DEFAULT_RETRY_AFTER);
    }

    private static Optional<Long> parseLong(String value) {
        try {
            return Optional.of(Long.parseLong(value.trim()));
        } catch (NumberFormatException ignored) {
            return Optional.empty(); // e.g. an HTTP date; not worth parsing for a hint
        }
    }
}
