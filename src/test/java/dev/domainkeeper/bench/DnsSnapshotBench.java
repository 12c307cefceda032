package dev.domainkeeper.bench;

import dev.domainkeeper.dns.resolver.DnsResolvers;
import dev.domainkeeper.domain.DkimSetup;
import dev.domainkeeper.domain.DnsRecord;
import dev.domainkeeper.domain.DomainName;
import dev.domainkeeper.domain.DomainSettings;
import dev.domainkeeper.domain.RequiredRecords;
import dev.domainkeeper.testing.LoopbackDnsServer;
import dev.domainkeeper.validation.DnsValidation;
import dev.domainkeeper.validation.DnsValidator;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Measures how long a DNS validation snapshot of a receiving-enabled domain takes when every DNS
 * answer is held back by 100 ms, and prints that time divided by 100 ms: about 1 when all lookups
 * run together, about the number of lookups when they run one after another. Not a test: it never
 * fails on timing. Run it (with the other benchmarks) with {@code bench/run.sh}.
 */
public final class DnsSnapshotBench {
    private static final Duration DELAY = Duration.ofMillis(100);
    private static final int WARMUP = 5;
    private static final int RUNS = 15;

    private DnsSnapshotBench() {}

    public static void main(String[] args) {
        DomainName domain = DomainName.parse("domain", "bench.example.com");
        DomainSettings defaults = DomainSettings.defaults(domain);
        DomainSettings settings = new DomainSettings(
                true, true, true, defaults.dmarcPolicy(), "", defaults.spfMode(), "", defaults.mailFromDomain());
        List<DnsRecord> records = RequiredRecords.plan(
                domain, settings, new DkimSetup(List.of("tok1", "tok2", "tok3"), "dkim.amazonses.com"), "us-east-1");
        try (LoopbackDnsServer dns = LoopbackDnsServer.start()) {
            dns.publish(records);
            dns.addTxt("amazonses.com", "v=spf1 ip4:199.255.192.0/22 ip4:199.127.232.0/22 -all");
            DnsValidator validator = new DnsValidator(
                    DnsResolvers.create(List.of(dns.address()), Duration.ofSeconds(3)), Clock.systemUTC());

            for (int i = 0; i < WARMUP; i++) {
                validator.validate(records, settings).join();
            }
            dns.delay(DELAY);
            dns.resetCounters();
            long[] nanos = new long[RUNS];
            DnsValidation last = null;
            for (int i = 0; i < RUNS; i++) {
                long start = System.nanoTime();
                last = validator.validate(records, settings).join();
                nanos[i] = System.nanoTime() - start;
            }
            Arrays.sort(nanos);
            double medianMs = nanos[RUNS / 2] / 1e6;
            System.out.printf(
                    Locale.ROOT,
                    "records: %d, lookups per snapshot: %d, all valid: %s%n",
                    records.size(),
                    dns.totalQueryCount() / RUNS,
                    last.allValid());
            System.out.printf(
                    Locale.ROOT,
                    "snapshot time: median %.0f ms, min %.0f ms, max %.0f ms over %d runs" + " with %d ms per lookup%n",
                    medianMs,
                    nanos[0] / 1e6,
                    nanos[RUNS - 1] / 1e6,
                    RUNS,
                    DELAY.toMillis());
            System.out.printf(
                    Locale.ROOT,
                    "ratio (median / %d ms): %.2f (expected: <= 1.5)%n",
                    DELAY.toMillis(),
                    medianMs / DELAY.toMillis());
        }
    }
}
