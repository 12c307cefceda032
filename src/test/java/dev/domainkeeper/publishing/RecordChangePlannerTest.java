package dev.domainkeeper.publishing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.domainkeeper.dnshosting.RecordChange;
import dev.domainkeeper.dnshosting.RecordSet;
import dev.domainkeeper.domain.ApplyState.FailedRecord;
import dev.domainkeeper.domain.DkimSetup;
import dev.domainkeeper.domain.DmarcPolicy;
import dev.domainkeeper.domain.DnsRecord;
import dev.domainkeeper.domain.DomainName;
import dev.domainkeeper.domain.DomainSettings;
import dev.domainkeeper.domain.RecordPurpose;
import dev.domainkeeper.domain.RecordType;
import dev.domainkeeper.domain.RequiredRecords;
import dev.domainkeeper.domain.SpfMode;
import dev.domainkeeper.publishing.RecordChangePlanner.Plan;
import dev.domainkeeper.publishing.RecordChangePlanner.PlannedChange;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RecordChangePlannerTest {
    private static final DomainName DOMAIN = DomainName.parse("domain", "example.com");
    private static final DkimSetup DKIM = new DkimSetup(List.of("tok1", "tok2", "tok3"), "dkim.amazonses.com");
    private static final String REGION = "us-east-1";
    private static final String SES_SPF = "v=spf1 include:amazonses.com ~all";

    private static DomainSettings settings(SpfMode mode, String spfValue, DmarcPolicy policy, boolean receive) {
        return new DomainSettings(true, receive, true, policy, "", mode, spfValue, "mail.example.com");
    }

    private static DomainSettings defaults() {
        return DomainSettings.defaults(DOMAIN);
    }

    private static Plan plan(DomainSettings settings, RecordSet... existing) {
        return RecordChangePlanner.plan(
                RequiredRecords.plan(DOMAIN, settings, DKIM, REGION), settings, List.of(existing));
    }

    private static RecordSet set(String name, RecordType type, long ttl, String... values) {
        return new RecordSet(name, type, ttl, List.of(values));
    }

    private static Optional<PlannedChange> change(Plan plan, RecordPurpose purpose) {
        return plan.changes().stream()
                .filter(c -> c.record().purpose() == purpose)
                .findFirst();
    }

    private static Optional<FailedRecord> failure(Plan plan, RecordPurpose purpose) {
        return plan.failed().stream()
                .filter(f -> f.record().purpose() == purpose)
                .findFirst();
    }

    private static Optional<DnsRecord> unchanged(Plan plan, RecordPurpose purpose) {
        return plan.unchanged().stream().filter(r -> r.purpose() == purpose).findFirst();
    }

    private static RecordSet setOf(Plan plan, RecordPurpose purpose) {
        return change(plan, purpose).orElseThrow().change().recordSet();
    }

    /** Returns record sets holding exactly what {@code settings} plans, as a zone after a first apply would. */
    private static List<RecordSet> zoneMatching(DomainSettings settings) {
        List<RecordSet> sets = new ArrayList<>();
        for (DnsRecord r : RequiredRecords.plan(DOMAIN, settings, DKIM, REGION)) {
            String value = r.type() == RecordType.MX ? r.priority() + " " + r.value() : r.value();
            sets.add(new RecordSet(r.name(), r.type(), r.ttl(), List.of(value)));
        }
        return sets;
    }

    @Test
    void plan_emptyZone_upsertsEveryRecordOnce() {
        Plan plan = plan(defaults());

        assertThat(plan.failed()).isEmpty();
        assertThat(plan.unchanged()).isEmpty();
        assertThat(plan.changes())
                .extracting(c -> c.record().purpose())
                .containsExactly(
                        RecordPurpose.DKIM,
                        RecordPurpose.DKIM,
                        RecordPurpose.DKIM,
                        RecordPurpose.MAIL_FROM_MX,
                        RecordPurpose.MAIL_FROM_SPF,
                        RecordPurpose.SPF,
                        RecordPurpose.DMARC);
        assertThat(plan.recordChanges()).extracting(RecordChange::action).containsOnly(RecordChange.Action.UPSERT);
        assertThat(plan.recordChanges())
                .extracting(RecordChange::recordSet)
                .contains(
                        set("tok1._domainkey.example.com", RecordType.CNAME, 1800, "tok1.dkim.amazonses.com"),
                        set("mail.example.com", RecordType.MX, 300, "10 feedback-smtp.us-east-1.amazonses.com"),
                        set("mail.example.com", RecordType.TXT, 300, SES_SPF),
                        set("example.com", RecordType.TXT, 300, SES_SPF),
                        set("_dmarc.example.com", RecordType.TXT, 300, "v=DMARC1; p=none"));
    }

    @Test
    void plan_zoneAlreadyRight_changesNothing() {
        DomainSettings s = settings(SpfMode.MERGE, "", DmarcPolicy.QUARANTINE, true);

        Plan plan = RecordChangePlanner.plan(RequiredRecords.plan(DOMAIN, s, DKIM, REGION), s, zoneMatching(s));

        assertThat(plan.changes()).isEmpty();
        assertThat(plan.failed()).isEmpty();
        assertThat(plan.unchanged()).hasSize(8);
    }

    @Test
    void plan_dkimCnameWithOtherCaseAndTrailingDot_isUnchanged() {
        Plan plan =
                plan(defaults(), set("tok1._domainkey.example.com", RecordType.CNAME, 60, "TOK1.dkim.amazonses.com."));

        assertThat(unchanged(plan, RecordPurpose.DKIM)).isPresent();
        assertThat(plan.changes())
                .filteredOn(c -> c.record().purpose() == RecordPurpose.DKIM)
                .hasSize(2);
    }

    @Test
    void plan_dkimCnamePointingElsewhere_isReplacedKeepingItsTtl() {
        Plan plan = plan(defaults(), set("tok1._domainkey.example.com", RecordType.CNAME, 60, "old.example.net"));

        assertThat(setOf(plan, RecordPurpose.DKIM))
                .isEqualTo(set("tok1._domainkey.example.com", RecordType.CNAME, 60, "tok1.dkim.amazonses.com"));
    }

    @Test
    void plan_txtAtDkimName_refusesTheCname() {
        Plan plan = plan(defaults(), set("tok2._domainkey.example.com", RecordType.TXT, 300, "v=DKIM1; p=abc"));

        assertThat(failure(plan, RecordPurpose.DKIM))
                .get()
                .extracting(FailedRecord::reason)
                .asString()
                .contains("tok2._domainkey.example.com already has TXT records");
    }

    @Test
    void plan_googleWorkspaceSpfInMergeMode_keepsIncludeAndAddsAmazonses() {
        Plan plan = plan(
                settings(SpfMode.MERGE, "", DmarcPolicy.NONE, false),
                set(
                        "example.com",
                        RecordType.TXT,
                        3600,
                        "google-site-verification=abc123",
                        "v=spf1 include:_spf.google.com ~all"));

        assertThat(setOf(plan, RecordPurpose.SPF))
                .isEqualTo(set(
                        "example.com",
                        RecordType.TXT,
                        3600,
                        "google-site-verification=abc123",
                        "v=spf1 include:_spf.google.com include:amazonses.com ~all"));
        assertThat(change(plan, RecordPurpose.SPF).orElseThrow().record().value())
                .isEqualTo("v=spf1 include:_spf.google.com include:amazonses.com ~all");
    }

    @Test
    void plan_mergeWhenSpfAlreadyIncludesAmazonses_isUnchangedWithTheValueFound() {
        String existing = "v=spf1 ip4:192.0.2.1 include:AmazonSES.com -all";
        Plan plan = plan(
                settings(SpfMode.MERGE, "", DmarcPolicy.NONE, false),
                set("example.com", RecordType.TXT, 300, existing));

        assertThat(change(plan, RecordPurpose.SPF)).isEmpty();
        assertThat(unchanged(plan, RecordPurpose.SPF))
                .get()
                .extracting(DnsRecord::value)
                .isEqualTo(existing);
    }

    @Test
    void plan_mergeWithInvalidExistingSpf_refusesWithTheReason() {
        Plan plan = plan(
                settings(SpfMode.MERGE, "", DmarcPolicy.NONE, false),
                set("example.com", RecordType.TXT, 300, "v=spf1 foo:bar ~all"));

        assertThat(failure(plan, RecordPurpose.SPF))
                .get()
                .extracting(FailedRecord::reason)
                .asString()
                .contains("not a valid SPF record");
    }

    @Test
    void plan_createIfMissingWithExistingSpf_leavesItAlone() {
        Plan plan = plan(defaults(), set("example.com", RecordType.TXT, 300, "v=spf1 include:_spf.google.com ~all"));

        assertThat(change(plan, RecordPurpose.SPF)).isEmpty();
        assertThat(unchanged(plan, RecordPurpose.SPF))
                .get()
                .extracting(DnsRecord::value)
                .isEqualTo("v=spf1 include:_spf.google.com ~all");
    }

    @Test
    void plan_createIfMissingWithOnlyOtherTxt_addsSpfBesideThem() {
        Plan plan = plan(defaults(), set("example.com", RecordType.TXT, 300, "MS=ms1234", "apple-domain=x"));

        assertThat(setOf(plan, RecordPurpose.SPF).values()).containsExactly("MS=ms1234", "apple-domain=x", SES_SPF);
    }

    @Test
    void plan_forceValue_replacesOnlyTheSpfValue() {
        String forced = "v=spf1 include:amazonses.com -all";
        Plan plan = plan(
                settings(SpfMode.FORCE_VALUE, forced, DmarcPolicy.NONE, false),
                set("example.com", RecordType.TXT, 300, "v=spf1 mx ~all", "google-site-verification=abc"));

        assertThat(setOf(plan, RecordPurpose.SPF).values()).containsExactly(forced, "google-site-verification=abc");
    }

    @Test
    void plan_skip_plansNothingAtTheApex() {
        Plan plan = plan(
                settings(SpfMode.SKIP, "", DmarcPolicy.NONE, false),
                set("example.com", RecordType.TXT, 300, "v=spf1 mx ~all"));

        assertThat(plan.changes()).noneMatch(c -> c.record().name().equals("example.com"));
        assertThat(plan.unchanged()).noneMatch(r -> r.purpose() == RecordPurpose.SPF);
    }

    @Test
    void plan_twoSpfRecordsAtApex_refusesToMergeEither() {
        Plan plan = plan(
                settings(SpfMode.MERGE, "", DmarcPolicy.NONE, false),
                set("example.com", RecordType.TXT, 300, "v=spf1 mx ~all", "v=spf1 a -all"));

        assertThat(change(plan, RecordPurpose.SPF)).isEmpty();
        assertThat(failure(plan, RecordPurpose.SPF))
                .get()
                .extracting(FailedRecord::reason)
                .asString()
                .contains("has 2 SPF records");
    }

    @Test
    void plan_mailFromWithOtherSpf_mergesAmazonsesIntoIt() {
        Plan plan = plan(defaults(), set("mail.example.com", RecordType.TXT, 300, "v=spf1 include:mailgun.org ~all"));

        assertThat(setOf(plan, RecordPurpose.MAIL_FROM_SPF).values())
                .containsExactly("v=spf1 include:mailgun.org include:amazonses.com ~all");
    }

    @Test
    void plan_mailFromSpfAlreadyRight_isUnchanged() {
        Plan plan = plan(defaults(), set("mail.example.com", RecordType.TXT, 300, SES_SPF));

        assertThat(unchanged(plan, RecordPurpose.MAIL_FROM_SPF)).isPresent();
        assertThat(change(plan, RecordPurpose.MAIL_FROM_SPF)).isEmpty();
    }

    @Test
    void plan_mailFromWithForeignMx_refusesNamingTheHosts() {
        Plan plan = plan(defaults(), set("mail.example.com", RecordType.MX, 300, "10 mx.other.example"));

        assertThat(change(plan, RecordPurpose.MAIL_FROM_MX)).isEmpty();
        assertThat(failure(plan, RecordPurpose.MAIL_FROM_MX))
                .get()
                .extracting(FailedRecord::reason)
                .asString()
                .contains("foreign MX hosts at mail.example.com would be replaced: 10 mx.other.example");
    }

    @Test
    void plan_mailFromMxOfAnotherSesRegion_isReplaced() {
        Plan plan = plan(
                defaults(), set("mail.example.com", RecordType.MX, 300, "10 feedback-smtp.eu-west-1.amazonses.com."));

        assertThat(setOf(plan, RecordPurpose.MAIL_FROM_MX).values())
                .containsExactly("10 feedback-smtp.us-east-1.amazonses.com");
    }

    @Test
    void plan_cnameAtMailFrom_refusesMxAndSpf() {
        Plan plan = plan(defaults(), set("mail.example.com", RecordType.CNAME, 300, "ghs.googlehosted.com"));

        assertThat(plan.failed())
                .extracting(f -> f.record().purpose())
                .containsExactly(RecordPurpose.MAIL_FROM_MX, RecordPurpose.MAIL_FROM_SPF);
        assertThat(plan.failed().get(0).reason()).contains("mail.example.com is a CNAME to ghs.googlehosted.com");
    }

    @Test
    void plan_receivingWithGoogleMx_reportsConflictAndNeverReplaces() {
        Plan plan = plan(
                settings(SpfMode.CREATE_IF_MISSING, "", DmarcPolicy.NONE, true),
                set("example.com", RecordType.MX, 3600, "1 aspmx.l.google.com", "5 alt1.aspmx.l.google.com"));

        assertThat(change(plan, RecordPurpose.INBOUND_MX)).isEmpty();
        assertThat(failure(plan, RecordPurpose.INBOUND_MX))
                .get()
                .extracting(FailedRecord::reason)
                .asString()
                .contains("foreign MX hosts at example.com would be replaced: 1 aspmx.l.google.com,"
                        + " 5 alt1.aspmx.l.google.com");
    }

    @Test
    void plan_receivingOnDomainWithoutMx_addsInboundMx() {
        Plan plan = plan(settings(SpfMode.CREATE_IF_MISSING, "", DmarcPolicy.NONE, true));

        assertThat(setOf(plan, RecordPurpose.INBOUND_MX))
                .isEqualTo(set("example.com", RecordType.MX, 300, "10 inbound-smtp.us-east-1.amazonaws.com"));
    }

    @Test
    void plan_existingRejectDmarcWithDefaultPolicy_isNotWeakened() {
        Plan plan = plan(
                defaults(),
                set("_dmarc.example.com", RecordType.TXT, 300, "v=DMARC1; p=reject; rua=mailto:d@example.com"));

        assertThat(change(plan, RecordPurpose.DMARC)).isEmpty();
        assertThat(unchanged(plan, RecordPurpose.DMARC))
                .get()
                .extracting(DnsRecord::value)
                .isEqualTo("v=DMARC1; p=reject; rua=mailto:d@example.com");
    }

    @Test
    void plan_existingRejectDmarcWithExplicitQuarantine_isReplacedAsTheUserChose() {
        Plan plan = plan(
                settings(SpfMode.CREATE_IF_MISSING, "", DmarcPolicy.QUARANTINE, false),
                set("_dmarc.example.com", RecordType.TXT, 300, "v=DMARC1; p=reject"));

        assertThat(setOf(plan, RecordPurpose.DMARC).values()).containsExactly("v=DMARC1; p=quarantine");
    }

    @Test
    void plan_existingNoneDmarcWithOtherTags_isReplacedByThePlannedOne() {
        Plan plan = plan(defaults(), set("_dmarc.example.com", RecordType.TXT, 300, "v=DMARC1; p=none; pct=50"));

        assertThat(setOf(plan, RecordPurpose.DMARC).values()).containsExactly("v=DMARC1; p=none");
    }

    @Test
    void plan_dmarcSameButSpacedDifferently_isUnchanged() {
        Plan plan = plan(defaults(), set("_dmarc.example.com", RecordType.TXT, 300, "v=DMARC1;p=none;"));

        assertThat(unchanged(plan, RecordPurpose.DMARC)).isPresent();
    }

    @Test
    void plan_unparseableDmarc_isReplaced() {
        Plan plan = plan(defaults(), set("_dmarc.example.com", RecordType.TXT, 300, "v=DMARC1; p=strict"));

        assertThat(setOf(plan, RecordPurpose.DMARC).values()).containsExactly("v=DMARC1; p=none");
    }

    @Test
    void plan_dmarcCnameToVendor_isRefused() {
        Plan plan = plan(defaults(), set("_dmarc.example.com", RecordType.CNAME, 300, "example.com.dmarc.vendor.net"));

        assertThat(failure(plan, RecordPurpose.DMARC))
                .get()
                .extracting(FailedRecord::reason)
                .asString()
                .contains("_dmarc.example.com is a CNAME to example.com.dmarc.vendor.net");
    }

    @Test
    void plan_recordsOfOtherNames_areIgnored() {
        Plan plan = plan(
                defaults(),
                set("www.example.com", RecordType.CNAME, 300, "example.net"),
                set("example.com", RecordType.NS, 172800, "ns-1.awsdns-01.org"));

        assertThat(plan.failed()).isEmpty();
        assertThat(plan.changes()).hasSize(7);
    }
}
