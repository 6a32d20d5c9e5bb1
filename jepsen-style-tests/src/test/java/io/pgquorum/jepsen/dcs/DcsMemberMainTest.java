package io.pgquorum.jepsen.dcs;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.dcs.ratis.LeaseRefreshMode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The member JVM is a harness entry point for planted bugs: it reads {@code PGQUORUM_PLANTED_BUG} only with the
 * harness opt-in, knows the DCS bugs, and refuses anything else with a message naming the variable (exit 2)
 * before it starts anything.
 */
class DcsMemberMainTest {
  private static final String[] ARGS = {"n1", "g", "n1:1", "-", "/nonexistent/dcs-member-main-test"};

  private static String refusal(Map<String, String> env) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = DcsMemberMain.run(ARGS, env, System.out, new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(status).isEqualTo(2);
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aPlantedBugWithoutTheHarnessOptInIsRefused() {
    assertThat(refusal(Map.of("PGQUORUM_PLANTED_BUG", "early-expiry")))
        .startsWith("DcsMemberMain: PGQUORUM_PLANTED_BUG is set (early-expiry) but PGQUORUM_TEST_HARNESS is not "
            + "plant-bugs");
  }

  @Test
  void anUnknownBugIsRefusedNamingTheKnownDcsBugs() {
    assertThat(refusal(Map.of("PGQUORUM_PLANTED_BUG", "no-watchdog", "PGQUORUM_TEST_HARNESS", "plant-bugs")))
        .contains("PGQUORUM_PLANTED_BUG: unknown planted bug no-watchdog (known: early-expiry, stale-read");
  }

  /** The DCS trial's members get the lease refresh mode on the command line; both spellings of the modes parse. */
  @Test
  void theLeaseRefreshModeIsParsedAndAnUnknownOneIsRefusedNamingTheOption() {
    String[] local = {"n1", "g", "n1:1", "-", "/d", "--lease-refresh=leader-local"};
    assertThat(DcsMemberMain.Args.parse(local).leaseRefresh()).isEqualTo(LeaseRefreshMode.LEADER_LOCAL);
    assertThat(DcsMemberMain.Args.parse(ARGS).leaseRefresh()).isEqualTo(LeaseRefreshMode.DURABLE);
    String[] bogus = {"n1", "g", "n1:1", "-", "/d", "--lease-refresh=sometimes"};
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> DcsMemberMain.Args.parse(bogus))
        .hasMessage("--lease-refresh must be durable or leader-local, got 'sometimes'");
  }
}
