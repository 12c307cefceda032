package dev.domainkeeper.domain;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Optional;

/**
 * Tells public addresses from the ones the service never sends a tenant's traffic to unless the
 * operator allows it: webhook targets, and name servers asked directly when propagation is checked.
 */
public final class PublicAddresses {
    private PublicAddresses() {}

    /**
     * Returns why {@code a} is not a public address (the cloud metadata address, unspecified,
     * loopback, link-local, multicast or reserved, private, unique local, carrier-grade NAT,
     * IPv4-mapped), or empty when it is one.
     */
    public static Optional<String> refusal(InetAddress a) {
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address
                && (b[0] & 0xff) == 169
                && (b[1] & 0xff) == 254
                && (b[2] & 0xff) == 169
                && (b[3] & 0xff) == 254) {
            return Optional.of("the cloud metadata address");
        }
        if (a instanceof Inet6Address
                && a.getHostAddress().replaceAll("%.*", "").equals("fd00:ec2:0:0:0:0:0:254")) {
            return Optional.of("the cloud metadata address");
        }
        if (a.isAnyLocalAddress() || (a instanceof Inet4Address && (b[0] & 0xff) == 0)) {
            return Optional.of("an unspecified address");
        }
        if (a.isLoopbackAddress()) {
            return Optional.of("a loopback address");
        }
        if (a.isLinkLocalAddress()) {
            return Optional.of("a link-local address");
        }
        if (a.isMulticastAddress() || (a instanceof Inet4Address && (b[0] & 0xff) >= 240)) {
            return Optional.of(a.isMulticastAddress() ? "a multicast address" : "a reserved address");
        }
        if (a.isSiteLocalAddress()) {
            return Optional.of("a private address");
        }
        if (a instanceof Inet6Address && (b[0] & 0xfe) == 0xfc) {
            return Optional.of("a private (unique local) address");
        }
        if (a instanceof Inet4Address && (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64) {
            return Optional.of("a shared (carrier-grade NAT) address");
        }
        if (a instanceof Inet6Address && isMappedOrCompatible(b)) {
            return Optional.of("an IPv4-mapped address");
        }
        return Optional.empty();
    }

    private static boolean isMappedOrCompatible(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return (b[10] == (byte) 0xff && b[11] == (byte) 0xff) || (b[10] == 0 && b[11] == 0);
    }
}
