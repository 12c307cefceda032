package dev.domainkeeper.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Checks how DOMAINKEEPER_LEASE_SECONDS is read. */
class LeaseConfigTest {

    @Test
    void leaseSeconds_unset_leavesEachLeaseAtItsDefault() {
        assertThat(Config.fromEnvironment(Map.of()).leaseDuration()).isEmpty();
    }

    @Test
    void leaseSeconds_set_overridesEveryLease() {
        assertThat(Config.fromEnvironment(Map.of("DOMAINKEEPER_LEASE_SECONDS", "10")).leaseDuration())
                .contains(Duration.ofSeconds(10));
    }

    @Test
    void leaseSeconds_belowFive_isRejectedNamingTheRange() {
        assertThatThrownBy(() -> Config.fromEnvironment(Map.of("DOMAINKEEPER_LEASE_SECONDS", "1")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("DOMAINKEEPER_LEASE_SECONDS: \"1\" is not valid (expected: an integer from 5 to 3600)");
    }
}
