package dev.domainkeeper.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.domainkeeper.errors.PreconditionFailedException;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecretBoxTest {
    private static final byte[] KEY = bytes(1);
    private static final byte[] OLD_KEY = bytes(2);
    private static final String SECRET = "-----BEGIN PRIVATE KEY-----\nMIIEvQ...\n-----END PRIVATE KEY-----";

    @Test
    void seal_thenOpenWithTheSameContext_givesTheSecretBack() {
        SecretBox box = SecretBox.of(KEY, List.of());

        String sealed = box.seal(SECRET, "dkim:acct_1:dom_1");

        assertThat(sealed).startsWith("dk1:").doesNotContain("PRIVATE").doesNotContain("MIIEvQ");
        assertThat(box.open(sealed, "dkim:acct_1:dom_1")).isEqualTo(SECRET);
    }

    @Test
    void seal_twice_givesDifferentCiphertexts() {
        SecretBox box = SecretBox.of(KEY, List.of());

        assertThat(box.seal(SECRET, "c")).isNotEqualTo(box.seal(SECRET, "c"));
    }

    @Test
    void open_inAnotherContext_isRefused() {
        SecretBox box = SecretBox.of(KEY, List.of());
        String sealed = box.seal(SECRET, "dkim:acct_1:dom_1");

        assertThatThrownBy(() -> box.open(sealed, "dkim:acct_2:dom_1"))
                .isInstanceOf(PreconditionFailedException.class)
                .hasMessageContaining("altered or belongs elsewhere");
    }

    @Test
    void open_ofAnAlteredValue_isRefused() {
        SecretBox box = SecretBox.of(KEY, List.of());
        String sealed = box.seal(SECRET, "c");
        int at = sealed.length() - 10; // a character that carries ciphertext bits only
        String altered = sealed.substring(0, at) + (sealed.charAt(at) == 'A' ? 'B' : 'A') + sealed.substring(at + 1);

        assertThatThrownBy(() -> box.open(altered, "c")).isInstanceOf(PreconditionFailedException.class);
        assertThatThrownBy(() -> box.open("dk1:" + sealed.split(":")[1] + ":AAAA", "c"))
                .isInstanceOf(PreconditionFailedException.class)
                .hasMessageContaining("damaged");
        assertThatThrownBy(() -> box.open("plain text", "c"))
                .isInstanceOf(PreconditionFailedException.class)
                .hasMessageContaining("format");
    }

    @Test
    void rotation_valuesSealedUnderThePreviousKeyStillOpen_newOnesUseTheNewKey() {
        String old = SecretBox.of(OLD_KEY, List.of()).seal(SECRET, "c");
        SecretBox rotated = SecretBox.of(KEY, List.of(OLD_KEY));

        assertThat(rotated.open(old, "c")).isEqualTo(SECRET);
        assertThat(rotated.seal(SECRET, "c").split(":")[1]).isNotEqualTo(old.split(":")[1]);
        assertThatThrownBy(() -> SecretBox.of(KEY, List.of()).open(old, "c"))
                .isInstanceOf(PreconditionFailedException.class)
                .hasMessageContaining("DOMAINKEEPER_SECRETS_KEY_PREVIOUS")
                .hasMessageContaining(old.split(":")[1]);
    }

    @Test
    void disabled_refusesToSealOrOpen_namingTheSetting() {
        SecretBox box = SecretBox.disabled();

        assertThat(box.enabled()).isFalse();
        assertThatThrownBy(() -> box.seal(SECRET, "c"))
                .isInstanceOf(PreconditionFailedException.class)
                .hasMessageContaining("DOMAINKEEPER_SECRETS_KEY");
        assertThatThrownBy(() -> box.open("dk1:00000000:AAAA", "c"))
                .isInstanceOf(PreconditionFailedException.class)
                .hasMessageContaining("DOMAINKEEPER_SECRETS_KEY");
    }

    @Test
    void decodeKey_acceptsBase64Of32Bytes_andRefusesOthersWithoutEchoingThem() {
        String standard = Base64.getEncoder().encodeToString(bytes(200));
        String urlSafe = Base64.getUrlEncoder().encodeToString(bytes(250));

        assertThat(SecretBox.decodeKey(standard)).isEqualTo(bytes(200));
        assertThat(SecretBox.decodeKey(urlSafe)).isEqualTo(bytes(250));
        assertThatThrownBy(() -> SecretBox.decodeKey("c2hvcnQta2V5"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("decodes to 9 bytes")
                .hasMessageNotContaining("c2hvcnQta2V5");
        assertThatThrownBy(() -> SecretBox.decodeKey("not base64 at all!"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not base64")
                .hasMessageNotContaining("at all");
    }

    @Test
    void toString_showsTheKeyIdOnly() {
        SecretBox box = SecretBox.of(KEY, List.of(OLD_KEY));

        assertThat(box.toString())
                .matches("SecretBox\\[key [0-9a-f]{8}, 2 known]")
                .doesNotContain(Base64.getEncoder().encodeToString(KEY).substring(0, 8));
    }

    private static byte[] bytes(int seed) {
        byte[] b = new byte[32];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (seed * 31 + i);
        }
        return b;
    }
}
