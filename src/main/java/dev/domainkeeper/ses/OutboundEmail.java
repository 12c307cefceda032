package dev.domainkeeper.ses;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Holds one message for SES's SendEmail with simple content: one sender, one recipient, a subject,
 * a text and an HTML body, message tags (kept in order) and an optional configuration set.
 */
public record OutboundEmail(
        String from,
        String to,
        String subject,
        String textBody,
        String htmlBody,
        Map<String, String> tags,
        Optional<String> configurationSet) {
    /** What SES accepts in a tag name or value: ASCII letters, digits, underscore and dash. */
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_-]{1,255}");

    public OutboundEmail {
        requireNonNull(from, "from");
        requireNonNull(to, "to");
        requireNonNull(subject, "subject");
        requireNonNull(textBody, "textBody");
        requireNonNull(htmlBody, "htmlBody");
        requireNonNull(tags, "tags");
        requireNonNull(configurationSet, "configurationSet");
        tags.forEach((name, value) -> {
            if (!TAG.matcher(name).matches() || !TAG.matcher(value).matches()) {
                throw new IllegalArgumentException("tag " + name + "=" + value
                        + " (expected: name and value of 1-255 ASCII letters, digits, '_' or '-')");
            }
        });
        tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
    }
}
