package dev.domainkeeper.dns;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.domain.RecordType;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Asks a zone's authoritative name servers directly, so that a change can be seen reaching each of
 * them before any recursive cache has it. Never throws: failures complete the futures with errors.
 */
public interface AuthoritativeLookup {

    /**
     * Returns where name server {@code host} is asked: its addresses as the configured recursive
     * resolvers give them (A records first, then AAAA), each with the port authoritative servers are
     * asked on. An empty list comes with a reason in {@link Addresses#error()}.
     */
    CompletableFuture<Addresses> addresses(String host);

    /**
     * Asks {@code server} alone for records of {@code type} at {@code name}, without recursion (RD
     * off). An answer without the AA flag (the server does not hold the zone) is an
     * {@link DnsAnswer.Outcome#ERROR} saying so.
     */
    CompletableFuture<DnsAnswer> query(InetSocketAddress server, String name, RecordType type);

    /** The addresses of one name server host, or why there are none. */
    record Addresses(List<InetSocketAddress> addresses, String error) {
        public Addresses {
            addresses = List.copyOf(addresses);
            error = error == null ? "" : error;
        }

        /** Returns the addresses found. */
        public static Addresses of(List<InetSocketAddress> addresses) {
            return new Addresses(addresses, "");
        }

        /** Returns no address, for {@code reason}. */
        public static Addresses failed(String reason) {
            return new Addresses(List.of(), requireNonNull(reason, "reason"));
        }
    }
}
