package dev.domainkeeper.dnshosting.route53;

import dev.domainkeeper.domain.HostNames;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Converts names and record values between the application's form and Route 53's wire form
 * (docs/AWS.md, "Route 53 TXT values"; Route 53's DomainNameFormat).
 *
 * <p>Route 53 writes a byte it does not allow in a name, and an unprintable byte in a TXT value, as
 * a backslash and three octal digits ({@code *} comes back as {@code \052}); TXT values are lists of
 * quoted character-strings of at most 255 bytes each.
 */
final class Route53Format {

    /** The longest character-string a TXT record can carry (one length byte on the wire). */
    static final int MAX_TXT_STRING_BYTES = 255;

    private Route53Format() {}

    /**
     * Returns the name as the application uses it: lower case, without the trailing dot, escapes
     * decoded (so {@code \052.example.com.} becomes {@code *.example.com}).
     */
    static String decodeName(String wire) {
        return HostNames.normalize(new String(unescape(wire), StandardCharsets.UTF_8));
    }

    /**
     * Returns {@code name} (normalized, without trailing dot) as a fully qualified Route 53 name:
     * letters, digits, {@code -}, {@code _} and the dots between labels stay, a leading {@code *}
     * label stays (Route 53's wildcard), every other byte becomes an octal escape.
     */
    static String encodeName(String name) {
        StringBuilder out = new StringBuilder(name.length() + 1);
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            boolean wildcard = b == '*' && i == 0 && (bytes.length == 1 || bytes[1] == '.');
            if (wildcard || b == '.' || b == '-' || b == '_' || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9')) {
                out.append((char) b);
            } else {
                appendOctal(out, b);
            }
        }
        return out.append('.').toString();
    }

    /** Returns a host name value (CNAME or NS target) as Route 53 takes it: fully qualified. */
    static String encodeHost(String host) {
        return host.endsWith(".") ? host : host + ".";
    }

    /** Returns a host name value without the trailing dot Route 53 answers with. */
    static String decodeHost(String wire) {
        return HostNames.normalize(wire);
    }

    /**
     * Returns an MX value {@code "10 host"} as {@code "10 host."}.
     *
     * @throws IllegalArgumentException when the value is not a preference and a host
     */
    static String encodeMx(String value) {
        String[] parts = value.trim().split("\\s+");
        if (parts.length != 2 || !parts[0].matches("\\d{1,5}")) {
            throw new IllegalArgumentException("MX value: '" + value
                    + "' (expected: a preference and a host, e.g. '10 inbound-smtp.eu-west-1.amazonaws.com')");
        }
        return parts[0] + " " + encodeHost(parts[1]);
    }

    /** Returns an MX value {@code "10 host."} as {@code "10 host"}. */
    static String decodeMx(String wire) {
        return decodeHost(wire.trim());
    }

    /**
     * Returns a TXT value's text as one Route 53 {@code <Value>}: its UTF-8 bytes in quoted strings
     * of at most 255 bytes separated by a space, {@code "} and {@code \} escaped with a backslash and
     * control and non-ASCII bytes as octal escapes.
     */
    static String encodeTxt(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length + 8);
        int start = 0;
        do {
            int end = Math.min(bytes.length, start + MAX_TXT_STRING_BYTES);
            if (start > 0) {
                out.append(' ');
            }
            out.append('"');
            for (int i = start; i < end; i++) {
                int b = bytes[i] & 0xff;
                if (b == '"' || b == '\\') {
                    out.append('\\').append((char) b);
                } else if (b < 0x20 || b >= 0x7f) {
                    appendOctal(out, b);
                } else {
                    out.append((char) b);
                }
            }
            out.append('"');
            start = end;
        } while (start < bytes.length);
        return out.toString();
    }

    /**
     * Returns the text of one Route 53 TXT {@code <Value>}: its character-strings (quoted, or bare
     * words for values entered without quotes) unescaped and joined without separator, which is how
     * SPF and DKIM readers see a long value.
     */
    static String decodeTxt(String wire) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(wire.length());
        int i = 0;
        int n = wire.length();
        while (i < n) {
            char c = wire.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '"') {
                i = readString(wire, i + 1, true, bytes);
            } else {
                i = readString(wire, i, false, bytes);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /**
     * Reads one character-string from {@code from} into {@code out}; a quoted one ends at its
     * closing quote (or the end of the value), a bare one at whitespace. Returns where it stopped.
     */
    private static int readString(String wire, int from, boolean quoted, ByteArrayOutputStream out) {
        int i = from;
        int n = wire.length();
        while (i < n) {
            char c = wire.charAt(i);
            if (quoted ? c == '"' : Character.isWhitespace(c)) {
                return quoted ? i + 1 : i;
            }
            i = c == '\\' ? readEscape(wire, i, out) : appendChar(wire, i, out);
        }
        return i;
    }

    /** Decodes every escape in {@code wire} (a name) into bytes. */
    private static byte[] unescape(String wire) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(wire.length());
        int i = 0;
        while (i < wire.length()) {
            i = wire.charAt(i) == '\\' ? readEscape(wire, i, out) : appendChar(wire, i, out);
        }
        return out.toByteArray();
    }

    /** Reads {@code \ooo} or {@code \x} at {@code i}; a lone trailing backslash stays as it is. */
    private static int readEscape(String wire, int i, ByteArrayOutputStream out) {
        if (i + 3 < wire.length() && isOctal(wire, i + 1) && isOctal(wire, i + 2) && isOctal(wire, i + 3)) {
            out.write(Integer.parseInt(wire.substring(i + 1, i + 4), 8) & 0xff);
            return i + 4;
        }
        if (i + 1 < wire.length()) {
            return appendChar(wire, i + 1, out);
        }
        out.write('\\');
        return i + 1;
    }

    private static int appendChar(String wire, int i, ByteArrayOutputStream out) {
        int cp = wire.codePointAt(i);
        int width = Character.charCount(cp);
        out.writeBytes(wire.substring(i, i + width).getBytes(StandardCharsets.UTF_8));
        return i + width;
    }

    private static boolean isOctal(String s, int i) {
        char c = s.charAt(i);
        return c >= '0' && c <= '7';
    }

    private static void appendOctal(StringBuilder out, int b) {
        out.append('\\')
                .append((char) ('0' + ((b >> 6) & 7)))
                .append((char) ('0' + ((b >> 3) & 7)))
                .append((char) ('0' + (b & 7)));
    }
}
