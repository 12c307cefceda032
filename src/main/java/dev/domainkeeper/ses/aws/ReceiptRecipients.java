package dev.domainkeeper.ses.aws;

import dev.domainkeeper.domain.HostNames;
import dev.domainkeeper.ses.SesRejectedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Plans the change to a receipt rule's {@code Recipients} that turns receiving on or off for one
 * domain, refusing every change that would widen the rule.
 *
 * <p>SES treats an empty recipient list as "every verified domain", so two cases are special:
 * <ul>
 *   <li>enabling on a rule with no recipients changes nothing: the rule already matches the domain,
 *       and adding it would narrow a catch-all rule to this one domain;</li>
 *   <li>disabling when the domain is the last recipient, or when the list is empty, is refused: the
 *       result would (still) match every domain, the opposite of what was asked. Disabling the rule
 *       instead was rejected because the rule is shared configuration that the operator owns.</li>
 * </ul>
 */
final class ReceiptRecipients {

    /** SES's limit on recipients per receipt rule. */
    static final int MAX_RECIPIENTS = 100;

    /** The error code of the refusals made here; SES itself never sends it. */
    static final String WOULD_WIDEN_RULE = "ReceiptRuleWouldMatchAllDomains";

    /** The error code when the rule is full; the same code SES uses for its own limits. */
    static final String LIMIT_EXCEEDED = "LimitExceeded";

    private ReceiptRecipients() {}

    /**
     * Returns the new recipient list, or empty when the rule is already in the wanted state.
     *
     * @param rule names the rule in messages, e.g. {@code "main/inbound"}
     * @throws SesRejectedException when the change would widen the rule or exceed the limit
     */
    static Optional<List<String>> plan(List<String> current, String domain, boolean enabled, String rule) {
        boolean present = current.stream().anyMatch(r -> sameDomain(r, domain));
        if (enabled) {
            if (present || current.isEmpty()) {
                return Optional.empty();
            }
            if (current.size() >= MAX_RECIPIENTS) {
                throw new SesRejectedException(
                        LIMIT_EXCEEDED,
                        "receipt rule " + rule + " has "
                                + current.size() + " recipients, cannot add " + domain + " (expected: fewer than "
                                + MAX_RECIPIENTS + "); add a second rule to the rule set",
                        null);
            }
            List<String> next = new ArrayList<>(current);
            next.add(domain);
            return Optional.of(List.copyOf(next));
        }
        if (current.isEmpty()) {
            throw new SesRejectedException(
                    WOULD_WIDEN_RULE,
                    "receipt rule " + rule
                            + " has no recipients, so it matches every verified domain; cannot exclude "
                            + domain + " (expected: a rule that lists its recipients)",
                    null);
        }
        if (!present) {
            return Optional.empty();
        }
        List<String> next = current.stream().filter(r -> !sameDomain(r, domain)).toList();
        if (next.isEmpty()) {
            throw new SesRejectedException(
                    WOULD_WIDEN_RULE,
                    "receipt rule " + rule + " lists only "
                            + domain + "; removing it would leave no recipients, which SES reads as every "
                            + "verified domain (expected: at least one other recipient, e.g. a placeholder "
                            + "domain, before receiving is turned off for the last one)",
                    null);
        }
        return Optional.of(next);
    }

    private static boolean sameDomain(String recipient, String domain) {
        return HostNames.normalize(recipient).equals(HostNames.normalize(domain));
    }
}
