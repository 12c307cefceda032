package dev.domainkeeper.ses.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.domainkeeper.domain.DkimKeyLength;
import dev.domainkeeper.ses.DkimKeyChangeTooSoonException;
import dev.domainkeeper.ses.DkimSigning;
import dev.domainkeeper.store.Database;
import dev.domainkeeper.testing.Databases;
import dev.domainkeeper.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The sandbox keeps DKIM key lengths like SES, once-a-day rule included, on SQLite and PostgreSQL. */
class SandboxDkimKeyLengthTest {
    private static final Instant START = Instant.parse("2026-01-10T08:00:00Z");

    @TempDir
    Path tempDir;

    static Iterable<Databases.Kind> kinds() {
        return Databases.kinds();
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void keyLength_createdChangedOnceADay(Databases.Kind kind) {
        MutableClock clock = new MutableClock(START);
        try (Database db = Databases.open(kind, tempDir)) {
            SandboxSesGateway ses = new SandboxSesGateway(db.jdbi(), (name, type) -> new CompletableFuture<>(), clock);
            ses.createIdentity("us-east-1", "example.com", "dom_1", DkimKeyLength.RSA_1024_BIT);
            assertThat(ses.getDkimSigning("us-east-1", "example.com"))
                    .isEqualTo(new DkimSigning(DkimKeyLength.RSA_1024_BIT, DkimKeyLength.RSA_1024_BIT, START));

            clock.advance(Duration.ofHours(1));
            ses.putDkimKeyLength("us-east-1", "example.com", DkimKeyLength.RSA_1024_BIT); // same length: no-op
            assertThatThrownBy(() -> ses.putDkimKeyLength("us-east-1", "example.com", DkimKeyLength.RSA_2048_BIT))
                    .isInstanceOf(DkimKeyChangeTooSoonException.class)
                    .hasMessageContaining("dkim_key_length")
                    .hasMessageContaining("2026-01-11T08:00:00Z");

            clock.advance(Duration.ofHours(23));
            ses.putDkimKeyLength("us-east-1", "example.com", DkimKeyLength.RSA_2048_BIT);
            Instant changedAt = START.plus(Duration.ofHours(24));
            assertThat(ses.getDkimSigning("us-east-1", "example.com"))
                    .isEqualTo(new DkimSigning(DkimKeyLength.RSA_2048_BIT, DkimKeyLength.RSA_2048_BIT, changedAt));
            assertThat(ses.getDkimSigning("us-east-1", "other.example")).isNull();
        }
    }
}
