package dev.domainkeeper.domain;

import java.util.Locale;

/**
 * Names the category of a message. It travels to SES as the message tag {@code message_class}
 * (see {@link #tagValue()}) and selects the SES configuration set configured for the class.
 */
public enum MessageClass {
    /** Mail a user triggers and expects: receipts, password resets, notifications. */
    TRANSACTIONAL,
    /** Bulk or promotional mail sent to many recipients. */
    MARKETING;

    /** The name of the SES message tag that carries the class. */
    public static final String TAG_NAME = "message_class";

    /** Returns the tag value, the lower-case name (SES tag values allow letters, digits, _ and -). */
    public String tagValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
