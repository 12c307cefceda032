package dev.domainkeeper.testemail;

import static java.util.Objects.requireNonNull;

import com.google.common.escape.Escaper;
import com.google.common.html.HtmlEscapers;
import dev.domainkeeper.domain.DomainName;
import dev.domainkeeper.domain.MessageClass;
import dev.domainkeeper.domain.TestEmailType;
import dev.domainkeeper.ses.OutboundEmail;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Writes the test email: a subject, a text and an HTML body saying which domain and message class
 * it tests and when it was sent, the SES message tags ({@code message_class}, {@code test_email_type})
 * and the configuration set configured for the class.
 */
public final class TestEmailComposer {
    /** The SES tag naming the kind of test email. */
    public static final String TYPE_TAG = "test_email_type";

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final Escaper HTML = HtmlEscapers.htmlEscaper();

    private final Map<MessageClass, String> configurationSets;

    /** {@code configurationSets} maps a class to its SES configuration set; a class not in it uses none. */
    public TestEmailComposer(Map<MessageClass, String> configurationSets) {
        requireNonNull(configurationSets, "configurationSets");
        this.configurationSets = configurationSets.isEmpty() ? Map.of() : new EnumMap<>(configurationSets);
    }

    /** Returns the configuration set used for {@code messageClass}, if one is configured. */
    public Optional<String> configurationSet(MessageClass messageClass) {
        return Optional.ofNullable(configurationSets.get(messageClass));
    }

    /** Writes the test email from {@code from} (an address at or under {@code domain}) to {@code to}. */
    public OutboundEmail compose(
            DomainName domain, String from, String to, MessageClass messageClass, TestEmailType type, Instant sentAt) {
        requireNonNull(domain, "domain");
        requireNonNull(messageClass, "messageClass");
        requireNonNull(type, "type");
        String cls = messageClass.tagValue();
        String when = TIME.format(sentAt);
        String subject = "Domainkeeper test email from " + domain + " (" + cls + ")";
        String text = "This is a test email from Domainkeeper.\n\n"
                + "It checks that " + domain + " can send " + cls + " email through Amazon SES.\n\n"
                + "Domain:        " + domain + "\n"
                + "From:          " + from + "\n"
                + "To:            " + to + "\n"
                + "Message class: " + messageClass + "\n"
                + "Test type:     " + type + "\n"
                + "Sent at:       " + when + "\n\n"
                + "If you can read this, the domain's sending setup works. No reply is needed.\n";
        String html = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + HTML.escape(subject)
                + "</title></head>\n<body style=\"font-family: sans-serif\">\n"
                + "<h1>Domainkeeper test email</h1>\n"
                + "<p>It checks that <strong>" + HTML.escape(domain.value()) + "</strong> can send "
                + HTML.escape(cls) + " email through Amazon SES.</p>\n"
                + "<table>\n"
                + row("Domain", domain.value()) + row("From", from) + row("To", to)
                + row("Message class", messageClass.name()) + row("Test type", type.name()) + row("Sent at", when)
                + "</table>\n"
                + "<p>If you can read this, the domain's sending setup works. No reply is needed.</p>\n"
                + "</body></html>\n";
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(MessageClass.TAG_NAME, cls);
        tags.put(TYPE_TAG, type.name().toLowerCase(Locale.ROOT));
        return new OutboundEmail(from, to, subject, text, html, tags, configurationSet(messageClass));
    }

    private static String row(String label, String value) {
        return "<tr><th align=\"left\">" + HTML.escape(label) + "</th><td>" + HTML.escape(value) + "</td></tr>\n";
    }
}
