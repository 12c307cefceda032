package dev.domainkeeper.hardening;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.domainkeeper.testing.Databases;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.LoopbackDnsServer;
import dev.domainkeeper.testing.ServiceProcess;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Sends the requests the crash and two-node tests drive a service process with: adding a domain, making
 * one a verified sender the real way (its DKIM and MAIL FROM records published on the loopback DNS
 * servers the sandbox checks), and queueing a NORMAL test email.
 */
final class ServiceTraffic {
    private ServiceTraffic() {}

    /**
     * Returns the environment of a service on the PostgreSQL schema at {@code url}, with the bootstrap
     * key {@code key}, resolving DNS through {@code dns}, and test email limits and the SES budget high
     * enough not to shape the load.
     */
    static Map<String, String> env(String url, String key, LoopbackDnsServer dns) {
        Map<String, String> env = new HashMap<>();
        env.put("DOMAINKEEPER_DATABASE_URL", url);
        env.put("DOMAINKEEPER_DATABASE_USER", Databases.POSTGRES_USER);
        env.put("DOMAINKEEPER_BOOTSTRAP_API_KEY", key);
        env.put("DOMAINKEEPER_DNS_RESOLVERS", dns.hostAndPort());
        env.put("DOMAINKEEPER_TEST_EMAIL_RATE_PER_MINUTE", "100000");
        env.put("DOMAINKEEPER_TEST_EMAIL_BURST", "100000");
        env.put("DOMAINKEEPER_SES_MAX_RPS", "200");
        env.put("DOMAINKEEPER_SES_BURST", "100000");
        env.put("DOMAINKEEPER_TEST_EMAIL_PER_DAY", "10000000");
        return env;
    }

    /** Adds {@code name}; returns the answer as it came. */
    static HttpResponse<String> add(ServiceProcess node, String name) throws Exception {
        return node.call("POST", "/domains", "{\"domain\":" + Json.quote(name) + "}");
    }

    /** Queues a NORMAL test email from the domain {@code senderId} to {@code recipient}; returns the answer. */
    static HttpResponse<String> sendNormal(ServiceProcess node, String senderId, String recipient) throws Exception {
        return node.call(
                "POST",
                "/domains/test-email",
                "{\"id\":" + Json.quote(senderId) + ",\"test_type\":\"NORMAL\",\"to_email\":" + Json.quote(recipient)
                        + "}");
    }

    /**
     * Adds {@code name}, publishes its DKIM CNAMEs and MAIL FROM MX on every server in {@code dns},
     * and waits until GetDomain says it can send; returns its id.
     */
    static String addVerifiedSender(ServiceProcess node, String name, List<LoopbackDnsServer> dns) throws Exception {
        HttpResponse<String> added = add(node, name);
        assertThat(added.statusCode()).as(added.body()).isEqualTo(200);
        JsonNode domain = Json.parse(added.body()).get("domain");
        for (JsonNode r : domain.get("dns_records")) {
            String purpose = r.get("purpose").asText();
            for (LoopbackDnsServer server : dns) {
                if (purpose.equals("DKIM")) {
                    server.addCname(r.get("name").asText(), r.get("value").asText());
                } else if (purpose.equals("MAIL_FROM_MX")) {
                    server.addMx(
                            r.get("name").asText(),
                            r.get("priority").asInt(),
                            r.get("value").asText());
                }
            }
        }
        String id = domain.get("id").asText();
        await("GetDomain of " + name + " answering can_send true")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> Json.parse(node.call("GET", "/domains/" + id, null).body())
                        .path("domain")
                        .path("can_send")
                        .asBoolean());
        return id;
    }
}
