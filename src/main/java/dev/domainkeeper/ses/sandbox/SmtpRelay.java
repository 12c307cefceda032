package dev.domainkeeper.ses.sandbox;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.ses.OutboundEmail;
import dev.domainkeeper.ses.SesRejectedException;
import dev.domainkeeper.ses.SesUnavailableException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * Delivers the sandbox's outgoing messages to an SMTP server (a local mail catcher such as MailHog
 * or Mailpit), so a developer sees the email SES would have sent. Builds a well-formed MIME message
 * (multipart/alternative with a text and an HTML part) with Jakarta Mail; no authentication, no TLS.
 */
final class SmtpRelay {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    private final String host;
    private final int port;
    private final Session session;

    SmtpRelay(String host, int port) {
        this.host = requireNonNull(host, "host");
        this.port = port;
        Properties props = new Properties();
        props.put("mail.smtp.host", host);
        props.put("mail.smtp.port", Integer.toString(port));
        props.put("mail.smtp.connectiontimeout", Long.toString(TIMEOUT.toMillis()));
        props.put("mail.smtp.timeout", Long.toString(TIMEOUT.toMillis()));
        props.put("mail.smtp.writetimeout", Long.toString(TIMEOUT.toMillis()));
        // The EHLO name; without it Jakarta Mail looks up this host's name, which can take seconds.
        props.put("mail.smtp.localhost", "localhost");
        this.session = Session.getInstance(props);
    }

    /** Builds the MIME message SES would send for {@code email}, with SES's message id in a header. */
    MimeMessage toMime(OutboundEmail email, String messageId, Instant sentAt) throws MessagingException {
        MimeMessage m = new MimeMessage(session) {
            @Override
            protected void updateMessageID() throws MessagingException {
                // The id SES gives the messages it sends (and no local host name lookup).
                setHeader("Message-ID", "<" + messageId + "@email.amazonses.com>");
            }
        };
        m.setFrom(new InternetAddress(email.from(), true));
        m.setRecipient(Message.RecipientType.TO, new InternetAddress(email.to(), true));
        m.setSubject(email.subject(), "UTF-8");
        m.setSentDate(Date.from(sentAt));
        MimeBodyPart text = new MimeBodyPart();
        text.setText(email.textBody(), "UTF-8", "plain");
        MimeBodyPart html = new MimeBodyPart();
        html.setText(email.htmlBody(), "UTF-8", "html");
        MimeMultipart alternative = new MimeMultipart("alternative", text, html);
        m.setContent(alternative);
        m.setHeader("X-SES-Message-ID", messageId);
        m.setHeader(
                "X-SES-MESSAGE-TAGS",
                email.tags().entrySet().stream()
                        .map(t -> t.getKey() + "=" + t.getValue())
                        .collect(Collectors.joining(", ")));
        if (email.configurationSet().isPresent()) {
            m.setHeader("X-SES-CONFIGURATION-SET", email.configurationSet().get());
        }
        m.saveChanges();
        return m;
    }

    /** Delivers the message; a refused or unreachable relay is transient for the caller. */
    void deliver(OutboundEmail email, String messageId, Instant sentAt) {
        try {
            Transport.send(toMime(email, messageId, sentAt));
        } catch (AddressException e) {
            throw new SesRejectedException(
                    "InvalidParameterValue",
                    "sandbox SMTP relay: address \"" + e.getRef() + "\" is not valid: " + e.getMessage(),
                    e);
        } catch (MessagingException e) {
            throw new SesUnavailableException(
                    "sandbox SMTP relay " + host + ":" + port + " did not take the message from " + email.from() + ": "
                            + e.getMessage(),
                    RETRY_AFTER,
                    e);
        }
    }
}
