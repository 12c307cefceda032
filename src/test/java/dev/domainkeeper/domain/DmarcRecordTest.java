package dev.domainkeeper.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.domainkeeper.domain.DmarcRecord.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DmarcRecordTest {

    @Test
    void parse_readsTagsInOrder_keepingUnknownOnes() {
        DmarcRecord record =
                DmarcRecord.parse("_dmarc.example.com", "v=DMARC1; p=quarantine; rua=mailto:d@example.com; x_custom=1");

        assertThat(record.tags())
                .containsExactly(
                        new Tag("v", "DMARC1"),
                        new Tag("p", "quarantine"),
                        new Tag("rua", "mailto:d@example.com"),
                        new Tag("x_custom", "1"));
        assertThat(record.policy()).isEqualTo(DmarcPolicy.QUARANTINE);
        assertThat(record.tag("X_CUSTOM")).contains("1");
    }

    @Test
    void parse_toleratesWhitespaceAndTrailingSemicolon() {
        DmarcRecord record = DmarcRecord.parse("dmarc", "  v = DMARC1 ;P=Reject;  sp = none ;pct=50; ");

        assertThat(record.policy()).isEqualTo(DmarcPolicy.REJECT);
        assertThat(record.subdomainPolicy()).contains(DmarcPolicy.NONE);
        assertThat(record.text()).isEqualTo("v=DMARC1; p=Reject; sp=none; pct=50");
    }

    @Test
    void parse_noSubdomainPolicy_isEmpty() {
        assertThat(DmarcRecord.parse("dmarc", "v=DMARC1; p=none").subdomainPolicy())
                .isEmpty();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "''                                    | must not be empty",
                "p=none; v=DMARC1                      | must start with v=DMARC1",
                "v=DMARC2; p=none                      | must start with v=DMARC1",
                "v=dmarc1; p=none                      | must start with v=DMARC1",
                "; v=DMARC1; p=none                    | must start with v=DMARC1",
                "v=spf1 -all                           | must start with v=DMARC1",
                "v=DMARC1                              | has no p tag",
                "v=DMARC1; rua=mailto:d@example.com    | has no p tag",
                "v=DMARC1; p=block                     | p=\"block\" (expected: none, quarantine or reject)",
                "v=DMARC1; p=none; sp=maybe            | sp=\"maybe\"",
                "v=DMARC1; p=none; p=reject            | tag p appears more than once",
                "v=DMARC1; p=none; pct=101             | pct=\"101\" (expected: 0 to 100)",
                "v=DMARC1; p=none; adkim=x             | adkim=\"x\" (expected: r or s)",
                "v=DMARC1; p=none; rua=d@example.com   | rua has \"d@example.com\"",
                "v=DMARC1; p=none; junk                | \"junk\" has no \"=\"",
                "v=DMARC1; p=none; 1x=2                | \"1x\" is not a tag name",
            })
    void parse_invalidRecord_givesOneLineReason(String text, String reason) {
        assertThatThrownBy(() -> DmarcRecord.parse("_dmarc.example.com", text))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("_dmarc.example.com: \"")
                .hasMessageContaining(" is not a valid DMARC record: " + reason)
                .hasMessageNotContaining("\n");
    }

    @Test
    void isDmarc_looksAtTheFirstTagOnly() {
        assertThat(DmarcRecord.isDmarc("v=DMARC1; p=none")).isTrue();
        assertThat(DmarcRecord.isDmarc("v = DMARC1")).isTrue();
        assertThat(DmarcRecord.isDmarc("v=spf1 -all")).isFalse();
        assertThat(DmarcRecord.isDmarc(null)).isFalse();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "NONE       | ''                   | v=DMARC1; p=none",
                "QUARANTINE | ''                   | v=DMARC1; p=quarantine",
                "REJECT     | dmarc@example.com    | v=DMARC1; p=reject; rua=mailto:dmarc@example.com",
                "NONE       | a!b,c@example.com    | v=DMARC1; p=none; rua=mailto:a%21b%2Cc@example.com",
            })
    void format_writesPolicyAndOptionalReportAddress(DmarcPolicy policy, String email, String expected) {
        assertThat(DmarcRecord.format(policy, email)).isEqualTo(expected);
    }

    @Test
    void format_result_parsesBack() {
        DmarcRecord record = DmarcRecord.parse("dmarc", DmarcRecord.format(DmarcPolicy.REJECT, "d@example.com"));

        assertThat(record.policy()).isEqualTo(DmarcPolicy.REJECT);
        assertThat(record.tag("rua")).contains("mailto:d@example.com");
    }
}
