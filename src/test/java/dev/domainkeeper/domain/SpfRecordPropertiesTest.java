package dev.domainkeeper.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.domainkeeper.domain.SpfRecord.Mechanism;
import dev.domainkeeper.domain.SpfRecord.Term;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class SpfRecordPropertiesTest {

    private static final String SES = "amazonses.com";

    @Property
    void mergeInclude_isIdempotent(@ForAll("spfRecords") String existing) {
        String once = SpfRecord.mergeInclude(existing, SES);

        assertThat(SpfRecord.mergeInclude(once, SES)).isEqualTo(once);
    }

    @Property
    void mergeInclude_keepsEveryTermInOrder(@ForAll("spfRecords") String existing) {
        List<String> before = texts(SpfRecord.parse("spf", existing));
        List<String> after = texts(SpfRecord.parse("spf", SpfRecord.mergeInclude(existing, SES)));

        List<String> withoutAdded = new ArrayList<>(after);
        if (after.size() > before.size()) {
            withoutAdded.remove("include:" + SES);
        }
        assertThat(withoutAdded).containsExactlyElementsOf(before);
    }

    @Property
    void mergeInclude_resultParsesAndIncludesSes(@ForAll("spfRecords") String existing) {
        SpfRecord merged = SpfRecord.parse("spf", SpfRecord.mergeInclude(existing, SES));

        assertThat(merged.hasInclude(SES)).isTrue();
    }

    @Property
    void mergeInclude_addedInclude_comesBeforeAll(@ForAll("spfRecords") String existing) {
        SpfRecord merged = SpfRecord.parse("spf", SpfRecord.mergeInclude(existing, SES));

        if (!SpfRecord.parse("spf", existing).hasInclude(SES)) {
            int include = indexOf(merged, "include");
            int all = indexOf(merged, "all");
            assertThat(all < 0 || include < all).as("include before all in %s", merged).isTrue();
        }
    }

    @Provide
    Arbitrary<String> spfRecords() {
        Arbitrary<String> qualifier = Arbitraries.of("", "+", "-", "~", "?");
        Arbitrary<String> domain = Arbitraries.of("example.com", "_spf.google.com", "spf.protection.outlook.com",
                "Mail.Example.org.", "amazonses.com", "AMAZONSES.COM", "%{i}._spf.example.net");
        Arbitrary<String> mechanism = Arbitraries.oneOf(
                domain.map(d -> "include:" + d),
                Arbitraries.of("a", "mx", "ptr", "a/24", "mx:example.com//64", "ptr:example.com"),
                Arbitraries.integers().between(0, 255).map(n -> "ip4:192.0." + n + ".0/24"),
                Arbitraries.of("ip6:2001:db8::/32", "ip6:::1", "exists:%{i}.spf.example.com"));
        Arbitrary<String> directive = Combinators.combine(qualifier, mechanism).as(String::concat);
        Arbitrary<List<String>> directives = directive.list().ofMaxSize(8);
        Arbitrary<String> all = Arbitraries.of("", "-all", "~all", "?all", "+all", "ALL");
        Arbitrary<String> modifiers = Arbitraries.of("", "redirect=_spf.example.com", "exp=explain.example.com",
                "foo=bar", "redirect=_spf.example.com exp=x.example.com");
        Arbitrary<Integer> allPosition = Arbitraries.integers().between(0, 8);
        return Combinators.combine(directives, all, modifiers, allPosition).as((terms, allTerm, mods, at) -> {
            List<String> out = new ArrayList<>(terms);
            if (!allTerm.isEmpty()) {
                out.add(Math.min(at, out.size()), allTerm);
            }
            if (!mods.isEmpty()) {
                out.add(mods);
            }
            out.add(0, "v=spf1");
            return String.join(" ", out);
        });
    }

    private static List<String> texts(SpfRecord record) {
        return record.terms().stream().map(Term::text).toList();
    }

    private static int indexOf(SpfRecord record, String name) {
        for (int i = 0; i < record.terms().size(); i++) {
            if (record.terms().get(i) instanceof Mechanism m && m.name().equals(name)
                    && (!name.equals("include") || m.target().equalsIgnoreCase(SES)
                            || m.target().equalsIgnoreCase(SES + "."))) {
                return i;
            }
        }
        return -1;
    }
}
