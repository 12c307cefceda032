package dev.domainkeeper.domain;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * Compares host names the way DNS does: without surrounding spaces, in lower case, and without the
 * trailing dot of a fully qualified name. The one place that rule is written.
 */
public final class HostNames {
    private HostNames() {}

    /**
     * Returns {@code name} stripped, lower-cased and without one trailing dot; the root name
     * {@code "."} (a null MX, for example) stays {@code "."}.
     */
    public static String normalize(String name) {
        requireNonNull(name, "name");
        String s = name.strip().toLowerCase(Locale.ROOT);
        return s.endsWith(".") && s.length() > 1 ? s.substring(0, s.length() - 1) : s;
    }
}
