package dev.domainkeeper.dns.resolver;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.dns.AuthoritativeLookup;
import dev.domainkeeper.dns.DnsAnswer;
import dev.domainkeeper.domain.RecordType;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Asks authoritative name servers with dnsjava: one {@link org.xbill.DNS.SimpleResolver} per
 * server asked, without recursion, each query within the one lookup timeout (see {@link
 * DnsjavaLookup}); name server addresses come from the recursive resolvers.
 */
final class DnsjavaAuthoritativeLookup implements AuthoritativeLookup {
    private final DnsjavaLookup resolvers;
    private final int port;
    private final Duration timeout;
    private final Executor executor;

    DnsjavaAuthoritativeLookup(DnsjavaLookup resolvers, int port, Duration timeout, Executor executor) {
        this.resolvers = requireNonNull(resolvers, "resolvers");
        this.port = port;
        this.timeout = requireNonNull(timeout, "timeout");
        this.executor = requireNonNull(executor, "executor");
    }

    @Override
    public CompletableFuture<Addresses> addresses(String host) {
        return resolvers.addresses(host, port);
    }

    @Override
    public CompletableFuture<DnsAnswer> query(InetSocketAddress server, String name, RecordType type) {
        requireNonNull(server, "server");
        return DnsjavaLookup.authoritative(server, timeout, executor).query(name, type);
    }

    @Override
    public String toString() {
        return "DnsjavaAuthoritativeLookup[port=" + port + ", timeout=" + timeout + ", names through " + resolvers
                + "]";
    }
}
