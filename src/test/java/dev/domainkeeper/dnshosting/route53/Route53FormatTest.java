package dev.domainkeeper.dnshosting.route53;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Checks the conversions between the application's names and values and Route 53's wire form. */
class Route53FormatTest {

    @Test
    void decodeName_octalEscapes_areDecodedAndLowerCased() {
        assertThat(Route53Format.decodeName("\\052.Example.COM.")).isEqualTo("*.example.com");
        assertThat(Route53Format.decodeName("a\\100b.example.com.")).isEqualTo("a@b.example.com");
        assertThat(Route53Format.decodeName("example.com")).isEqualTo("example.com");
    }

    @Test
    void encodeName_keepsHostnameCharactersAndLeadingWildcard_escapesTheRest() {
        assertThat(Route53Format.encodeName("_dmarc.example.com")).isEqualTo("_dmarc.example.com.");
        assertThat(Route53Format.encodeName("*.example.com")).isEqualTo("*.example.com.");
        assertThat(Route53Format.encodeName("a*b.example.com")).isEqualTo("a\\052b.example.com.");
        assertThat(Route53Format.decodeName(Route53Format.encodeName("a*b.example.com")))
                .isEqualTo("a*b.example.com");
    }

    @Test
    void encodeTxt_exactly255Bytes_staysOneString() {
        String value = "a".repeat(255);

        assertThat(Route53Format.encodeTxt(value)).isEqualTo("\"" + value + "\"");
        assertThat(Route53Format.encodeTxt(value + "b")).isEqualTo("\"" + value + "\" \"b\"");
    }

    @Test
    void encodeTxt_emptyValue_isOneEmptyString() {
        assertThat(Route53Format.encodeTxt("")).isEqualTo("\"\"");
        assertThat(Route53Format.decodeTxt("\"\"")).isEmpty();
    }

    @Test
    void encodeTxt_quotesBackslashesControlAndNonAscii_areEscaped() {
        assertThat(Route53Format.encodeTxt("a\"b\\c\td é")).isEqualTo("\"a\\\"b\\\\c\\011d \\303\\251\"");
    }

    @Test
    void txt_multiByteCharacterSplitAcrossStrings_roundTrips() {
        String value = "x".repeat(254) + "é" + "ü".repeat(200);

        String wire = Route53Format.encodeTxt(value);

        assertThat(wire).startsWith("\"" + "x".repeat(254) + "\\303\" \"\\251");
        assertThat(Route53Format.decodeTxt(wire)).isEqualTo(value);
    }

    @Test
    void decodeTxt_unquotedWords_areJoinedLikeStrings() {
        assertThat(Route53Format.decodeTxt("abc def")).isEqualTo("abcdef");
        assertThat(Route53Format.decodeTxt("\"v=spf1 \" \"-all\"")).isEqualTo("v=spf1 -all");
    }

    @Test
    void encodeMx_qualifiesHost_andRejectsValueWithoutPreference() {
        assertThat(Route53Format.encodeMx("10 inbound-smtp.eu-west-1.amazonaws.com"))
                .isEqualTo("10 inbound-smtp.eu-west-1.amazonaws.com.");
        assertThat(Route53Format.encodeMx("10 host.example.com.")).isEqualTo("10 host.example.com.");
        assertThatThrownBy(() -> Route53Format.encodeMx("host.example.com"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'host.example.com'")
                .hasMessageContaining("expected: a preference and a host");
    }
}
