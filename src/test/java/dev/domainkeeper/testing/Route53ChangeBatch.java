package dev.domainkeeper.testing;

import dev.domainkeeper.domain.RecordType;
import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * Reads the change batch of a ChangeResourceRecordSets request body (as a WireMock Route 53 stub
 * received it) and serves its record sets on a {@link LoopbackDnsServer}, the way Route 53 would
 * serve them once the change is in sync. Its parsing is independent of the service's own Route 53
 * code, so a test that goes through it checks what was really sent.
 */
public final class Route53ChangeBatch {
    /** One change of the batch: the action and the record set in Route 53's wire form. */
    public record Change(String action, String name, RecordType type, long ttl, List<String> values) {
        public Change {
            values = List.copyOf(values);
        }
    }

    private Route53ChangeBatch() {}

    /** Returns the changes of {@code body}, in order. */
    public static List<Change> parse(String body) {
        Element root;
        try {
            root = DocumentBuilderFactory.newInstance()
                    .newDocumentBuilder()
                    .parse(new InputSource(new StringReader(body)))
                    .getDocumentElement();
        } catch (Exception e) {
            throw new AssertionError("not a ChangeResourceRecordSets body: " + body, e);
        }
        List<Change> changes = new ArrayList<>();
        NodeList nodes = root.getElementsByTagName("Change");
        for (int i = 0; i < nodes.getLength(); i++) {
            Element change = (Element) nodes.item(i);
            Element set =
                    (Element) change.getElementsByTagName("ResourceRecordSet").item(0);
            NodeList valueNodes = set.getElementsByTagName("Value");
            List<String> values = new ArrayList<>();
            for (int v = 0; v < valueNodes.getLength(); v++) {
                values.add(valueNodes.item(v).getTextContent());
            }
            changes.add(new Change(
                    text(change, "Action"),
                    text(set, "Name"),
                    RecordType.valueOf(text(set, "Type")),
                    Long.parseLong(text(set, "TTL")),
                    values));
        }
        return changes;
    }

    /**
     * Applies the changes of {@code body} to {@code dns} as Route 53 applies them to a zone: CREATE
     * adds the record set, UPSERT replaces the one of that name and type, DELETE removes it.
     * Values are taken as Route 53 takes them: hosts may end with a dot, and a TXT value is one or
     * more quoted strings with {@code \"}, {@code \\} and {@code \ddd} escapes.
     */
    public static void serve(String body, LoopbackDnsServer dns) {
        for (Change c : parse(body)) {
            switch (c.action()) {
                case "CREATE" -> {}
                case "UPSERT", "DELETE" -> dns.remove(c.name(), c.type());
                default -> throw new AssertionError("unknown action " + c.action() + " in " + body);
            }
            if (c.action().equals("DELETE")) {
                continue;
            }
            for (String value : c.values()) {
                if (c.type() == RecordType.TXT) {
                    dns.addTxt(c.name(), txtStrings(value));
                } else {
                    dns.add(c.name(), c.type(), value);
                }
            }
        }
    }

    /** Returns the character-strings of a Route 53 TXT value such as {@code "v=spf1 ~all" "more"}. */
    public static String[] txtStrings(String value) {
        List<String> strings = new ArrayList<>();
        int i = 0;
        while (i < value.length()) {
            char c = value.charAt(i);
            if (c == ' ') {
                i++;
                continue;
            }
            if (c != '"') {
                throw new AssertionError("TXT value: " + value + " (expected: quoted strings; at " + i + ")");
            }
            ByteArrayOutputStream s = new ByteArrayOutputStream();
            i++;
            while (true) {
                if (i >= value.length()) {
                    throw new AssertionError("TXT value: " + value + " (expected: a closing quote)");
                }
                char d = value.charAt(i);
                if (d == '"') {
                    i++;
                    break;
                }
                if (d == '\\'
                        && i + 3 < value.length()
                        && value.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                    s.write(Integer.parseInt(value.substring(i + 1, i + 4), 8));
                    i += 4;
                } else if (d == '\\' && i + 1 < value.length()) {
                    s.writeBytes(String.valueOf(value.charAt(i + 1)).getBytes(StandardCharsets.UTF_8));
                    i += 2;
                } else {
                    int cp = value.codePointAt(i);
                    s.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
                    i += Character.charCount(cp);
                }
            }
            strings.add(s.toString(StandardCharsets.UTF_8));
        }
        if (strings.isEmpty()) {
            throw new AssertionError("TXT value: empty (expected: at least one quoted string)");
        }
        return strings.toArray(String[]::new);
    }

    private static String text(Element parent, String tag) {
        NodeList found = parent.getElementsByTagName(tag);
        if (found.getLength() == 0) {
            throw new AssertionError("no <" + tag + "> in <" + parent.getTagName() + ">");
        }
        return found.item(0).getTextContent().trim();
    }
}
