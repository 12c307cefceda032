package dev.domainkeeper.dnshosting.cloudflare;

import java.util.ArrayList;
import java.util.List;

/**
 * Converts a TXT record's logical text to and from Cloudflare's {@code content}: Cloudflare shows
 * it either bare or as quoted character-strings ({@code "part1" "part2"}), and a value longer than
 * 255 characters must be sent split into strings.
 */
final class TxtContent {
    private static final int MAX_STRING = 255;

    private TxtContent() {}

    /** Returns the text of {@code content}: quoted strings unquoted and joined, bare content as is. */
    static String parse(String content) {
        String c = content.trim();
        if (!c.startsWith("\"")) {
            return content;
        }
        StringBuilder text = new StringBuilder();
        boolean inside = false;
        for (int i = 0; i < c.length(); i++) {
            char ch = c.charAt(i);
            if (ch == '"') {
                inside = !inside;
            } else if (ch == '\\' && inside && i + 1 < c.length()) {
                text.append(c.charAt(++i));
            } else if (inside) {
                text.append(ch);
            }
        }
        return text.toString();
    }

    /** Returns {@code text} as quoted character-strings of at most 255 characters each. */
    static String format(String text) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < text.length() || parts.isEmpty(); i += MAX_STRING) {
            String part = text.substring(i, Math.min(text.length(), i + MAX_STRING));
            parts.add("\"" + part.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
        }
        return String.join(" ", parts);
    }
}
