package dev.domainkeeper.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DomainNameTest {

    private static final String LABEL_63 = "a".repeat(63);
    private static final String LABEL_64 = "a".repeat(64);
    /** 4 × 61-character labels and "com": 4 × 62 + 3 = 251, plus "ab." gives 254 in total. */
    private static final String NAME_253 = ("b".repeat(61) + ".").repeat(4) + "c.com";

    private static final String NAME_254 = ("b".repeat(61) + ".").repeat(4) + "cc.com";

    static Stream<Arguments> validNames() {
        return Stream.of(
                Arguments.of("example.com", "example.com"),
                Arguments.of("  example.com  ", "example.com"),
                Arguments.of("Example.COM", "example.com"),
                Arguments.of("example.com.", "example.com"),
                Arguments.of("mail.example.com", "mail.example.com"),
                Arguments.of("a.b.c.example.com", "a.b.c.example.com"),
                Arguments.of("example.co.uk", "example.co.uk"),
                Arguments.of("bücher.de", "xn--bcher-kva.de"),
                Arguments.of("BÜCHER.de", "xn--bcher-kva.de"),
                Arguments.of("xn--bcher-kva.de", "xn--bcher-kva.de"),
                Arguments.of("straße.de", "xn--strae-oqa.de"),
                Arguments.of("example。com", "example.com"),
                Arguments.of("ｅｘａｍｐｌｅ.com", "example.com"),
                Arguments.of("münchen.example.org", "xn--mnchen-3ya.example.org"),
                Arguments.of("my-shop.example.com", "my-shop.example.com"),
                Arguments.of("123.example.com", "123.example.com"),
                Arguments.of("4chan.org", "4chan.org"),
                Arguments.of(LABEL_63 + ".com", LABEL_63 + ".com"),
                Arguments.of(NAME_253, NAME_253),
                Arguments.of(NAME_253 + ".", NAME_253),
                Arguments.of("foo.github.io", "foo.github.io"),
                Arguments.of("例え.jp", "xn--r8jz45g.jp"),
                Arguments.of("пример.рф", "xn--e1afmkfd.xn--p1ai"));
    }

    static Stream<Arguments> invalidNames() {
        return Stream.of(
                Arguments.of("", "must not be empty"),
                Arguments.of("   ", "must not be empty"),
                Arguments.of(null, "must not be empty"),
                Arguments.of(".", "must not be empty"),
                Arguments.of("com", "is a public suffix itself"),
                Arguments.of("co.uk", "is a public suffix itself"),
                Arguments.of("github.io", "is a public suffix itself"),
                Arguments.of("localhost", "is a single-label name"),
                Arguments.of("example.internal", "does not end in a known public suffix"),
                Arguments.of("1.2.3.4", "is an IP address"),
                Arguments.of("[::1]", "is an IP address"),
                Arguments.of("::1", "is an IP address"),
                Arguments.of("[192.0.2.1]", "is an IP address"),
                Arguments.of("2001:db8::1", "is an IP address"),
                Arguments.of("example.123", "top-level label \"123\" is all digits"),
                Arguments.of("exa mple.com", "label contains a space"),
                Arguments.of("exa\tmple.com", "control character U+0009"),
                Arguments.of("exa\u0007mple.com", "control character U+0007"),
                Arguments.of("exa\u200Bmple.com", "invisible character U+200B"),
                Arguments.of("exa\u00ADmple.com", "invisible character U+00AD"),
                Arguments.of("my_host.example.com", "contains \"_\""),
                Arguments.of("_dmarc.example.com", "contains \"_\""),
                Arguments.of("*.example.com", "wildcards are not allowed"),
                Arguments.of("example.com:25", "without a port"),
                Arguments.of("https://x.com/", "looks like a URL"),
                Arguments.of("x.com/path", "without a path"),
                Arguments.of("a@b.com", "looks like an email address"),
                Arguments.of("exa!mple.com", "contains \"!\""),
                Arguments.of("exa$mple.com", "contains \"$\""),
                Arguments.of("-example.com", "starts or ends with a hyphen"),
                Arguments.of("example-.com", "starts or ends with a hyphen"),
                Arguments.of("mail.-x.example.com", "starts or ends with a hyphen"),
                Arguments.of("a..com", "empty label"),
                Arguments.of(".example.com", "empty label"),
                Arguments.of("example.com..", "empty label"),
                Arguments.of(LABEL_64 + ".com", "has 64 characters (expected: at most 63)"),
                Arguments.of(NAME_254, "254 characters (expected: at most 253)"),
                Arguments.of("ab--cd.com", "reserved for internationalized names"),
                Arguments.of("xn--zz.com", "not valid punycode"),
                Arguments.of("a\u05D0.com", "right-to-left"),
                Arguments.of("a\u200Cb.com", "zero-width joiner or non-joiner"),
                Arguments.of("\u0301a.com", "starts with a combining mark"),
                Arguments.of("exa\u2028mple.com", "label contains a space"),
                Arguments.of("a.b".repeat(500), "(expected: at most 253)"));
    }

    @ParameterizedTest
    @MethodSource("validNames")
    void parse_validName_isNormalized(String input, String expected) {
        assertThat(DomainName.parse("domain", input).value()).isEqualTo(expected);
    }

    @ParameterizedTest
    @MethodSource("invalidNames")
    void parse_invalidName_isRejectedNamingTheRule(String input, String rule) {
        assertThatThrownBy(() -> DomainName.parse("domain", input))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("domain: \"")
                .hasMessageContaining(" is not a valid domain name: ")
                .hasMessageContaining(rule)
                .hasMessageNotContaining("\n");
    }

    @Test
    void parse_lengthsOfTestNames_areWhatTheCasesClaim() {
        assertThat(NAME_253).hasSize(253);
        assertThat(NAME_254).hasSize(254);
    }

    @Test
    void parse_space_quotesInputAndNamesRule() {
        assertThatThrownBy(() -> DomainName.parse("domain", "exa mple.com"))
                .hasMessage("domain: \"exa mple.com\" is not a valid domain name: label contains a space");
    }

    @Test
    void parse_controlCharacter_isEscapedInMessage() {
        assertThatThrownBy(() -> DomainName.parse("domain", "a\u0000b.com"))
                .hasMessageStartingWith("domain: \"a\\u0000b.com\" is not a valid domain name");
    }

    @Test
    void parseMailFrom_subdomain_isAccepted() {
        DomainName parent = DomainName.parse("domain", "example.com");

        assertThat(DomainName.parseMailFrom("mail_from_domain", "Bounce.Example.com.", parent))
                .isEqualTo(new DomainName("bounce.example.com"));
    }

    @Test
    void parseMailFrom_domainItself_isRejected() {
        DomainName parent = DomainName.parse("domain", "example.com");

        assertThatThrownBy(() -> DomainName.parseMailFrom("mail_from_domain", "example.com", parent))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("mail_from_domain: \"example.com\" is not a valid MAIL FROM domain:"
                        + " expected a subdomain of example.com, e.g. mail.example.com");
    }

    @Test
    void parseMailFrom_otherDomain_isRejected() {
        DomainName parent = DomainName.parse("domain", "example.com");

        assertThatThrownBy(() -> DomainName.parseMailFrom("mail_from_domain", "mail.notexample.com", parent))
                .hasMessageContaining("expected a subdomain of example.com");
    }

    @Test
    void parseMailFrom_invalidName_isRejectedWithTheNameRule() {
        DomainName parent = DomainName.parse("domain", "example.com");

        assertThatThrownBy(() -> DomainName.parseMailFrom("mail_from_domain", "ma_il.example.com", parent))
                .hasMessageStartingWith("mail_from_domain: \"ma_il.example.com\" is not a valid domain name");
    }

    @Test
    void isSameOrUnder_comparesWholeLabels() {
        DomainName parent = new DomainName("example.com");

        assertThat(new DomainName("example.com").isSameOrUnder(parent)).isTrue();
        assertThat(new DomainName("a.example.com").isSameOrUnder(parent)).isTrue();
        assertThat(new DomainName("notexample.com").isSameOrUnder(parent)).isFalse();
        assertThat(new DomainName("example.com").isStrictlyUnder(parent)).isFalse();
    }
}
