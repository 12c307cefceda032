package dev.domainkeeper.webhooks;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/** Resolves a webhook URL's host name to its addresses; the system's resolver in production. */
@FunctionalInterface
public interface HostResolver {
    /** Returns every address of {@code host} (an IP literal resolves to itself). */
    List<InetAddress> resolve(String host) throws UnknownHostException;

    /** The JDK's resolver (the system's, with the JDK's short cache). */
    static HostResolver system() {
        return host -> List.of(InetAddress.getAllByName(host));
    }
}
