package dev.domainkeeper.domain;

/**
 * Signals input that breaks a rule. The message starts with the field name and states the rule,
 * e.g. {@code domain: "exa mple.com" is not a valid domain name: label contains a space}.
 */
public class InvalidInputException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidInputException(String message) {
        super(message);
    }
}
