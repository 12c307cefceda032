package dev.domainkeeper.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Which addresses webhooks never go to. */
class WebhookTargetsRulesTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "127.0.0.1, loopback",
        "127.255.0.9, loopback",
        "::1, loopback",
        "10.1.2.3, private",
        "172.16.0.1, private",
        "172.31.255.255, private",
        "192.168.1.1, private",
        "169.254.169.254, metadata",
        "fd00:ec2::254, metadata",
        "169.254.1.1, link-local",
        "fe80::1, link-local",
        "fc00::1, unique local",
        "fd12:3456::1, unique local",
        "0.0.0.0, unspecified",
        "::, unspecified",
        "224.0.0.1, multicast",
        "ff02::1, multicast",
        "100.64.0.1, carrier-grade NAT",
        "::ffff:127.0.0.1, loopback",
        "::ffff:a9fe:a9fe, metadata",
    })
    void internalAddress_isRefused(String address, String kind) throws Exception {
        assertThat(WebhookTargets.refusal(InetAddress.getByName(address)))
                .hasValueSatisfying(why -> assertThat(why).contains(kind));
    }

    @ParameterizedTest
    @ValueSource(strings = {"93.184.216.34", "8.8.8.8", "172.32.0.1", "2606:2800:220:1::1", "100.128.0.1"})
    void publicAddress_isAllowed(String address) throws Exception {
        assertThat(WebhookTargets.refusal(InetAddress.getByName(address))).isEmpty();
    }
}
