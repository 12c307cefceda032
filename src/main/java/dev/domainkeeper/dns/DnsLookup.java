package dev.domainkeeper.dns;

import dev.domainkeeper.domain.RecordType;
import java.util.concurrent.CompletableFuture;

/**
 * Looks up DNS records asynchronously through the configured resolvers. Never throws: failures
 * complete the future with an {@link DnsAnswer.Outcome#ERROR} answer.
 */
public interface DnsLookup {

    /** Queries {@code name} (no trailing dot needed) for records of {@code type}. */
    CompletableFuture<DnsAnswer> query(String name, RecordType type);
}
