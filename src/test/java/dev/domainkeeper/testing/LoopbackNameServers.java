package dev.domainkeeper.testing;

import dev.domainkeeper.domain.RecordType;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A resolver and three authoritative name servers on loopback, for propagation tests: the resolver
 * ({@link LoopbackDnsServer} on 127.0.0.1) holds the NS records {@link #delegate} adds and the A
 * records of {@code ns1..ns3.example.net}; the name servers listen on 127.0.0.2-4, all on
 * {@link #port()}. As a JUnit extension it empties every server before each test and closes them
 * after the class.
 */
public final class LoopbackNameServers implements AutoCloseable, BeforeEachCallback, AfterAllCallback {
    private final LoopbackDnsServer resolver;
    private final List<LoopbackDnsServer> nameServers;

    private LoopbackNameServers(LoopbackDnsServer resolver, List<LoopbackDnsServer> nameServers) {
        this.resolver = resolver;
        this.nameServers = nameServers;
    }

    /** Starts the resolver and the three name servers. */
    public static LoopbackNameServers start() {
        LoopbackDnsServer resolver = LoopbackDnsServer.start();
        try {
            return new LoopbackNameServers(
                    resolver, LoopbackDnsServer.startGroup("127.0.0.2", "127.0.0.3", "127.0.0.4"));
        } catch (RuntimeException e) {
            resolver.close();
            throw e;
        }
    }

    /** Returns the server standing for the recursive resolvers. */
    public LoopbackDnsServer resolver() {
        return resolver;
    }

    /** Returns the name servers {@code ns1..ns3.example.net}, in that order. */
    public List<LoopbackDnsServer> nameServers() {
        return nameServers;
    }

    /** Returns the port every name server listens on (what {@code DOMAINKEEPER_DNS_AUTHORITATIVE_PORT} takes). */
    public int port() {
        return nameServers.get(0).address().getPort();
    }

    /**
     * Makes the three name servers those of {@code zone} as the resolver sees it: NS records (added
     * in reverse order, so that a caller sorting them shows) and the hosts' A records.
     */
    public LoopbackNameServers delegate(String zone) {
        for (int i = nameServers.size(); i >= 1; i--) {
            resolver.add(zone, RecordType.NS, "ns" + i + ".example.net");
            resolver.addA("ns" + i + ".example.net", "127.0.0." + (i + 1));
        }
        return this;
    }

    /** Returns how many queries the name servers received in all. */
    public int nameServerQueryCount() {
        return nameServers.stream().mapToInt(LoopbackDnsServer::totalQueryCount).sum();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        resolver.clear().resetCounters();
        nameServers.forEach(s -> s.clear().resetCounters());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        resolver.close();
        nameServers.forEach(LoopbackDnsServer::close);
    }
}
