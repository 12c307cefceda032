package dev.domainkeeper.errors;

import java.security.SecureRandom;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Makes an outside service's error text fit for a tenant: the AWS adapters run every message of
 * SES and Route 53 through it at their edge, before it becomes part of an answer, a note, an apply
 * state or a stored submission error, and log the full text with the same reference for the operator
 * (docs/SECURITY.md, "AWS error text").
 *
 * <p>What it removes is what names the operator's AWS account: ARNs (an IAM user or role, an SES
 * identity's ARN), 12-digit AWS account ids and AWS access key ids. The rest of the text (an error
 * code, "Email address is not verified.") stays, since it tells the tenant what to fix.
 */
public final class TenantSafeText {
    /** An ARN up to the next blank, quote or closing punctuation: {@code arn:aws:iam::123456789012:user/dk}. */
    private static final Pattern ARN = Pattern.compile("arn:aws[a-z-]*:[^\\s\"'`,;()\\[\\]{}<>]*");
    /** An AWS account id (12 digits standing alone). */
    private static final Pattern ACCOUNT_ID = Pattern.compile("(?<![0-9A-Za-z])[0-9]{12}(?![0-9A-Za-z])");
    /** An access key id, long-term (AKIA) or temporary (ASIA). */
    private static final Pattern ACCESS_KEY_ID = Pattern.compile("(?<![0-9A-Z])(AKIA|ASIA)[0-9A-Z]{16}(?![0-9A-Z])");

    /**
     * AWS error codes that mean the operator's credentials give no access, whatever the HTTP status:
     * their text names the operator's IAM user or role, so the adapters word them themselves.
     */
    private static final Set<String> CREDENTIALS_REFUSALS = Set.of(
            "AccessDenied",
            "AccessDeniedException",
            "InvalidClientTokenId",
            "SignatureDoesNotMatch",
            "UnrecognizedClientException",
            "ExpiredToken",
            "ExpiredTokenException",
            "IncompleteSignature",
            "MissingAuthenticationToken");

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "0123456789abcdefghijkmnpqrstuvwxyz".toCharArray();

    private TenantSafeText() {}

    /** Returns {@code text} without ARNs, AWS account ids and access key ids ({@code "null"} for null). */
    public static String scrub(String text) {
        String s = String.valueOf(text);
        s = ARN.matcher(s).replaceAll("<an ARN of the operator's AWS account>");
        s = ACCESS_KEY_ID.matcher(s).replaceAll("<an AWS access key id>");
        return ACCOUNT_ID.matcher(s).replaceAll("<the operator's AWS account id>");
    }

    /** Returns true when the AWS error {@code code} means the operator's credentials give no access. */
    public static boolean isCredentialsRefusal(String code) {
        return CREDENTIALS_REFUSALS.contains(code);
    }

    /**
     * Returns a new reference ({@code awserr_} and 10 random characters) that a tenant's message and the
     * operator's log line both carry, so the operator finds the full text a tenant asks about.
     */
    public static String newReference() {
        StringBuilder b = new StringBuilder("awserr_");
        for (int i = 0; i < 10; i++) {
            b.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return b.toString();
    }
}
