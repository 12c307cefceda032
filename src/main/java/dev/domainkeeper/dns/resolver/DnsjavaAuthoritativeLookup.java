package dev.domainkeeper.dns.resolver;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.dns.AuthoritativeLookup;
import dev.domainkeeper.dns.DnsAnswer;
import dev.domainkeeper.domain.PublicAddresses;
import dev.domainkeeper.domain.RecordType;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Asks authoritative name servers with dnsjava: one {@link org.xbill.DNS.SimpleResolver} per
 * server asked, without recursion, each query within the one lookup timeout (see {@link
 * DnsjavaLookup}); name server addresses come from the recursive resolvers. Unless private
 * addresses are allowed, an address that is not public ({@link PublicAddresses}) is never asked: a
 * tenant's NS and A records must not point the service's queries into its own network.
 */
final class DnsjavaAuthoritativeLookup implements AuthoritativeLookup {
    private final DnsjavaLookup resolvers;
    private final int port;
    private final Duration timeout;
    private final Executor executor;
    private final boolean allowPrivate;

    DnsjavaAuthoritativeLookup(
            DnsjavaLookup resolvers, int port, Duration timeout, Executor executor, boolean allowPrivate) {
        this.allowPrivate = allowPrivate;
        this.resolvers = requireNonNull(resolvers, "resolvers");
        this.port = port;
        this.timeout = requireNonNull(timeout, "timeout");
        this.executor = requireNonNull(executor, "executor");
    }

    @Override
    public CompletableFuture<Addresses> addresses(String host) {
        return resolvers.addresses(host, port).thenApply(found -> allowPrivate ? found : publicOnly(host, found));
    }

    private static Addresses publicOnly(String host, Addresses found) {
        List<InetSocketAddress> allowed = new ArrayList<>();
        String refused = "";
        for (InetSocketAddress a : found.addresses()) {
            Optional<String> why = PublicAddresses.refusal(a.getAddress());
            if (why.isEmpty()) {
                allowed.add(a);
            } else if (refused.isEmpty()) {
                refused = host + " resolves to " + a.getAddress().getHostAddress() + ", " + why.get()
                        + ", where name servers are not asked (expected: a public address; the operator may allow"
                        + " private ones with DOMAINKEEPER_DNS_AUTHORITATIVE_ALLOW_PRIVATE=true)";
            }
        }
        return allowed.isEmpty() && !refused.isEmpty()
                ? Addresses.failed(refused)
                : new Addresses(allowed, found.error());
    }

    @Override
    public CompletableFuture<DnsAnswer> query(InetSocketAddress server, String name, RecordType type) {
        requireNonNull(server, "server");
        return DnsjavaLookup.authoritative(server, timeout, executor).query(name, type);
    }

    @Override
    public String toString() {
        return "DnsjavaAuthoritativeLookup[port=" + port + ", timeout=" + timeout + ", allowPrivate=" + allowPrivate
                + ", names through " + resolvers + "]";
    }
}
