package dev.domainkeeper.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class RequiredRecordsTest {

    private static final DomainName DOMAIN = new DomainName("example.com");
    private static final DkimSetup DKIM = new DkimSetup(List.of("tok1", "tok2", "tok3"), "dkim.amazonses.com");
    private static final String REGION = "eu-west-1";

    private static final DnsRecord DKIM_1 = new DnsRecord(
            RecordType.CNAME,
            "tok1._domainkey.example.com",
            "tok1.dkim.amazonses.com",
            0,
            1800,
            RecordPurpose.DKIM,
            true);
    private static final DnsRecord DKIM_2 = new DnsRecord(
            RecordType.CNAME,
            "tok2._domainkey.example.com",
            "tok2.dkim.amazonses.com",
            0,
            1800,
            RecordPurpose.DKIM,
            true);
    private static final DnsRecord DKIM_3 = new DnsRecord(
            RecordType.CNAME,
            "tok3._domainkey.example.com",
            "tok3.dkim.amazonses.com",
            0,
            1800,
            RecordPurpose.DKIM,
            true);
    private static final DnsRecord MAIL_FROM_MX = new DnsRecord(
            RecordType.MX,
            "mail.example.com",
            "feedback-smtp.eu-west-1.amazonses.com",
            10,
            300,
            RecordPurpose.MAIL_FROM_MX,
            false);
    private static final DnsRecord MAIL_FROM_SPF = new DnsRecord(
            RecordType.TXT,
            "mail.example.com",
            "v=spf1 include:amazonses.com ~all",
            0,
            300,
            RecordPurpose.MAIL_FROM_SPF,
            false);
    private static final DnsRecord APEX_SPF = new DnsRecord(
            RecordType.TXT, "example.com", "v=spf1 include:amazonses.com ~all", 0, 300, RecordPurpose.SPF, false);
    private static final DnsRecord DMARC_NONE =
            new DnsRecord(RecordType.TXT, "_dmarc.example.com", "v=DMARC1; p=none", 0, 300, RecordPurpose.DMARC, false);
    private static final DnsRecord INBOUND_MX = new DnsRecord(
            RecordType.MX,
            "example.com",
            "inbound-smtp.eu-west-1.amazonaws.com",
            10,
            300,
            RecordPurpose.INBOUND_MX,
            false);

    private static DomainSettings settings(
            boolean receive, boolean dmarc, DmarcPolicy policy, String email, SpfMode spfMode, String spfValue) {
        return new DomainSettings(true, receive, dmarc, policy, email, spfMode, spfValue, "mail.example.com");
    }

    @Test
    void defaults_matchDesign() {
        assertThat(DomainSettings.defaults(DOMAIN))
                .isEqualTo(new DomainSettings(
                        true, false, true, DmarcPolicy.NONE, "", SpfMode.CREATE_IF_MISSING, "", "mail.example.com"));
    }

    @Test
    void plan_defaults_givesDkimMailFromSpfAndDmarcInOrder() {
        List<DnsRecord> records = RequiredRecords.plan(DOMAIN, DomainSettings.defaults(DOMAIN), DKIM, REGION);

        assertThat(records).containsExactly(DKIM_1, DKIM_2, DKIM_3, MAIL_FROM_MX, MAIL_FROM_SPF, APEX_SPF, DMARC_NONE);
    }

    @Test
    void plan_everythingOn_addsInboundMxLast() {
        DomainSettings all = settings(true, true, DmarcPolicy.NONE, "", SpfMode.MERGE, "");

        assertThat(RequiredRecords.plan(DOMAIN, all, DKIM, REGION))
                .containsExactly(DKIM_1, DKIM_2, DKIM_3, MAIL_FROM_MX, MAIL_FROM_SPF, APEX_SPF, DMARC_NONE, INBOUND_MX);
    }

    @Test
    void plan_minimal_givesOnlyDkimAndMailFrom() {
        DomainSettings minimal = settings(false, false, DmarcPolicy.NONE, "", SpfMode.SKIP, "");

        assertThat(RequiredRecords.plan(DOMAIN, minimal, DKIM, REGION))
                .containsExactly(DKIM_1, DKIM_2, DKIM_3, MAIL_FROM_MX, MAIL_FROM_SPF);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "CREATE_IF_MISSING | ''                   | v=spf1 include:amazonses.com ~all",
                "MERGE             | ''                   | v=spf1 include:amazonses.com ~all",
                "FORCE_VALUE       | v=spf1 mx -all       | v=spf1 mx -all",
                "SKIP              | ''                   | ",
            })
    void plan_spfMode_decidesApexSpf(SpfMode mode, String spfValue, String expected) {
        DomainSettings settings = settings(false, true, DmarcPolicy.NONE, "", mode, spfValue);

        List<DnsRecord> spf = RequiredRecords.plan(DOMAIN, settings, DKIM, REGION).stream()
                .filter(r -> r.purpose() == RecordPurpose.SPF)
                .toList();

        if (expected == null) {
            assertThat(spf).isEmpty();
        } else {
            assertThat(spf)
                    .containsExactly(
                            new DnsRecord(RecordType.TXT, "example.com", expected, 0, 300, RecordPurpose.SPF, false));
        }
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "NONE       | ''                | v=DMARC1; p=none",
                "QUARANTINE | ''                | v=DMARC1; p=quarantine",
                "REJECT     | dmarc@example.com | v=DMARC1; p=reject; rua=mailto:dmarc@example.com",
            })
    void plan_dmarcEnabled_formatsPolicyAndReportAddress(DmarcPolicy policy, String email, String expected) {
        DomainSettings settings = settings(false, true, policy, email, SpfMode.SKIP, "");

        assertThat(RequiredRecords.plan(DOMAIN, settings, DKIM, REGION))
                .last()
                .isEqualTo(new DnsRecord(
                        RecordType.TXT, "_dmarc.example.com", expected, 0, 300, RecordPurpose.DMARC, false));
    }

    static Stream<Arguments> everyCombination() {
        return Arrays.stream(SpfMode.values())
                .flatMap(mode -> Stream.of(true, false)
                        .flatMap(dmarc -> Stream.of(true, false).map(receive -> Arguments.of(mode, dmarc, receive))));
    }

    @ParameterizedTest
    @MethodSource("everyCombination")
    void plan_everyCombination_givesThePurposesTheTableAsksFor(SpfMode mode, boolean dmarc, boolean receive) {
        DomainSettings settings = settings(
                receive, dmarc, DmarcPolicy.NONE, "", mode, mode == SpfMode.FORCE_VALUE ? "v=spf1 mx -all" : "");

        List<RecordPurpose> expected = new ArrayList<>(List.of(
                RecordPurpose.DKIM,
                RecordPurpose.DKIM,
                RecordPurpose.DKIM,
                RecordPurpose.MAIL_FROM_MX,
                RecordPurpose.MAIL_FROM_SPF));
        if (mode != SpfMode.SKIP) {
            expected.add(RecordPurpose.SPF);
        }
        if (dmarc) {
            expected.add(RecordPurpose.DMARC);
        }
        if (receive) {
            expected.add(RecordPurpose.INBOUND_MX);
        }
        assertThat(RequiredRecords.plan(DOMAIN, settings, DKIM, REGION))
                .extracting(DnsRecord::purpose)
                .containsExactlyElementsOf(expected);
    }

    @Test
    void plan_dmarcDisabled_hasNoDmarcRecord() {
        DomainSettings settings = settings(true, false, DmarcPolicy.REJECT, "d@example.com", SpfMode.MERGE, "");

        assertThat(RequiredRecords.plan(DOMAIN, settings, DKIM, REGION))
                .extracting(DnsRecord::purpose)
                .doesNotContain(RecordPurpose.DMARC)
                .contains(RecordPurpose.INBOUND_MX);
    }

    @Test
    void plan_customMailFromAndZone_areNormalized() {
        DomainSettings settings =
                new DomainSettings(true, false, false, DmarcPolicy.NONE, "", SpfMode.SKIP, "", "Bounce.Example.com.");
        DkimSetup dkim = new DkimSetup(List.of("ABC"), "dkim.us-gov-west-1.amazonses.com.");

        assertThat(RequiredRecords.plan(DOMAIN, settings, dkim, "us-gov-west-1"))
                .containsExactly(
                        new DnsRecord(
                                RecordType.CNAME,
                                "abc._domainkey.example.com",
                                "abc.dkim.us-gov-west-1.amazonses.com",
                                0,
                                1800,
                                RecordPurpose.DKIM,
                                true),
                        new DnsRecord(
                                RecordType.MX,
                                "bounce.example.com",
                                "feedback-smtp.us-gov-west-1.amazonses.com",
                                10,
                                300,
                                RecordPurpose.MAIL_FROM_MX,
                                false),
                        new DnsRecord(
                                RecordType.TXT,
                                "bounce.example.com",
                                "v=spf1 include:amazonses.com ~all",
                                0,
                                300,
                                RecordPurpose.MAIL_FROM_SPF,
                                false));
    }

    @Test
    void plan_onlyDkimIsRequired() {
        DomainSettings all = settings(true, true, DmarcPolicy.NONE, "", SpfMode.MERGE, "");

        assertThat(RequiredRecords.plan(DOMAIN, all, DKIM, REGION))
                .allSatisfy(r -> assertThat(r.required()).isEqualTo(r.purpose() == RecordPurpose.DKIM));
    }

    @Test
    void plan_badRegion_isRejected() {
        assertThatThrownBy(() -> RequiredRecords.plan(DOMAIN, DomainSettings.defaults(DOMAIN), DKIM, "Europe"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("region: \"Europe\" (expected: an AWS region such as us-east-1)");
    }

    @Test
    void plan_blankSigningZone_isRejected() {
        DkimSetup dkim = new DkimSetup(List.of("a"), " ");

        assertThatThrownBy(() -> RequiredRecords.plan(DOMAIN, DomainSettings.defaults(DOMAIN), dkim, REGION))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("signingHostedZone: \" \"");
    }

    @ParameterizedTest
    @EnumSource(SpfMode.class)
    void spfToPublish_noExistingRecord(SpfMode mode) {
        DomainSettings settings =
                settings(false, true, DmarcPolicy.NONE, "", mode, mode == SpfMode.FORCE_VALUE ? "v=spf1 mx -all" : "");

        Optional<String> expected = switch (mode) {
            case CREATE_IF_MISSING, MERGE -> Optional.of("v=spf1 include:amazonses.com ~all");
            case FORCE_VALUE -> Optional.of("v=spf1 mx -all");
            case SKIP -> Optional.empty();
        };
        assertThat(RequiredRecords.spfToPublish(settings, Optional.empty())).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "CREATE_IF_MISSING | v=spf1 mx -all                       | ",
                "MERGE             | v=spf1 mx -all                       | v=spf1 mx include:amazonses.com -all",
                "MERGE             | v=spf1 include:amazonses.com -all    | ",
                "FORCE_VALUE       | v=spf1 a -all                        | v=spf1 ip4:192.0.2.1 -all",
                "FORCE_VALUE       | v=spf1 ip4:192.0.2.1 -all            | ",
                "SKIP              | v=spf1 mx -all                       | ",
            })
    void spfToPublish_existingRecord(SpfMode mode, String existing, String expected) {
        DomainSettings settings = settings(
                false,
                true,
                DmarcPolicy.NONE,
                "",
                mode,
                mode == SpfMode.FORCE_VALUE ? "v=spf1 ip4:192.0.2.1 -all" : "");

        assertThat(RequiredRecords.spfToPublish(settings, Optional.of(existing)))
                .isEqualTo(Optional.ofNullable(expected));
    }
}
