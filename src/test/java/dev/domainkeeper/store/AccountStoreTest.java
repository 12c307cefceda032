package dev.domainkeeper.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.domainkeeper.accounts.AccountService;
import dev.domainkeeper.domain.InvalidInputException;
import dev.domainkeeper.errors.AlreadyExistsException;
import dev.domainkeeper.errors.NotFoundException;
import dev.domainkeeper.errors.UnauthenticatedException;
import dev.domainkeeper.testing.Databases;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AccountStoreTest {
    @TempDir
    Path dir;

    static java.util.List<Databases.Kind> kinds() {
        return Databases.kinds();
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void createdKey_authenticates_untilRevoked(Databases.Kind kind) {
        try (Database db = Databases.open(kind, dir)) {
            AccountService accounts = new AccountService(new AccountStore(db.jdbi()), Clock.systemUTC());
            AccountService.NewKey key = accounts.createAccount("acme");

            assertThat(accounts.authenticate(key.key())).isEqualTo(key.accountId());
            assertThat(accounts.authenticate("  " + key.key() + " ")).isEqualTo(key.accountId());

            accounts.revoke(key.prefix());
            assertThatThrownBy(() -> accounts.authenticate(key.key())).isInstanceOf(UnauthenticatedException.class);
            assertThatThrownBy(() -> accounts.revoke(key.prefix())).isInstanceOf(NotFoundException.class);
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void keysAreStoredOnlyAsHashes(Databases.Kind kind) {
        try (Database db = Databases.open(kind, dir)) {
            AccountService accounts = new AccountService(new AccountStore(db.jdbi()), Clock.systemUTC());
            AccountService.NewKey key = accounts.createAccount("acme");

            String stored = db.jdbi()
                    .withHandle(h -> h.createQuery("SELECT key_hash FROM api_keys")
                            .mapTo(String.class)
                            .one());
            assertThat(stored).hasSize(64).doesNotContain(key.key().substring(3));
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void bootstrapKey_isIdempotent_andLandsInDefaultAccount(Databases.Kind kind) {
        try (Database db = Databases.open(kind, dir)) {
            AccountStore store = new AccountStore(db.jdbi());
            AccountService accounts = new AccountService(store, Clock.systemUTC());

            accounts.ensureBootstrapKey("dk_bootstrap_key_for_tests");
            accounts.ensureBootstrapKey("dk_bootstrap_key_for_tests");
            accounts.ensureBootstrapKey("another-bootstrap-key-1234");

            assertThat(store.listAccounts()).singleElement().satisfies(a -> {
                assertThat(a.name()).isEqualTo("default");
                assertThat(a.activeKeys()).isEqualTo(2);
            });
            assertThat(accounts.authenticate("dk_bootstrap_key_for_tests"))
                    .isEqualTo(accounts.authenticate("another-bootstrap-key-1234"));
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void accountNames_areUniqueAndValidated(Databases.Kind kind) {
        try (Database db = Databases.open(kind, dir)) {
            AccountService accounts = new AccountService(new AccountStore(db.jdbi()), Clock.systemUTC());
            accounts.createAccount("acme");

            assertThatThrownBy(() -> accounts.createAccount("acme")).isInstanceOf(AlreadyExistsException.class);
            assertThatThrownBy(() -> accounts.createAccount("bad name"))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageStartingWith("name:");
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void zoneGrants_areScopedByAccount_andRevokedByIdOrAll(Databases.Kind kind) {
        try (Database db = Databases.open(kind, dir)) {
            AccountService accounts = new AccountService(new AccountStore(db.jdbi()), Clock.systemUTC());
            String acme = accounts.createAccount("acme").accountId();
            String other = accounts.createAccount("other").accountId();

            accounts.grantZones("acme", false, java.util.List.of("Z1", "/hostedzone/z2", "Z1"));
            accounts.grantZones("acme", false, java.util.List.of("Z2"));

            assertThat(accounts.zoneGrants(acme))
                    .isEqualTo(new AccountService.ZoneGrants(false, java.util.List.of("Z1", "Z2")));
            assertThat(accounts.mayPublishTo(acme, "Z1")).isTrue();
            assertThat(accounts.mayPublishTo(acme, "/hostedzone/Z2")).isTrue();
            assertThat(accounts.mayPublishTo(acme, "Z3")).isFalse();
            assertThat(accounts.mayPublishTo(other, "Z1"))
                    .as("another account's grant")
                    .isFalse();

            accounts.grantZones("other", true, java.util.List.of());
            assertThat(accounts.mayPublishTo(other, "ZANY")).isTrue();
            assertThat(accounts.revokeZones("acme", false, java.util.List.of("Z1"))
                            .zoneIds())
                    .containsExactly("Z2");
            assertThat(accounts.mayPublishTo(acme, "Z1")).isFalse();
            assertThat(accounts.revokeZones("other", true, java.util.List.of()).none())
                    .isTrue();
            assertThat(accounts.mayPublishTo(other, "ZANY")).isFalse();
            assertThatThrownBy(() -> accounts.grantZones("acme", true, java.util.List.of("Z1")))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageStartingWith("zones:");
            assertThatThrownBy(() -> accounts.grantZones("nobody", true, java.util.List.of()))
                    .isInstanceOf(NotFoundException.class)
                    .hasMessageStartingWith("account:");
        }
    }
}
