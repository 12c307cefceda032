package dev.domainkeeper.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.domainkeeper.dns.DnsLookup;
import dev.domainkeeper.dns.resolver.DnsResolvers;
import dev.domainkeeper.domain.DkimSetup;
import dev.domainkeeper.domain.DmarcPolicy;
import dev.domainkeeper.domain.DnsRecord;
import dev.domainkeeper.domain.DomainName;
import dev.domainkeeper.domain.DomainSettings;
import dev.domainkeeper.domain.RecordPurpose;
import dev.domainkeeper.domain.RecordType;
import dev.domainkeeper.domain.RequiredRecords;
import dev.domainkeeper.domain.SpfMode;
import dev.domainkeeper.testing.LoopbackDnsServer;
import dev.domainkeeper.validation.DnsValidation.RecordCheck;
import dev.domainkeeper.validation.DnsValidation.Status;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Checks every status and warning of a DNS validation snapshot against a real DNS server on loopback. */
class DnsValidatorTest {
    private static final DomainName DOMAIN = DomainName.parse("domain", "example.com");
    private static final DkimSetup DKIM = new DkimSetup(List.of("abc", "def", "ghi"), "dkim.amazonses.com");
    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");

    @RegisterExtension
    static final LoopbackDnsServer dns = LoopbackDnsServer.start();

    private final DnsValidator validator = new DnsValidator(
            DnsResolvers.create(List.of(dns.address()), Duration.ofMillis(500)), Clock.fixed(NOW, ZoneOffset.UTC));

    private static DomainSettings settings() {
        return DomainSettings.defaults(DOMAIN);
    }

    private static DomainSettings receiving() {
        DomainSettings s = settings();
        return new DomainSettings(true, true, true, s.dmarcPolicy(), "", s.spfMode(), "", s.mailFromDomain());
    }

    private static DomainSettings spf(SpfMode mode, String value) {
        DomainSettings s = settings();
        return new DomainSettings(true, false, true, s.dmarcPolicy(), "", mode, value, s.mailFromDomain());
    }

    private static DomainSettings dmarc(DmarcPolicy policy) {
        DomainSettings s = settings();
        return new DomainSettings(true, false, true, policy, "", s.spfMode(), "", s.mailFromDomain());
    }

    private static List<DnsRecord> plan(DomainSettings s) {
        return RequiredRecords.plan(DOMAIN, s, DKIM, "us-east-1");
    }

    private DnsValidation validate(DomainSettings s) {
        return validator.validate(plan(s), s).join();
    }

    private static RecordCheck check(DnsValidation v, RecordPurpose purpose) {
        return v.records().stream()
                .filter(c -> c.record().purpose() == purpose)
                .findFirst()
                .orElseThrow();
    }

    /** Publishes every planned record as planned, and an SPF record for amazonses.com. */
    private static void publish(List<DnsRecord> records, RecordPurpose... except) {
        dns.publish(records, except);
        dns.addTxt("amazonses.com", "v=spf1 ip4:199.255.192.0/22 ip4:199.127.232.0/22 -all");
    }

    @Test
    void allPublished_isAllValid_withoutWarnings() {
        publish(plan(receiving()));

        DnsValidation v = validate(receiving());

        assertThat(v.records()).extracting(RecordCheck::status).containsOnly(Status.VALID);
        assertThat(v.records()).extracting(RecordCheck::record).containsExactlyElementsOf(plan(receiving()));
        assertThat(v.allValid()).isTrue();
        assertThat(v.warnings()).isEmpty();
        assertThat(v.checkedAt()).isEqualTo(NOW);
    }

    @Test
    void nothingPublished_isMissing_withWhatToPublish() {
        DnsValidation v = validate(receiving());

        assertThat(v.records()).extracting(RecordCheck::status).containsOnly(Status.MISSING);
        assertThat(v.allValid()).isFalse();
        assertThat(v.records().get(0).message())
                .isEqualTo("No CNAME at abc._domainkey.example.com; publish CNAME"
                        + " abc._domainkey.example.com pointing to abc.dkim.amazonses.com");
        assertThat(check(v, RecordPurpose.MAIL_FROM_MX).message())
                .isEqualTo("No MX record at mail.example.com; publish MX 10 feedback-smtp.us-east-1.amazonses.com");
        assertThat(check(v, RecordPurpose.DMARC).message())
                .isEqualTo("No DMARC record at _dmarc.example.com; publish TXT \"v=DMARC1; p=none\"");
    }

    @Test
    void allValid_needsOnlyTheDkimRecords() {
        publish(
                plan(settings()),
                RecordPurpose.MAIL_FROM_MX,
                RecordPurpose.MAIL_FROM_SPF,
                RecordPurpose.SPF,
                RecordPurpose.DMARC);

        DnsValidation v = validate(settings());

        assertThat(v.allValid()).isTrue();
        assertThat(check(v, RecordPurpose.SPF).status()).isEqualTo(Status.MISSING);
    }

    @Test
    void dkim_wrongTarget_isMismatch() {
        publish(plan(settings()), RecordPurpose.DKIM);
        dns.addCname("abc._domainkey.example.com", "wrong.dkim.amazonses.com");

        DnsValidation v = validate(settings());

        RecordCheck dkim = v.records().get(0);
        assertThat(dkim.status()).isEqualTo(Status.MISMATCH);
        assertThat(dkim.foundValues()).containsExactly("wrong.dkim.amazonses.com");
        assertThat(dkim.message()).isEqualTo("Found CNAME wrong.dkim.amazonses.com; expected abc.dkim.amazonses.com");
        assertThat(v.allValid()).isFalse();
    }

    @Test
    void dkim_upperCaseNameAndTargetWithTrailingDot_isValid() {
        dns.addCname("ABC._DOMAINKEY.EXAMPLE.COM.", "ABC.DKIM.AMAZONSES.COM.");

        assertThat(validate(settings()).records().get(0).status()).isEqualTo(Status.VALID);
    }

    @Test
    void mailFrom_cnameWhereMxAndTxtBelong_isConflict() {
        dns.addCname("mail.example.com", "elsewhere.example.net");

        DnsValidation v = validate(settings());

        RecordCheck mx = check(v, RecordPurpose.MAIL_FROM_MX);
        RecordCheck txt = check(v, RecordPurpose.MAIL_FROM_SPF);
        assertThat(mx.status()).isEqualTo(Status.CONFLICT);
        assertThat(txt.status()).isEqualTo(Status.CONFLICT);
        assertThat(txt.foundValues()).containsExactly("elsewhere.example.net");
        assertThat(txt.message())
                .startsWith("Found CNAME elsewhere.example.net at mail.example.com; a TXT record"
                        + " cannot be published beside a CNAME");
    }

    @Test
    void mailFromMx_otherPriority_isValidWithWarning() {
        dns.addMx("mail.example.com", 20, "feedback-smtp.us-east-1.amazonses.com");

        DnsValidation v = validate(settings());

        RecordCheck mx = check(v, RecordPurpose.MAIL_FROM_MX);
        assertThat(mx.status()).isEqualTo(Status.VALID);
        assertThat(mx.foundValues()).containsExactly("20 feedback-smtp.us-east-1.amazonses.com");
        assertThat(v.warnings())
                .containsExactly("MX feedback-smtp.us-east-1.amazonses.com at mail.example.com has"
                        + " priority 20 (expected: 10); it works, but differs from the recommended record");
    }

    @Test
    void mailFromMx_otherHost_isMismatch() {
        dns.addMx("mail.example.com", 10, "mx.example.net");

        RecordCheck mx = check(validate(settings()), RecordPurpose.MAIL_FROM_MX);

        assertThat(mx.status()).isEqualTo(Status.MISMATCH);
        assertThat(mx.message())
                .isEqualTo("Found MX 10 mx.example.net; expected MX 10 feedback-smtp.us-east-1.amazonses.com");
    }

    @Test
    void inboundMx_foreignHostAtApex_isConflict() {
        dns.addMx("example.com", 10, "inbound-smtp.us-east-1.amazonaws.com")
                .addMx("example.com", 5, "aspmx.l.google.com");

        RecordCheck mx = check(validate(receiving()), RecordPurpose.INBOUND_MX);

        assertThat(mx.status()).isEqualTo(Status.CONFLICT);
        assertThat(mx.foundValues())
                .containsExactlyInAnyOrder("10 inbound-smtp.us-east-1.amazonaws.com", "5 aspmx.l.google.com");
        assertThat(mx.message())
                .startsWith("Found MX 5 aspmx.l.google.com at example.com; receiving through SES"
                        + " needs MX 10 inbound-smtp.us-east-1.amazonaws.com as the only MX host");
    }

    @Test
    void spf_twoRecords_isConflict() {
        dns.addTxt("example.com", "v=spf1 include:amazonses.com ~all")
                .addTxt("example.com", "v=spf1 include:_spf.google.com ~all");

        RecordCheck spf = check(validate(settings()), RecordPurpose.SPF);

        assertThat(spf.status()).isEqualTo(Status.CONFLICT);
        assertThat(spf.message()).startsWith("Found 2 SPF records at example.com");
    }

    @Test
    void spf_createIfMissing_withoutSesInclude_isValidWithWarning() {
        dns.addTxt("example.com", "v=spf1 include:_spf.google.com ~all")
                .addTxt("_spf.google.com", "v=spf1 ip4:172.217.0.0/19 ~all");

        DnsValidation v = validate(settings());

        assertThat(check(v, RecordPurpose.SPF).status()).isEqualTo(Status.VALID);
        assertThat(v.warnings())
                .containsExactly("The SPF record at example.com does not include amazonses.com, so"
                        + " mail SES sends will not pass SPF at the apex: add include:amazonses.com"
                        + " before its all term");
    }

    @Test
    void spf_merge_withoutSesInclude_isMismatch() {
        dns.addTxt("example.com", "v=spf1 include:_spf.google.com ~all");

        RecordCheck spf = check(validate(spf(SpfMode.MERGE, "")), RecordPurpose.SPF);

        assertThat(spf.status()).isEqualTo(Status.MISMATCH);
        assertThat(spf.message())
                .isEqualTo("Found SPF \"v=spf1 include:_spf.google.com ~all\" without"
                        + " include:amazonses.com; expected"
                        + " \"v=spf1 include:_spf.google.com include:amazonses.com ~all\"");
    }

    @Test
    void spf_merge_withSesInclude_isValid() {
        dns.addTxt("example.com", "v=spf1 include:_spf.google.com include:AmazonSES.com. ~all");

        assertThat(check(validate(spf(SpfMode.MERGE, "")), RecordPurpose.SPF).status())
                .isEqualTo(Status.VALID);
    }

    @Test
    void spf_forceValue_withOtherSpacing_isValid() {
        dns.addTxt("example.com", "  v=spf1   ip4:192.0.2.0/24  include:amazonses.com -all ");

        RecordCheck spf = check(
                validate(spf(SpfMode.FORCE_VALUE, "v=spf1 ip4:192.0.2.0/24 include:amazonses.com -all")),
                RecordPurpose.SPF);

        assertThat(spf.status()).isEqualTo(Status.VALID);
    }

    @Test
    void spf_forceValue_otherValue_isMismatch() {
        dns.addTxt("example.com", "v=spf1 include:amazonses.com ~all");

        RecordCheck spf =
                check(validate(spf(SpfMode.FORCE_VALUE, "v=spf1 include:amazonses.com -all")), RecordPurpose.SPF);

        assertThat(spf.status()).isEqualTo(Status.MISMATCH);
        assertThat(spf.message())
                .isEqualTo("Found SPF \"v=spf1 include:amazonses.com ~all\";"
                        + " expected \"v=spf1 include:amazonses.com -all\"");
    }

    @Test
    void spf_publishedAsSeveralStrings_isReadConcatenated() {
        dns.addTxt("example.com", "v=spf1 include:amazon", "ses.com ~all");

        RecordCheck spf = check(validate(spf(SpfMode.MERGE, "")), RecordPurpose.SPF);

        assertThat(spf.status()).isEqualTo(Status.VALID);
        assertThat(spf.foundValues()).containsExactly("v=spf1 include:amazonses.com ~all");
    }

    @Test
    void spf_unparsable_isConflictWithReason() {
        dns.addTxt("example.com", "v=spf1 include:amazonses.com sometimes ~all");

        RecordCheck spf = check(validate(settings()), RecordPurpose.SPF);

        assertThat(spf.status()).isEqualTo(Status.CONFLICT);
        assertThat(spf.message())
                .startsWith("Found an SPF record receivers cannot read: ")
                .contains("unknown mechanism \"sometimes\"");
    }

    @Test
    void spf_nestedIncludesOverTenLookups_warnsWithTheCount() {
        dns.addTxt("example.com", "v=spf1 include:a.example.net include:amazonses.com ~all") // 2
                .addTxt("a.example.net", "v=spf1 include:b.example.net include:c.example.net mx a ~all") // 4
                .addTxt("b.example.net", "v=spf1 include:d.example.net a mx ~all") // 3
                .addTxt("c.example.net", "v=spf1 a mx exists:c.example.net ~all") // 3
                .addTxt("d.example.net", "v=spf1 a mx ~all") // 2
                .addTxt("amazonses.com", "v=spf1 ip4:199.255.192.0/22 -all"); // 0

        DnsValidation v = validate(settings());

        assertThat(check(v, RecordPurpose.SPF).status()).isEqualTo(Status.VALID);
        assertThat(v.warnings())
                .containsExactly("The SPF record at example.com needs 14 DNS lookups (limit: 10);"
                        + " receivers stop with an error (permerror): remove or flatten includes");
    }

    @Test
    void spf_tenLookups_isWithinTheLimit() {
        dns.addTxt("example.com", "v=spf1 include:a.example.net include:amazonses.com a mx ~all") // 4
                .addTxt("a.example.net", "v=spf1 a mx ptr exists:a.example.net a:x.example.net mx:y.example.net -all")
                .addTxt("amazonses.com", "v=spf1 ip4:199.255.192.0/22 -all");

        assertThat(validate(settings()).warnings()).isEmpty();
    }

    @Test
    void spf_includeLoop_stopsAndWarns() {
        dns.addTxt("example.com", "v=spf1 include:loop-a.example.net include:amazonses.com ~all")
                .addTxt("loop-a.example.net", "v=spf1 include:loop-b.example.net ~all")
                .addTxt("loop-b.example.net", "v=spf1 include:loop-a.example.net ~all")
                .addTxt("amazonses.com", "v=spf1 ip4:199.255.192.0/22 -all");

        DnsValidation v = validate(settings());

        assertThat(check(v, RecordPurpose.SPF).status()).isEqualTo(Status.VALID);
        assertThat(v.warnings())
                .containsExactly("SPF include loop: example.com -> loop-a.example.net"
                        + " -> loop-b.example.net -> loop-a.example.net; receivers stop with an error (permerror)");
        assertThat(dns.queryCount("loop-a.example.net", RecordType.TXT)).isEqualTo(1);
    }

    @Test
    void spf_moreThanTwoVoidLookups_warns() {
        dns.addTxt(
                        "example.com",
                        "v=spf1 include:gone1.example.net include:gone2.example.net" + " redirect=gone3.example.net")
                .addTxt("amazonses.com", "v=spf1 ip4:199.255.192.0/22 -all");

        DnsValidation v = validate(settings());

        assertThat(v.warnings())
                .contains("The SPF record at example.com makes 3 lookups that find nothing"
                        + " (limit: 2); receivers stop with an error (permerror): remove includes of"
                        + " domains without SPF records");
    }

    @Test
    void dmarc_weakerPolicy_isMismatch() {
        dns.addTxt("_dmarc.example.com", "v=DMARC1; p=none; rua=mailto:dmarc@example.com");

        RecordCheck dmarc = check(validate(dmarc(DmarcPolicy.REJECT)), RecordPurpose.DMARC);

        assertThat(dmarc.status()).isEqualTo(Status.MISMATCH);
        assertThat(dmarc.message())
                .isEqualTo("Found DMARC policy p=none at _dmarc.example.com; expected p=reject or" + " stricter");
    }

    @Test
    void dmarc_stricterPolicy_isValid() {
        dns.addTxt("_dmarc.example.com", "v=DMARC1; p=reject");

        assertThat(check(validate(dmarc(DmarcPolicy.QUARANTINE)), RecordPurpose.DMARC)
                        .status())
                .isEqualTo(Status.VALID);
    }

    @Test
    void dmarc_unparsable_isConflictWithReason() {
        dns.addTxt("_dmarc.example.com", "v=DMARC1; p=sometimes");

        DnsValidation v = validate(settings());

        RecordCheck dmarc = check(v, RecordPurpose.DMARC);
        assertThat(dmarc.status()).isEqualTo(Status.CONFLICT);
        assertThat(dmarc.message())
                .startsWith("Found a DMARC record receivers cannot read: ")
                .contains("p=\"sometimes\" (expected: none, quarantine or reject)");
        assertThat(v.warnings())
                .singleElement()
                .asString()
                .startsWith("The DMARC record at _dmarc.example.com does not parse, so receivers ignore it: ");
    }

    @Test
    void dmarc_twoRecords_isConflict() {
        dns.addTxt("_dmarc.example.com", "v=DMARC1; p=none").addTxt("_dmarc.example.com", "v=DMARC1; p=reject");

        RecordCheck dmarc = check(validate(settings()), RecordPurpose.DMARC);

        assertThat(dmarc.status()).isEqualTo(Status.CONFLICT);
        assertThat(dmarc.message()).startsWith("Found 2 DMARC records at _dmarc.example.com");
    }

    @Test
    void lookup_servfail_isError() {
        dns.servfail("_dmarc.example.com");

        RecordCheck dmarc = check(validate(settings()), RecordPurpose.DMARC);

        assertThat(dmarc.status()).isEqualTo(Status.ERROR);
        assertThat(dmarc.message())
                .startsWith("Could not look up TXT at _dmarc.example.com: server failure" + " (SERVFAIL)");
    }

    @Test
    void lookup_refused_isError() {
        dns.refuse("mail.example.com");

        RecordCheck mx = check(validate(settings()), RecordPurpose.MAIL_FROM_MX);

        assertThat(mx.status()).isEqualTo(Status.ERROR);
        assertThat(mx.message()).contains("query refused (REFUSED)");
    }

    @Test
    void lookup_timeout_isError() {
        dns.dropQueries("abc._domainkey.example.com");

        DnsValidation v = validate(settings());

        assertThat(v.records().get(0).status()).isEqualTo(Status.ERROR);
        assertThat(v.records().get(0).message())
                .isEqualTo("Could not look up CNAME at abc._domainkey.example.com:"
                        + " timed out after 500ms; the record's state is unknown, try again shortly");
        assertThat(v.allValid()).isFalse();
    }

    @Test
    void txt_600ByteAnswer_fallsBackToTcp() {
        String token = "google-site-verification=" + "x".repeat(575);
        dns.addTxt("example.com", "v=spf1 include:amazonses.com ~all").add("example.com", RecordType.TXT, token);

        RecordCheck spf = check(validate(settings()), RecordPurpose.SPF);

        assertThat(spf.status()).isEqualTo(Status.VALID);
        assertThat(spf.foundValues()).contains(token);
        assertThat(dns.tcpQueryCount("example.com")).isPositive();
    }

    @Test
    void lookups_runTogether_oncePerNameAndType() {
        publish(plan(receiving()));
        dns.delay(Duration.ofMillis(100));

        validate(receiving());

        assertThat(dns.maxConcurrentQueries()).isGreaterThan(1);
        assertThat(dns.queryCount("example.com", RecordType.TXT)).isEqualTo(1);
        assertThat(dns.queryCount("example.com", RecordType.MX)).isEqualTo(1);
        // Included by both the apex and the MAIL FROM SPF records, looked up once.
        assertThat(dns.queryCount("amazonses.com", RecordType.TXT)).isEqualTo(1);
    }

    @Test
    void snapshot_whoseSpfIncludesNeverAnswer_endsAtItsDeadline_withTheUncheckedRecordInError() {
        publish(plan(settings()), RecordPurpose.SPF);
        dns.addTxt("example.com", "v=spf1 include:hop1.example.net ~all");
        for (int i = 1; i < 40; i++) {
            dns.addTxt("hop" + i + ".example.net", "v=spf1 include:hop" + (i + 1) + ".example.net ~all");
        }
        dns.dropQueries("hop1.example.net");
        CompletableFuture<Void> deadline = new CompletableFuture<>();
        List<Duration> asked = new ArrayList<>();
        DnsLookup resolver = DnsResolvers.create(List.of(dns.address()), Duration.ofSeconds(60));
        AtomicInteger answered = new AtomicInteger();
        List<String> queried = new CopyOnWriteArrayList<>();
        DnsValidator bounded = new DnsValidator(
                (name, type) -> {
                    queried.add(name + " " + type);
                    return resolver.query(name, type).whenComplete((a, e) -> answered.incrementAndGet());
                },
                Clock.fixed(NOW, ZoneOffset.UTC),
                Duration.ofSeconds(7),
                d -> {
                    asked.add(d);
                    return deadline;
                });

        CompletableFuture<DnsValidation> running = bounded.validate(plan(settings()), settings());
        // Every lookup but the include that never answers has its answer.
        Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .until(() -> queried.contains("hop1.example.net TXT") && answered.get() == queried.size() - 1);
        assertThat(running).as("held by the include that does not answer").isNotDone();
        deadline.complete(null);
        DnsValidation v = running.join();

        assertThat(asked).containsExactly(Duration.ofSeconds(7));
        RecordCheck spf = check(v, RecordPurpose.SPF);
        assertThat(spf.status()).isEqualTo(Status.ERROR);
        assertThat(spf.message())
                .isEqualTo("The DNS check ran out of time (limit: 7000 ms for one snapshot) before TXT at example.com"
                        + " was checked; the record's state is unknown, try again shortly");
        // The records whose lookups answered before the deadline keep their result.
        assertThat(check(v, RecordPurpose.DKIM).status()).isEqualTo(Status.VALID);
        assertThat(v.allValid()).isTrue();
        assertThat(dns.queryCount("hop2.example.net"))
                .as("no lookup starts after the deadline")
                .isZero();
    }

    @Test
    void snapshot_afterItsDeadline_startsNoLookupAtAll() {
        DnsValidator expired = new DnsValidator(
                DnsResolvers.create(List.of(dns.address()), Duration.ofSeconds(60)),
                Clock.fixed(NOW, ZoneOffset.UTC),
                Duration.ofMillis(1),
                d -> CompletableFuture.completedFuture(null));
        int before = dns.totalQueryCount();

        DnsValidation v = expired.validate(plan(settings()), settings()).join();

        assertThat(v.records()).allSatisfy(c -> {
            assertThat(c.status()).isEqualTo(Status.ERROR);
            assertThat(c.message()).contains("ran out of time");
        });
        assertThat(dns.totalQueryCount()).isEqualTo(before);
    }
}
