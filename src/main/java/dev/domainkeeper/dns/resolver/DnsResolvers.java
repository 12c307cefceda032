package dev.domainkeeper.dns.resolver;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import dev.domainkeeper.dns.AuthoritativeLookup;
import dev.domainkeeper.dns.DnsLookup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import org.xbill.DNS.ResolverConfig;

/**
 * Creates {@link DnsLookup}s that query DNS servers with dnsjava, asynchronously and without a
 * cache (the caller decides what to cache).
 */
public final class DnsResolvers {

    /** The time one lookup may take when nothing else is configured. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(3);

    private DnsResolvers() {}

    /**
     * Returns a lookup that asks {@code servers} (or, when the list is empty, the system's resolvers
     * as dnsjava's {@link ResolverConfig} finds them) and gives each lookup at most {@code timeout}.
     * Answers complete on the common {@link ForkJoinPool}.
     *
     * @throws IllegalArgumentException when {@code timeout} is not positive, a server address is
     *     unresolved, or {@code servers} is empty and the system has no resolvers
     */
    public static DnsLookup create(List<InetSocketAddress> servers, Duration timeout) {
        return create(servers, timeout, ForkJoinPool.commonPool());
    }

    /**
     * Returns a lookup like {@link #create(List, Duration)} whose answers complete on {@code
     * executor}, so that work chained on them never runs on dnsjava's I/O thread.
     */
    public static DnsLookup create(List<InetSocketAddress> servers, Duration timeout, Executor executor) {
        return lookup(servers, timeout, executor);
    }

    /**
     * Returns a lookup that asks authoritative name servers on {@code port} directly, each query
     * given at most {@code timeout}, and finds their addresses through {@code servers} as
     * {@link #create(List, Duration)} does; name servers at addresses that are not public (loopback,
     * private, link-local...) are only asked when {@code allowPrivate}. Answers complete on the
     * common {@link ForkJoinPool}.
     *
     * @throws IllegalArgumentException as {@link #create(List, Duration)}, or when {@code port} is
     *     outside 1-65535
     */
    public static AuthoritativeLookup authoritative(
            List<InetSocketAddress> servers, Duration timeout, int port, boolean allowPrivate) {
        checkArgument(port >= 1 && port <= 65535, "port: %s (expected: 1-65535)", port);
        Executor executor = ForkJoinPool.commonPool();
        return new DnsjavaAuthoritativeLookup(
                lookup(servers, timeout, executor), port, timeout, executor, allowPrivate);
    }

    private static DnsjavaLookup lookup(List<InetSocketAddress> servers, Duration timeout, Executor executor) {
        requireNonNull(servers, "servers");
        requireNonNull(timeout, "timeout");
        requireNonNull(executor, "executor");
        checkArgument(!timeout.isNegative() && !timeout.isZero(), "timeout: %s (expected: > 0)", timeout);
        List<InetSocketAddress> effective =
                servers.isEmpty() ? ResolverConfig.getCurrentConfig().servers() : servers;
        checkArgument(
                !effective.isEmpty(),
                "servers: [] and the system has no DNS resolvers (expected: at least one server)");
        for (InetSocketAddress server : effective) {
            requireNonNull(server, "servers contains null");
            checkArgument(
                    !server.isUnresolved(), "servers: %s is unresolved (expected: an IP address and port)", server);
        }
        return new DnsjavaLookup(effective, timeout, executor);
    }
}
