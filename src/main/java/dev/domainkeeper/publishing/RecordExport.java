package dev.domainkeeper.publishing;

import dev.domainkeeper.dnshosting.RecordSet;
import dev.domainkeeper.domain.InvalidInputException;
import dev.domainkeeper.domain.RecordType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes a domain's record sets in the syntax of a DNS-as-code tool: a BIND zone file fragment,
 * an octoDNS zone YAML, a DNSControl {@code D(...)} block, or Terraform {@code aws_route53_record}
 * resources. Pure: no I/O.
 */
public final class RecordExport {
    /** The formats, as named in {@code ?format=}. */
    public enum Format {
        BIND,
        OCTODNS,
        DNSCONTROL,
        TERRAFORM;

        /**
         * Parses {@code format}, any case; empty means BIND.
         *
         * @throws InvalidInputException naming the field
         */
        public static Format parse(String format) {
            if (format == null || format.isBlank()) {
                return BIND;
            }
            try {
                return valueOf(format.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(
                        "format: \"" + format + "\" (expected: bind, octodns, dnscontrol or terraform)");
            }
        }
    }

    private RecordExport() {}

    /** Returns {@code sets} of the zone {@code zone} in {@code format}. */
    public static String write(Format format, String zone, List<RecordSet> sets) {
        return switch (format) {
            case BIND -> bind(zone, sets);
            case OCTODNS -> octodns(zone, sets);
            case DNSCONTROL -> dnscontrol(zone, sets);
            case TERRAFORM -> terraform(sets);
        };
    }

    private static String bind(String zone, List<RecordSet> sets) {
        StringBuilder b = new StringBuilder("$ORIGIN ").append(zone).append(".\n");
        for (RecordSet s : sets) {
            for (String v : s.values()) {
                b.append(s.name())
                        .append(". ")
                        .append(s.ttl())
                        .append(" IN ")
                        .append(s.type())
                        .append(' ')
                        .append(bindValue(s.type(), v))
                        .append('\n');
            }
        }
        return b.toString();
    }

    private static String bindValue(RecordType type, String v) {
        return switch (type) {
            case TXT -> quotedStrings(v);
            case MX -> v + ".";
            case CNAME, NS -> v + ".";
        };
    }

    /** A TXT value as quoted character-strings of at most 255 characters each. */
    private static String quotedStrings(String v) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < v.length() || parts.isEmpty(); i += 255) {
            parts.add("\""
                    + v.substring(i, Math.min(v.length(), i + 255))
                            .replace("\\", "\\\\")
                            .replace("\"", "\\\"") + "\"");
        }
        return String.join(" ", parts);
    }

    private static String relative(String zone, String name) {
        return name.equals(zone) ? "" : name.substring(0, name.length() - zone.length() - 1);
    }

    private static String octodns(String zone, List<RecordSet> sets) {
        StringBuilder b = new StringBuilder("---\n");
        String lastName = null;
        for (RecordSet s : sets) {
            String name = relative(zone, s.name());
            if (!name.equals(lastName)) {
                b.append(yamlString(name)).append(":\n");
                lastName = name;
            }
            b.append("  - type: ").append(s.type()).append('\n');
            b.append("    ttl: ").append(s.ttl()).append('\n');
            switch (s.type()) {
                case CNAME ->
                    b.append("    value: ")
                            .append(yamlString(s.values().get(0) + "."))
                            .append('\n');
                case MX -> {
                    b.append("    values:\n");
                    for (String v : s.values()) {
                        String[] parts = v.split(" ", 2);
                        b.append("      - exchange: ")
                                .append(yamlString(parts[1] + "."))
                                .append('\n');
                        b.append("        preference: ").append(parts[0]).append('\n');
                    }
                }
                case TXT, NS -> {
                    b.append("    values:\n");
                    for (String v : s.values()) {
                        // octoDNS escapes semicolons in TXT values.
                        String value = s.type() == RecordType.TXT ? v.replace(";", "\\;") : v + ".";
                        b.append("      - ").append(yamlString(value)).append('\n');
                    }
                }
            }
        }
        return b.toString();
    }

    /** A YAML double-quoted scalar. */
    private static String yamlString(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String dnscontrol(String zone, List<RecordSet> sets) {
        StringBuilder b = new StringBuilder()
                .append("D(")
                .append(jsString(zone))
                .append(", REG_NONE, DnsProvider(DSP_MY_PROVIDER),\n");
        for (RecordSet s : sets) {
            String name = relative(zone, s.name());
            String label = jsString(name.isEmpty() ? "@" : name);
            for (String v : s.values()) {
                b.append("    ");
                switch (s.type()) {
                    case MX -> {
                        String[] parts = v.split(" ", 2);
                        b.append("MX(")
                                .append(label)
                                .append(", ")
                                .append(parts[0])
                                .append(", ")
                                .append(jsString(parts[1] + "."));
                    }
                    case CNAME, NS ->
                        b.append(s.type())
                                .append('(')
                                .append(label)
                                .append(", ")
                                .append(jsString(v + "."));
                    case TXT -> b.append("TXT(").append(label).append(", ").append(jsString(v));
                }
                b.append(", TTL(").append(s.ttl()).append(")),\n");
            }
        }
        return b.append("END);\n").toString();
    }

    private static String jsString(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String terraform(List<RecordSet> sets) {
        StringBuilder b = new StringBuilder()
                .append("variable \"zone_id\" {\n  type        = string\n")
                .append("  description = \"The Route 53 hosted zone id\"\n}\n");
        for (RecordSet s : sets) {
            String resource =
                    (s.type() + "_" + s.name()).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
            b.append("\nresource \"aws_route53_record\" \"").append(resource).append("\" {\n");
            b.append("  zone_id = var.zone_id\n");
            b.append("  name    = ").append(jsString(s.name())).append('\n');
            b.append("  type    = ").append(jsString(s.type().name())).append('\n');
            b.append("  ttl     = ").append(s.ttl()).append('\n');
            List<String> values = new ArrayList<>();
            for (String v : s.values()) {
                // Route 53 takes a TXT value longer than 255 characters as strings joined by \"\".
                values.add(jsString(s.type() == RecordType.TXT ? v.replaceAll("(.{255})(?=.)", "$1\"\"") : v));
            }
            b.append("  records = [").append(String.join(", ", values)).append("]\n}\n");
        }
        return b.toString();
    }
}
