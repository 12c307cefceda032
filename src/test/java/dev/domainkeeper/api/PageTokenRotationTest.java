package dev.domainkeeper.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.domainkeeper.accounts.AccountService;
import dev.domainkeeper.store.AccountStore;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.MutableClock;
import dev.domainkeeper.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plays ListDomains page tokens through the HTTP/JSON API: they are opaque, bound to the account,
 * refused when changed, and survive a key rotation for their lifetime but not beyond it.
 */
class PageTokenRotationTest {
    static final Duration ROTATION = Duration.ofHours(168);

    @TempDir
    Path dir;

    /** One hour before a rotation: the key changes an hour into the test. */
    final MutableClock clock =
            new MutableClock(Instant.ofEpochMilli(2950 * ROTATION.toMillis()).minus(Duration.ofHours(1)));

    TestServer server;
    AccountService.NewKey acme;
    AccountService.NewKey other;
    String acmeId;

    @BeforeEach
    void start() {
        server = TestServer.start(
                dir,
                Map.of(
                        "DOMAINKEEPER_BACKGROUND_WORKERS",
                        "false",
                        "DOMAINKEEPER_PAGE_TOKEN_KEY_ROTATION_HOURS",
                        "168",
                        "DOMAINKEEPER_PAGE_TOKEN_LIFETIME_HOURS",
                        "24"),
                a -> a.withClock(clock));
        AccountService accounts =
                new AccountService(new AccountStore(server.server().database().jdbi()), Clock.systemUTC());
        acme = accounts.createAccount("acme");
        other = accounts.createAccount("other");
        acmeId = acme.accountId();
        for (String name : List.of("a.example.com", "b.example.com", "c.example.com")) {
            HttpResponse<String> r = server.http("POST", "/domains", acme.key(), "{\"domain\":\"" + name + "\"}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
        server.http("POST", "/domains", other.key(), "{\"domain\":\"o.example.com\"}");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> list(String key, String token) {
        return server.http("GET", "/domains?page_size=1&page_token=" + token, key, null);
    }

    private String firstToken(String key) {
        return Json.parse(server.http("GET", "/domains?page_size=1", key, null).body())
                .get("next_page_token")
                .asText();
    }

    private static List<String> names(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<String> out = new ArrayList<>();
        for (JsonNode d : Json.parse(r.body()).get("domains")) {
            out.add(d.get("domain").asText());
        }
        return out;
    }

    private static void assertRefused(HttpResponse<String> r, String reason) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        JsonNode error = Json.parse(r.body());
        assertThat(error.get("grpc-code").asText()).isEqualTo("INVALID_ARGUMENT");
        assertThat(error.get("message").asText()).startsWith("page_token: " + reason);
    }

    private long keys() {
        return server.server()
                .database()
                .jdbi()
                .withHandle(h -> h.createQuery("SELECT COUNT(*) FROM page_token_keys")
                        .mapTo(Long.class)
                        .one());
    }

    @Test
    void tokens_areOpaque_andEachIsNew() {
        String token = firstToken(acme.key());
        String again = firstToken(acme.key());

        assertThat(token).isNotEqualTo(again);
        String decoded = new String(Base64.getUrlDecoder().decode(token.replace(".", "")), StandardCharsets.ISO_8859_1);
        // The token is ciphertext: none of what it carries is readable in it. (A single separator
        // character is no check: random ciphertext bytes contain any one byte now and then.)
        assertThat(decoded).doesNotContain(acmeId).doesNotContain("domains");
        assertThat(names(list(acme.key(), token))).containsExactly("b.example.com");
        assertThat(names(list(acme.key(), again))).containsExactly("b.example.com");
    }

    @Test
    void anotherAccountsToken_isRefused_andShowsNothing() {
        String acmes = firstToken(acme.key());

        HttpResponse<String> r = list(other.key(), acmes);

        assertRefused(r, "not a valid page token");
        assertThat(r.body()).doesNotContain("example.com");
        assertThat(names(server.http("GET", "/domains", other.key(), null))).containsExactly("o.example.com");
    }

    @Test
    void aChangedToken_isRefused() {
        String token = firstToken(acme.key());
        String[] parts = token.split("\\.");
        byte[] header = Base64.getUrlDecoder().decode(parts[0]);
        byte[] body = Base64.getUrlDecoder().decode(parts[1]);
        Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();
        for (int i : new int[] {0, 5, 8}) {
            byte[] changed = header.clone();
            changed[i] ^= 0x01;
            assertRefused(list(acme.key(), encoder.encodeToString(changed) + "." + parts[1]), "not a valid page token");
        }
        for (int i : new int[] {0, 11, 12, 20, body.length - 1}) {
            byte[] changed = body.clone();
            changed[i] ^= 0x01;
            assertRefused(list(acme.key(), parts[0] + "." + encoder.encodeToString(changed)), "not a valid page token");
        }
        assertRefused(list(acme.key(), token.substring(0, token.length() - 2)), "not a valid page token");
        assertRefused(list(acme.key(), token + "AA"), "not a valid page token");
        assertThat(names(list(acme.key(), token))).containsExactly("b.example.com");
    }

    @Test
    void aTokenMadeBeforeARotation_worksForItsLifetime_andIsRefusedAfter() {
        String old = firstToken(acme.key());
        assertThat(keys()).isEqualTo(1);

        clock.advance(Duration.ofHours(2)); // Into the next rotation period.
        String fresh = firstToken(acme.key());

        assertThat(keys()).as("a new key for the new period").isEqualTo(2);
        assertThat(fresh.substring(0, fresh.indexOf('.')))
                .as("made with another key")
                .isNotEqualTo(old.substring(0, old.indexOf('.')));
        assertThat(names(list(acme.key(), old)))
                .as("the old key is still accepted")
                .containsExactly("b.example.com");

        clock.advance(Duration.ofHours(23)); // The old token is now 25 hours old.
        assertRefused(list(acme.key(), old), "expired");
        assertThat(names(list(acme.key(), fresh))).containsExactly("b.example.com");

        // Once no token made with it can be valid, the old key is deleted at the next rotation.
        clock.advance(ROTATION);
        firstToken(acme.key());
        assertThat(keys()).isEqualTo(2);
        assertRefused(list(acme.key(), fresh), "expired");
    }
}
