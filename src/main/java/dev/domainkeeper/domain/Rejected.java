package dev.domainkeeper.domain;

/**
 * Carries a broken rule in plain words from the checks of the parsers in this package to the
 * public method that names the field and the input.
 */
final class Rejected extends Exception {
    private static final long serialVersionUID = 1L;
    /** Inputs are quoted up to about this many characters, so that a huge input cannot make a huge message. */
    private static final int MAX_QUOTED_LENGTH = 300;

    Rejected(String rule) {
        super(rule, null, false, false);
    }

    /** Returns {@code field: "input" is not a valid <what>: <rule>}, the message every parser gives. */
    InvalidInputException toInvalidInput(String field, String input, String what) {
        return new InvalidInputException(field + ": " + quote(input) + " is not a valid " + what + ": " + getMessage());
    }

    /** Quotes {@code input} for a one-line message, escaping what would not print. */
    static String quote(String input) {
        if (input == null) {
            return "\"\"";
        }
        StringBuilder out = new StringBuilder("\"");
        int i = 0;
        while (i < input.length() && out.length() < MAX_QUOTED_LENGTH) {
            int cp = input.codePointAt(i);
            int type = Character.getType(cp);
            if (cp == '"' || cp == '\\') {
                out.append('\\').appendCodePoint(cp);
            } else if (type == Character.CONTROL
                    || type == Character.FORMAT
                    || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR) {
                out.append(String.format("\\u%04X", cp));
            } else {
                out.appendCodePoint(cp);
            }
            i += Character.charCount(cp);
        }
        if (i < input.length()) {
            out.append("...");
        }
        return out.append('"').toString();
    }
}
