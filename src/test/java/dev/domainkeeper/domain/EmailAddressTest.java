package dev.domainkeeper.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EmailAddressTest {

    static Stream<Arguments> validAddresses() {
        return Stream.of(
                Arguments.of("dmarc@example.com", "dmarc@example.com"),
                Arguments.of("  dmarc@example.com ", "dmarc@example.com"),
                Arguments.of("DMARC@Example.COM", "DMARC@example.com"),
                Arguments.of("first.last@example.com", "first.last@example.com"),
                Arguments.of("user+tag@example.co.uk", "user+tag@example.co.uk"),
                Arguments.of("o'brien@example.com", "o'brien@example.com"),
                Arguments.of("!#$%&'*+-/=?^_`{|}~@example.com", "!#$%&'*+-/=?^_`{|}~@example.com"),
                Arguments.of("reports@bücher.de", "reports@xn--bcher-kva.de"),
                Arguments.of("reports@mail.example.com.", "reports@mail.example.com"),
                Arguments.of("a".repeat(64) + "@example.com", "a".repeat(64) + "@example.com"));
    }

    static Stream<Arguments> invalidAddresses() {
        return Stream.of(
                Arguments.of("", "must not be empty"),
                Arguments.of(null, "must not be empty"),
                Arguments.of("example.com", "has no \"@\""),
                Arguments.of("@example.com", "local part before \"@\" is empty"),
                Arguments.of("a".repeat(65) + "@example.com", "local part has 65 characters (expected: at most 64)"),
                Arguments.of(".a@example.com", "local part starts or ends with a dot"),
                Arguments.of("a.@example.com", "local part starts or ends with a dot"),
                Arguments.of("a..b@example.com", "local part has two dots in a row"),
                Arguments.of("a b@example.com", "local part contains a space"),
                Arguments.of("\"a b\"@example.com", "local part contains \"\"\""),
                Arguments.of("a@b@example.com", "local part contains \"@\""),
                Arguments.of("jörg@example.com", "local part contains U+00F6"),
                Arguments.of("a(comment)@example.com", "local part contains \"(\""),
                Arguments.of("a@", "domain must not be empty"),
                Arguments.of("a@com", "domain is a public suffix itself"),
                Arguments.of("a@localhost", "domain is a single-label name"),
                Arguments.of("a@[192.0.2.1]", "domain is an IP address"),
                Arguments.of("a@exa_mple.com", "domain contains \"_\""),
                Arguments.of(
                        "a".repeat(64) + "@" + ("b".repeat(60) + ".").repeat(3) + "example.com",
                        "259 characters (expected: at most 254)"));
    }

    @ParameterizedTest
    @MethodSource("validAddresses")
    void parse_validAddress_isNormalized(String input, String expected) {
        assertThat(EmailAddress.parse("dmarc_report_email", input).address()).isEqualTo(expected);
    }

    @ParameterizedTest
    @MethodSource("invalidAddresses")
    void parse_invalidAddress_isRejectedNamingTheRule(String input, String rule) {
        assertThatThrownBy(() -> EmailAddress.parse("dmarc_report_email", input))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("dmarc_report_email: \"")
                .hasMessageContaining(" is not a valid email address: " + rule);
    }

    @Test
    void parse_keepsLocalPartAndSplitsDomain() {
        EmailAddress address = EmailAddress.parse("from_email", "Test@Example.com");

        assertThat(address.localPart()).isEqualTo("Test");
        assertThat(address.domain()).isEqualTo(new DomainName("example.com"));
        assertThat(address).hasToString("Test@example.com");
    }
}
