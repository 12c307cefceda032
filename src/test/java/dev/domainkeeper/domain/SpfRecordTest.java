package dev.domainkeeper.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.domainkeeper.domain.SpfRecord.Mechanism;
import dev.domainkeeper.domain.SpfRecord.Modifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SpfRecordTest {

    private static final String SES = "amazonses.com";

    @Test
    void parse_splitsMechanismsAndModifiers() {
        SpfRecord record = SpfRecord.parse(
                "spf_value",
                "v=spf1 -ip4:192.0.2.0/24 ~A:mail.example.com/24//64 mx include:_spf.google.com"
                        + " redirect=_spf.example.com");

        assertThat(record.terms())
                .containsExactly(
                        new Mechanism("-ip4:192.0.2.0/24", '-', "ip4", "192.0.2.0", "/24"),
                        new Mechanism("~A:mail.example.com/24//64", '~', "a", "mail.example.com", "/24//64"),
                        new Mechanism("mx", '+', "mx", "", ""),
                        new Mechanism("include:_spf.google.com", '+', "include", "_spf.google.com", ""),
                        new Modifier("redirect=_spf.example.com", "redirect", "_spf.example.com"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "v=spf1",
                "v=spf1 -all",
                "V=SPF1 include:amazonses.com ~ALL",
                "  v=spf1   mx   ?all  ",
                "v=spf1 a mx ptr ptr:example.com ~all",
                "v=spf1 a/24 a//64 a/24//64 mx:example.com/0 -all",
                "v=spf1 ip4:192.0.2.1 ip4:0.0.0.0/0 ip6:2001:db8::/32 ip6:::1 ip6:2001:db8::1/128 -all",
                "v=spf1 exists:%{i}._spf.example.com include:%{d}.example.com.  -all",
                "v=spf1 redirect=example.com exp=explain._spf.%{d}",
                "v=spf1 include:example.com. -all",
                "v=spf1 foo=bar other.mod=%{d} -all",
            })
    void validate_validRecord_isAccepted(String value) {
        SpfRecord.validate("spf_value", value);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "''                                  | must not be empty",
                "include:amazonses.com ~all           | must start with \"v=spf1\"",
                "v=spf10 -all                        | must start with \"v=spf1\"",
                "spf2.0/pra -all                     | must start with \"v=spf1\"",
                "v=spf1 foo -all                     | unknown mechanism \"foo\"",
                "v=spf1 include -all                 | include needs a domain",
                "v=spf1 include: -all                | domain is empty",
                "v=spf1 exists -all                  | exists needs a domain",
                "v=spf1 all:example.com              | all takes no argument",
                "v=spf1 include:com -all             | is not a fully qualified domain",
                "v=spf1 include:exa$mple.com -all    | is not a valid domain",
                "v=spf1 include:example.123 -all     | is not a valid domain",
                "v=spf1 ip4:192.0.2.0/33 -all        | prefix length \"/33\" (expected: 0 to 32",
                "v=spf1 ip4:192.0.2.0/024 -all       | no leading zeros",
                "v=spf1 ip4:192.0.2 -all             | \"192.0.2\" is not an IPv4 address",
                "v=spf1 ip4:2001:db8::1 -all         | is not an IPv4 address",
                "v=spf1 ip4 -all                     | ip4 needs an address",
                "v=spf1 ip6:192.0.2.1 -all           | is not an IPv6 address",
                "v=spf1 ip6:2001:db8::/129 -all      | prefix length \"/129\" (expected: 0 to 128",
                "v=spf1 a/33 -all                    | prefix length \"/33\"",
                "v=spf1 a//129 -all                  | prefix length \"/129\"",
                "v=spf1 a/24/64 -all                 | expected a, a:domain",
                "v=spf1 redirect=a.com redirect=b.com | the redirect modifier appears more than once",
                "v=spf1 exp=a.com exp=b.com          | the exp modifier appears more than once",
                "v=spf1 include:%{z}.example.com     | bad macro",
                "v=spf1 include:50%.example.com      | bad macro",
            })
    void validate_invalidRecord_isRejectedNamingTheRule(String value, String rule) {
        assertThatThrownBy(() -> SpfRecord.validate("spf_value", value))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("spf_value: \"")
                .hasMessageContaining(" is not a valid SPF record: ")
                .hasMessageContaining(rule);
    }

    @Test
    void validate_tab_isRejected() {
        assertThatThrownBy(() -> SpfRecord.validate("spf_value", "v=spf1\tmx -all"))
                .hasMessageContaining("contains U+0009");
    }

    @Test
    void validate_over450Characters_isRejected() {
        String value = "v=spf1" + " ip4:192.0.2.1".repeat(32) + " -all";

        assertThat(value.length()).isGreaterThan(SpfRecord.MAX_LENGTH);
        assertThatThrownBy(() -> SpfRecord.validate("spf_value", value))
                .hasMessageContaining(value.length() + " characters (expected: at most 450)");
    }

    @Test
    void isSpf_recognizesVersionTermOnly() {
        assertThat(SpfRecord.isSpf("v=spf1 -all")).isTrue();
        assertThat(SpfRecord.isSpf("V=SPF1")).isTrue();
        assertThat(SpfRecord.isSpf("v=spf10 -all")).isFalse();
        assertThat(SpfRecord.isSpf("google-site-verification=abc")).isFalse();
        assertThat(SpfRecord.isSpf(null)).isFalse();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "v=spf1 ~all                                   | v=spf1 include:amazonses.com ~all",
                "v=spf1 mx -all                                | v=spf1 mx include:amazonses.com -all",
                "v=spf1 include:_spf.google.com ?all           | v=spf1 include:_spf.google.com include:amazonses.com ?all",
                "v=spf1 mx -all exp=explain.example.com        | v=spf1 mx include:amazonses.com -all exp=explain.example.com",
                "v=spf1 mx                                     | v=spf1 mx include:amazonses.com",
                "v=spf1                                        | v=spf1 include:amazonses.com",
                "v=spf1 mx redirect=_spf.example.com           | v=spf1 mx include:amazonses.com redirect=_spf.example.com",
                "v=spf1 redirect=_spf.example.com mx           | v=spf1 include:amazonses.com redirect=_spf.example.com mx",
                "v=spf1 mx -all redirect=_spf.example.com      | v=spf1 mx include:amazonses.com -all redirect=_spf.example.com",
                "v=spf1  MX  +ALL                              | v=spf1 MX include:amazonses.com +ALL",
                "v=spf1 include:AmazonSES.com. -all            | v=spf1 include:AmazonSES.com. -all",
                "v=spf1 ~include:amazonses.com -all            | v=spf1 ~include:amazonses.com -all",
                "''                                            | v=spf1 include:amazonses.com ~all",
            })
    void mergeInclude_addsBeforeAllOrRedirect(String existing, String expected) {
        assertThat(SpfRecord.mergeInclude(existing, SES)).isEqualTo(expected);
    }

    @Test
    void mergeInclude_nullExisting_createsRecord() {
        assertThat(SpfRecord.mergeInclude(null, SES)).isEqualTo("v=spf1 include:amazonses.com ~all");
    }

    @Test
    void mergeInclude_invalidExisting_isRejected() {
        assertThatThrownBy(() -> SpfRecord.mergeInclude("v=spf1 bogus -all", SES))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("existing SPF record: \"v=spf1 bogus -all\" is not a valid SPF record");
    }

    @Test
    void mergeInclude_resultTooLong_isRejected() {
        String existing = "v=spf1" + " ip4:192.0.2.1".repeat(31) + " -all";

        assertThatThrownBy(() -> SpfRecord.mergeInclude(existing, SES))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("with include:amazonses.com (expected: at most 450)");
    }

    @Test
    void mergeInclude_invalidInclude_isRejected() {
        assertThatThrownBy(() -> SpfRecord.mergeInclude("v=spf1 -all", "not a domain"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("include: \"not a domain\" is not a valid domain-spec");
    }

    @Test
    void hasInclude_ignoresCaseTrailingDotAndQualifier() {
        SpfRecord record = SpfRecord.parse("spf", "v=spf1 ?include:AMAZONSES.COM. -all");

        assertThat(record.hasInclude("amazonses.com")).isTrue();
        assertThat(record.hasInclude("amazonses.com.")).isTrue();
        assertThat(record.hasInclude("mail.amazonses.com")).isFalse();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "v=spf1 -all                                                   | 0",
                "v=spf1 ip4:192.0.2.1 ip6:2001:db8::1 -all                     | 0",
                "v=spf1 include:a.com a mx ptr exists:%{i}.b.com -all          | 5",
                "v=spf1 mx redirect=_spf.example.com                           | 2",
                "v=spf1 mx -all redirect=_spf.example.com                      | 1",
                "v=spf1 include:a.com include:b.com exp=explain.example.com    | 2",
            })
    void dnsQueryingTerms_countsOwnTermsThatQueryDns(String value, int expected) {
        assertThat(SpfRecord.parse("spf", value).dnsQueryingTerms()).isEqualTo(expected);
    }

    @Test
    void includesAndRedirect_areReportedAsWritten() {
        SpfRecord record = SpfRecord.parse("spf", "v=spf1 include:A.com -include:b.com redirect=C.com");

        assertThat(record.includes()).containsExactly("A.com", "b.com");
        assertThat(record.redirect()).contains("C.com");
        assertThat(SpfRecord.parse("spf", "v=spf1 -all").redirect()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "v=spf1 include:_spf.google.com include:amazonses.com ~all | v=spf1 include:_spf.google.com ~all | false",
                "v=spf1 include:amazonses.com ~all | v=spf1 ~all | true",
                "v=spf1 mx ?include:AMAZONSES.COM. -all | v=spf1 mx -all | false",
                "v=spf1 include:amazonses.com redirect=_spf.example.net | v=spf1 redirect=_spf.example.net | false",
                "v=spf1 ip4:192.0.2.1 -all | v=spf1 ip4:192.0.2.1 -all | false"
            })
    void withoutInclude_isMergeIncludeInReverse_andKeepsEveryOtherTerm(String merged, String without, boolean none) {
        SpfRecord back = SpfRecord.parse("spf", merged).withoutInclude("amazonses.com");

        assertThat(back.text()).isEqualTo(without);
        assertThat(back.namesNoSender()).isEqualTo(none);
        if (!merged.contains("AMAZONSES") && merged.contains("include:amazonses.com") && merged.contains("all")) {
            assertThat(SpfRecord.mergeInclude(without, "amazonses.com")).isEqualTo(merged);
        }
    }
}
