package dev.domainkeeper.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Checks that the configuration never prints its secrets. */
class ConfigSecretsTest {
    private static final String DB_PASSWORD = "s3cret-database-password";
    private static final String BOOTSTRAP_KEY = "dk_bootstrap_secret_0123456789";
    private static final String URL_PASSWORD = "url-secret-password";

    @Test
    void toString_masksTheDatabasePasswordTheBootstrapKeyAndAPasswordInTheUrl() {
        Config config = Config.fromEnvironment(Map.of(
                "DOMAINKEEPER_DATABASE_URL",
                "jdbc:postgresql://db.internal:5432/dk?ssl=true&password=" + URL_PASSWORD + "&user=dk",
                "DOMAINKEEPER_DATABASE_USER",
                "dk",
                "DOMAINKEEPER_DATABASE_PASSWORD",
                DB_PASSWORD,
                "DOMAINKEEPER_BOOTSTRAP_API_KEY",
                BOOTSTRAP_KEY,
                "DOMAINKEEPER_PORT",
                "8443"));

        String printed = config.toString();

        assertThat(printed)
                .doesNotContain(DB_PASSWORD)
                .doesNotContain(BOOTSTRAP_KEY)
                .doesNotContain(URL_PASSWORD)
                .doesNotContain(BOOTSTRAP_KEY.substring(0, 11));
        assertThat(printed)
                .contains("database=Database[url=jdbc:postgresql://db.internal:5432/dk?ssl=true&password=***&user=dk, "
                        + "user=dk, password=***]")
                .contains("bootstrapApiKey=Optional[***]")
                .contains("port=8443");
        assertThat(config.withPort(0).toString()).doesNotContain(DB_PASSWORD).doesNotContain(BOOTSTRAP_KEY);
    }

    @Test
    void toString_masksTheSecretsKeys() {
        String key = "q83vEjRWeJ0zTZ8oF8RZ1gT1ViXS7SZRq5mfvwyEKWs=";
        String previous = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

        String printed = Config.fromEnvironment(
                        Map.of("DOMAINKEEPER_SECRETS_KEY", key, "DOMAINKEEPER_SECRETS_KEY_PREVIOUS", previous))
                .toString();

        assertThat(printed)
                .doesNotContain(key)
                .doesNotContain(key.substring(0, 12))
                .doesNotContain(previous.substring(0, 12))
                .contains("secrets=Secrets[key=Optional[***], previousKeys=1]");
    }

    @Test
    void toString_withoutSecrets_saysTheyAreUnset() {
        String printed = Config.fromEnvironment(Map.of()).toString();

        assertThat(printed)
                .contains("database=Database[url=jdbc:sqlite:data/domainkeeper.db, user=null, password=null]")
                .contains("bootstrapApiKey=Optional.empty")
                .contains("secrets=Secrets[key=Optional.empty, previousKeys=0]");
    }
}
