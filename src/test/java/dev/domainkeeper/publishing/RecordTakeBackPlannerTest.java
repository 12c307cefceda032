package dev.domainkeeper.publishing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.domainkeeper.dnshosting.RecordChange;
import dev.domainkeeper.dnshosting.RecordSet;
import dev.domainkeeper.domain.DkimSetup;
import dev.domainkeeper.domain.DnsRecord;
import dev.domainkeeper.domain.DomainName;
import dev.domainkeeper.domain.DomainSettings;
import dev.domainkeeper.domain.PublishedRecord;
import dev.domainkeeper.domain.RecordPurpose;
import dev.domainkeeper.domain.RecordType;
import dev.domainkeeper.domain.RequiredRecords;
import dev.domainkeeper.domain.SpfMode;
import dev.domainkeeper.publishing.RecordChangePlanner.Plan;
import dev.domainkeeper.publishing.RecordChangePlanner.TakeBack;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The take-back plan of RemoveDomain with remove_published_records: what was published is recorded
 * from an apply's plan, and taken back only where it is still exactly as written.
 */
class RecordTakeBackPlannerTest {
    private static final DomainName DOMAIN = DomainName.parse("domain", "example.com");
    private static final DkimSetup DKIM = new DkimSetup(List.of("tok1", "tok2", "tok3"), "dkim.amazonses.com");
    private static final String ZONE = "ZEXAMPLE";

    private static List<DnsRecord> records(DomainSettings settings) {
        return RequiredRecords.plan(DOMAIN, settings, DKIM, "us-east-1");
    }

    /** Applies {@code settings} to a zone holding {@code existing}; returns what is recorded as published. */
    private static List<PublishedRecord> apply(DomainSettings settings, List<RecordSet> existing) {
        Plan plan = RecordChangePlanner.plan(records(settings), settings, existing);
        return RecordChangePlanner.published(List.of(), ZONE, plan.changes(), existing);
    }

    /** Returns the published record of {@code purpose}. */
    private static PublishedRecord of(RecordPurpose purpose, List<PublishedRecord> published) {
        return published.stream()
                .filter(p -> p.record().purpose() == purpose)
                .findFirst()
                .orElseThrow();
    }

    /** Returns the zone after {@code changes}, starting from {@code zone}. */
    private static List<RecordSet> after(List<RecordSet> zone, List<RecordChange> changes) {
        List<RecordSet> out = new ArrayList<>(zone);
        for (RecordChange c : changes) {
            RecordSet s = c.recordSet();
            out.removeIf(x -> x.name().equals(s.name()) && x.type() == s.type());
            if (c.action() == RecordChange.Action.UPSERT) {
                out.add(s);
            }
        }
        return out;
    }

    private static RecordSet set(String name, RecordType type, long ttl, String... values) {
        return new RecordSet(name, type, ttl, List.of(values));
    }

    /** The defaults, with {@code spf_mode} MERGE: an existing SPF record gets the SES include. */
    private static DomainSettings merge() {
        DomainSettings d = DomainSettings.defaults(DOMAIN);
        return new DomainSettings(
                d.sendEnabled(),
                d.receiveEnabled(),
                d.dmarcEnabled(),
                d.dmarcPolicy(),
                d.dmarcReportEmail(),
                SpfMode.MERGE,
                "",
                d.mailFromDomain());
    }

    @Test
    void takeBack_ofEverythingDomainkeeperCreatedInAnEmptyZone_deletesEachRecordSetExactly() {
        List<RecordSet> empty = List.of();
        Plan plan = RecordChangePlanner.plan(records(merge()), merge(), empty);
        List<PublishedRecord> published = RecordChangePlanner.published(List.of(), ZONE, plan.changes(), empty);
        List<RecordSet> zone = after(empty, plan.recordChanges());

        TakeBack back = RecordChangePlanner.takeBack(published, zone);

        assertThat(published).hasSize(plan.changes().size()).allMatch(PublishedRecord::created);
        assertThat(back.changes()).hasSize(zone.size()).allMatch(c -> c.action() == RecordChange.Action.DELETE);
        assertThat(back.changes()).extracting(RecordChange::recordSet).containsExactlyInAnyOrderElementsOf(zone);
        assertThat(after(zone, back.changes())).isEmpty();
        assertThat(back.left()).isEmpty();
        assertThat(back.removed()).hasSize(published.size());
    }

    @Test
    void takeBack_mergedThirdPartySpf_losesOnlyTheSesInclude_andOtherTxtValuesStay() {
        List<RecordSet> before = List.of(set(
                "example.com",
                RecordType.TXT,
                3600,
                "google-site-verification=abc",
                "v=spf1 include:_spf.google.com -all"));
        PublishedRecord spf = of(RecordPurpose.SPF, apply(merge(), before));
        assertThat(spf.created()).isFalse();
        assertThat(spf.record().value()).isEqualTo("v=spf1 include:_spf.google.com include:amazonses.com -all");
        List<RecordSet> zone = List.of(set(
                "example.com",
                RecordType.TXT,
                3600,
                "google-site-verification=abc",
                spf.record().value()));

        TakeBack back = RecordChangePlanner.takeBack(List.of(spf), zone);

        assertThat(back.changes())
                .containsExactly(new RecordChange(
                        RecordChange.Action.UPSERT,
                        set(
                                "example.com",
                                RecordType.TXT,
                                3600,
                                "google-site-verification=abc",
                                "v=spf1 include:_spf.google.com -all")));
        assertThat(back.removed()).singleElement().asString().contains("include:amazonses.com was taken out");
    }

    @Test
    void takeBack_spfDomainkeeperCreated_isDeleted_butOtherTxtValuesAtTheNameStay() {
        List<RecordSet> before = List.of(set("example.com", RecordType.TXT, 300, "google-site-verification=abc"));
        PublishedRecord spf = of(RecordPurpose.SPF, apply(merge(), before));
        assertThat(spf.created()).isTrue();
        List<RecordSet> zone = List.of(set(
                "example.com",
                RecordType.TXT,
                300,
                "google-site-verification=abc",
                "v=spf1 include:amazonses.com ~all"));

        TakeBack back = RecordChangePlanner.takeBack(List.of(spf), zone);

        assertThat(back.changes())
                .containsExactly(new RecordChange(
                        RecordChange.Action.UPSERT,
                        set("example.com", RecordType.TXT, 300, "google-site-verification=abc")));
    }

    @Test
    void takeBack_spfThatHadOnlyAnAllBefore_isRestoredNotDeleted() {
        List<RecordSet> before = List.of(set("example.com", RecordType.TXT, 300, "v=spf1 -all"));
        PublishedRecord spf = of(RecordPurpose.SPF, apply(merge(), before));
        List<RecordSet> zone =
                List.of(set("example.com", RecordType.TXT, 300, spf.record().value()));

        TakeBack back = RecordChangePlanner.takeBack(List.of(spf), zone);

        assertThat(back.changes())
                .containsExactly(new RecordChange(
                        RecordChange.Action.UPSERT, set("example.com", RecordType.TXT, 300, "v=spf1 -all")));
    }

    @Test
    void takeBack_recordsChangedSince_areLeftWithTheReason() {
        List<PublishedRecord> published = apply(merge(), List.of());
        List<RecordSet> zone = new ArrayList<>();
        for (PublishedRecord p : published) {
            DnsRecord r = p.record();
            String value = switch (r.purpose()) {
                case DKIM -> "someone-else.example.net";
                case MAIL_FROM_MX -> "10 mx.example.net";
                case SPF, MAIL_FROM_SPF -> "v=spf1 include:amazonses.com include:mailgun.org ~all";
                default -> "v=DMARC1; p=reject";
            };
            zone.add(set(r.name(), r.type(), r.ttl(), value));
        }

        TakeBack back = RecordChangePlanner.takeBack(published, zone);

        assertThat(back.changes()).isEmpty();
        assertThat(back.removed()).isEmpty();
        assertThat(back.left())
                .hasSize(published.size())
                .allSatisfy(n -> assertThat(n)
                        .contains("was changed since Domainkeeper published it")
                        .contains("left as it is"));
    }

    @Test
    void takeBack_dmarcThatReplacedAnEarlierRecord_isLeft_andOneDomainkeeperCreatedIsDeleted() {
        List<RecordSet> before = List.of(set("_dmarc.example.com", RecordType.TXT, 300, "v=DMARC1; p=nonsense"));
        PublishedRecord replaced = of(RecordPurpose.DMARC, apply(merge(), before));
        PublishedRecord created = of(RecordPurpose.DMARC, apply(merge(), List.of()));
        List<RecordSet> zone = List.of(set("_dmarc.example.com", RecordType.TXT, 300, "v=DMARC1; p=none"));

        TakeBack keep = RecordChangePlanner.takeBack(List.of(replaced), zone);
        TakeBack delete = RecordChangePlanner.takeBack(List.of(created), zone);

        assertThat(replaced.created()).isFalse();
        assertThat(keep.changes()).isEmpty();
        assertThat(keep.left()).singleElement().asString().contains("replaced a DMARC record");
        assertThat(created.created()).isTrue();
        assertThat(delete.changes()).containsExactly(new RecordChange(RecordChange.Action.DELETE, zone.get(0)));
    }

    @Test
    void takeBack_recordGoneFromTheZone_isNotedAndNothingIsWritten() {
        List<PublishedRecord> published = apply(merge(), List.of());

        TakeBack back = RecordChangePlanner.takeBack(published, List.of());

        assertThat(back.changes()).isEmpty();
        assertThat(back.left())
                .hasSize(published.size())
                .allSatisfy(n -> assertThat(n).contains("no longer in the zone"));
    }

    @Test
    void published_reapplyOverItsOwnRecords_keepsThemCreated() {
        List<RecordSet> empty = List.of();
        Plan first = RecordChangePlanner.plan(records(merge()), merge(), empty);
        List<PublishedRecord> once = RecordChangePlanner.published(List.of(), ZONE, first.changes(), empty);
        List<RecordSet> zone = after(empty, first.recordChanges());
        DomainSettings forced = new DomainSettings(
                true,
                false,
                true,
                merge().dmarcPolicy(),
                "",
                SpfMode.FORCE_VALUE,
                "v=spf1 mx include:amazonses.com ~all",
                merge().mailFromDomain());
        Plan second = RecordChangePlanner.plan(records(forced), forced, zone);

        List<PublishedRecord> twice = RecordChangePlanner.published(once, ZONE, second.changes(), zone);
        TakeBack back = RecordChangePlanner.takeBack(twice, after(zone, second.recordChanges()));

        assertThat(second.changes()).extracting(c -> c.record().purpose()).containsExactly(RecordPurpose.SPF);
        assertThat(twice).hasSameSizeAs(once).allMatch(PublishedRecord::created);
        assertThat(back.changes())
                .anySatisfy(c -> assertThat(c)
                        .isEqualTo(new RecordChange(
                                RecordChange.Action.UPSERT,
                                set("example.com", RecordType.TXT, 300, "v=spf1 mx ~all"))));
    }
}
