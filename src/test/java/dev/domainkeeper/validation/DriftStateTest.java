package dev.domainkeeper.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.domainkeeper.domain.DnsRecord;
import dev.domainkeeper.domain.RecordPurpose;
import dev.domainkeeper.domain.RecordType;
import dev.domainkeeper.validation.DnsValidation.RecordCheck;
import dev.domainkeeper.validation.DnsValidation.Status;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DriftStateTest {
    private static final DnsRecord DKIM = new DnsRecord(
            RecordType.CNAME, "a._domainkey.x.example.com", "a.dkim.amazonses.com", 0, 1800, RecordPurpose.DKIM, true);
    private static final DnsRecord DMARC = new DnsRecord(
            RecordType.TXT, "_dmarc.x.example.com", "v=DMARC1; p=none", 0, 1800, RecordPurpose.DMARC, false);
    private static final Instant T1 = Instant.parse("2026-12-01T00:00:00Z");
    private static final Instant T2 = T1.plusSeconds(3600);
    private static final Instant T3 = T2.plusSeconds(3600);

    private static DnsValidation check(Instant at, Status dkim, Status dmarc) {
        return new DnsValidation(
                at,
                dkim == Status.VALID,
                List.of(
                        new RecordCheck(DKIM, dkim, List.of(), "dkim " + dkim),
                        new RecordCheck(DMARC, dmarc, List.of("v=DMARC1; p=reject"), "dmarc " + dmarc)),
                List.of());
    }

    private static DriftState roundTrip(DriftState s) {
        return DriftState.parse(s.json());
    }

    @Test
    void validThenMissing_drifts_once_andValidAgain_restores() {
        DriftState s = DriftState.parse(DriftState.EMPTY);

        DriftState.Step first = s.apply(check(T1, Status.VALID, Status.VALID), T1);
        assertThat(first.drifted()).isEmpty();
        assertThat(first.restored()).isEmpty();

        DriftState.Step second = roundTrip(first.state()).apply(check(T2, Status.MISSING, Status.VALID), T2);
        assertThat(second.drifted()).singleElement().satisfies(d -> {
            assertThat(d.record()).isEqualTo(DKIM);
            assertThat(d.status()).isEqualTo(Status.MISSING);
            assertThat(d.since()).isEqualTo(T2);
        });

        DriftState.Step third = roundTrip(second.state()).apply(check(T3, Status.MISMATCH, Status.VALID), T3);
        assertThat(third.drifted()).as("still drifted: no second drift").isEmpty();
        assertThat(third.state().drifted()).singleElement().satisfies(d -> {
            assertThat(d.status()).isEqualTo(Status.MISMATCH);
            assertThat(d.since()).isEqualTo(T2);
        });

        DriftState.Step fourth = roundTrip(third.state()).apply(check(T3, Status.VALID, Status.VALID), T3);
        assertThat(fourth.restored()).containsExactly(DKIM);
        assertThat(fourth.state().drifted()).isEmpty();
    }

    @Test
    void neverValid_neverDrifts() {
        DriftState.Step s = DriftState.parse(DriftState.EMPTY)
                .apply(check(T1, Status.VALID, Status.MISSING), T1)
                .state()
                .apply(check(T2, Status.VALID, Status.CONFLICT), T2);

        assertThat(s.drifted()).isEmpty();
        assertThat(s.state().drifted()).isEmpty();
    }

    @Test
    void errorKeepsWhatWasKnown() {
        DriftState drifted = DriftState.parse(DriftState.EMPTY)
                .apply(check(T1, Status.VALID, Status.VALID), T1)
                .state()
                .apply(check(T2, Status.MISSING, Status.VALID), T2)
                .state();

        DriftState.Step afterError = drifted.apply(check(T3, Status.ERROR, Status.ERROR), T3);

        assertThat(afterError.drifted()).isEmpty();
        assertThat(afterError.restored()).isEmpty();
        assertThat(afterError.state().drifted())
                .extracting(DnsHealth.Drift::record)
                .containsExactly(DKIM);
        DriftState.Step valid = DriftState.parse(DriftState.EMPTY).apply(check(T1, Status.VALID, Status.VALID), T1);
        assertThat(valid.state()
                        .apply(check(T2, Status.ERROR, Status.VALID), T2)
                        .drifted())
                .isEmpty();
    }

    @Test
    void aRecordNoLongerPlanned_isForgotten() {
        DriftState s = DriftState.parse(DriftState.EMPTY)
                .apply(check(T1, Status.VALID, Status.VALID), T1)
                .state();
        DnsRecord stricter = new DnsRecord(
                RecordType.TXT, "_dmarc.x.example.com", "v=DMARC1; p=reject", 0, 1800, RecordPurpose.DMARC, false);

        DriftState.Step step = s.apply(
                new DnsValidation(
                        T2, true, List.of(new RecordCheck(stricter, Status.MISMATCH, List.of(), "m")), List.of()),
                T2);

        assertThat(step.drifted())
                .as("the new DMARC value was never seen valid")
                .isEmpty();
        assertThat(step.state().records())
                .singleElement()
                .satisfies(t -> assertThat(t.value()).isEqualTo("v=DMARC1; p=reject"));
    }
}
