package dev.domainkeeper.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.domainkeeper.domain.SpfRecord.Mechanism;
import dev.domainkeeper.domain.SpfRecord.Term;
import dev.domainkeeper.testing.Gen;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Checks the laws of {@link SpfRecord#mergeInclude} on 1,000 generated SPF records per law. */
class SpfRecordPropertiesTest {

    private static final String SES = "amazonses.com";
    private static final int TRIES = 1000;

    /** Runs {@code law} on generated records; the message names the seed and the record on failure. */
    private static void forAll(long seed, Consumer<String> law) {
        Gen gen = new Gen(seed);
        for (int i = 0; i < TRIES; i++) {
            String record = spfRecord(gen);
            try {
                law.accept(record);
            } catch (AssertionError e) {
                throw new AssertionError(
                        "seed " + seed + ", try " + i + ", record \"" + record + "\": " + e.getMessage(), e);
            }
        }
    }

    @Test
    void mergeInclude_isIdempotent() {
        forAll(1, existing -> {
            String once = SpfRecord.mergeInclude(existing, SES);
            assertThat(SpfRecord.mergeInclude(once, SES)).isEqualTo(once);
        });
    }

    @Test
    void mergeInclude_keepsEveryTermInOrder() {
        forAll(2, existing -> {
            List<String> before = texts(SpfRecord.parse("spf", existing));
            List<String> after = texts(SpfRecord.parse("spf", SpfRecord.mergeInclude(existing, SES)));

            List<String> withoutAdded = new ArrayList<>(after);
            if (after.size() > before.size()) {
                withoutAdded.remove("include:" + SES);
            }
            assertThat(withoutAdded).containsExactlyElementsOf(before);
        });
    }

    @Test
    void mergeInclude_resultParsesAndIncludesSes() {
        forAll(
                3,
                existing -> assertThat(SpfRecord.parse("spf", SpfRecord.mergeInclude(existing, SES))
                                .hasInclude(SES))
                        .isTrue());
    }

    @Test
    void mergeInclude_addedInclude_comesBeforeAll() {
        forAll(4, existing -> {
            SpfRecord merged = SpfRecord.parse("spf", SpfRecord.mergeInclude(existing, SES));
            if (!SpfRecord.parse("spf", existing).hasInclude(SES)) {
                int include = indexOf(merged, "include");
                int all = indexOf(merged, "all");
                assertThat(all < 0 || include < all)
                        .as("include before all in %s", merged)
                        .isTrue();
            }
        });
    }

    /** Generates a valid SPF record: up to 8 directives, maybe an all term anywhere, maybe modifiers. */
    static String spfRecord(Gen gen) {
        List<String> out = new ArrayList<>();
        int n = gen.between(0, 8);
        for (int i = 0; i < n; i++) {
            String qualifier = gen.oneOf("", "+", "-", "~", "?");
            String mechanism = gen.weighted(
                    1,
                            (java.util.function.Supplier<String>) () -> "include:"
                                    + gen.oneOf(
                                            "example.com",
                                            "_spf.google.com",
                                            "spf.protection.outlook.com",
                                            "Mail.Example.org.",
                                            "amazonses.com",
                                            "AMAZONSES.COM",
                                            "%{i}._spf.example.net"),
                    1,
                            (java.util.function.Supplier<String>)
                                    () -> gen.oneOf("a", "mx", "ptr", "a/24", "mx:example.com//64", "ptr:example.com"),
                    1, (java.util.function.Supplier<String>) () -> "ip4:192.0." + gen.between(0, 255) + ".0/24",
                    1,
                            (java.util.function.Supplier<String>)
                                    () -> gen.oneOf("ip6:2001:db8::/32", "ip6:::1", "exists:%{i}.spf.example.com"));
            out.add(qualifier + mechanism);
        }
        String all = gen.oneOf("", "-all", "~all", "?all", "+all", "ALL");
        if (!all.isEmpty()) {
            out.add(Math.min(gen.between(0, 8), out.size()), all);
        }
        String modifiers = gen.oneOf(
                "",
                "redirect=_spf.example.com",
                "exp=explain.example.com",
                "foo=bar",
                "redirect=_spf.example.com exp=x.example.com");
        if (!modifiers.isEmpty()) {
            out.add(modifiers);
        }
        out.add(0, "v=spf1");
        return String.join(" ", out);
    }

    private static List<String> texts(SpfRecord record) {
        return record.terms().stream().map(Term::text).toList();
    }

    private static int indexOf(SpfRecord record, String name) {
        for (int i = 0; i < record.terms().size(); i++) {
            if (record.terms().get(i) instanceof Mechanism m
                    && m.name().equals(name)
                    && (!name.equals("include")
                            || m.target().equalsIgnoreCase(SES)
                            || m.target().equalsIgnoreCase(SES + "."))) {
                return i;
            }
        }
        return -1;
    }
}
