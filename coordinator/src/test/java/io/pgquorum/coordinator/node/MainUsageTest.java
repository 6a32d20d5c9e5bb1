package io.pgquorum.coordinator.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgquorum.coordinator.config.ConfigException;
import io.pgquorum.coordinator.config.ConfigLoader;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.coordinator.ha.HaBug;
import io.pgquorum.dcs.planted.PlantedBugs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Command-line handling of {@code bin/pgquorum}: each misuse exits 2 with a message saying what is wrong. */
class MainUsageTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "--validate-config         | 2 | --validate-config needs a file",
      "--frobnicate              | 2 | unknown option --frobnicate",
      "a.yml b.yml               | 2 | usage: pgquorum",
      "--validate-config /nonexistent/x.yml | 2 | /nonexistent/x.yml",
      "--version                 | 0 | pgquorum 0.1.0",
      "--join                    | 2 | usage: pgquorum [--join] <config.yml>",
      "--help                    | 0 | usage: pgquorum",
      "init --help               | 0 | usage: pgquorum init",
      "init --scope demo         | 2 | pgquorum init: --node is required"})
  void usage(String args, int exit, String expected) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(args.trim().split("\\s+"), Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    String all = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    assertThat(code).as(all).isEqualTo(exit);
    assertThat(all).contains(expected).doesNotContain("Exception");
  }

  private static Path minimalConfig(Path dir) throws Exception {
    Path file = dir.resolve("n.yml");
    Files.writeString(file, String.join("\n",
        "scope: demo", "name: node1", "restapi:", "  listen: 127.0.0.1:8008", "raft:",
        "  self_addr: 127.0.0.1:5010", "  data_dir: " + dir.resolve("raft"), "postgresql:",
        "  listen: 127.0.0.1:5432", "  data_dir: " + dir.resolve("pg"), "  authentication:",
        "    superuser: {username: postgres, password: 'a'}",
        "    replication: {username: replicator, password: 'b'}", ""));
    return file;
  }

  private static String startError(Path file, Map<String, String> env, int expectedCode) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(new String[] {file.toString()}, env,
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(expectedCode);
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void anUnknownPlantedBugIsAStartupErrorNamingTheVariable(@TempDir Path dir) throws Exception {
    String error = startError(minimalConfig(dir), Map.of("PGQUORUM_PLANTED_BUG", "bogus", "PGQUORUM_TEST_HARNESS",
        "plant-bugs"), 2);
    assertThat(error).startsWith("pgquorum: PGQUORUM_PLANTED_BUG: unknown planted bug bogus (known: ");
    // Every bug bin/pgquorum can plant is named: the coordinator's (HA and PostgreSQL) and its DCS member's.
    for (io.pgquorum.dcs.planted.PlantedBug b : HaBug.values()) {
      assertThat(error).contains(b.id());
    }
    for (io.pgquorum.dcs.planted.PlantedBug b : io.pgquorum.coordinator.postgres.PgBug.values()) {
      assertThat(error).contains(b.id());
    }
    for (io.pgquorum.dcs.planted.PlantedBug b : io.pgquorum.dcs.planted.DcsBug.values()) {
      assertThat(error).contains(b.id());
    }
  }

  @Test
  void aPlantedBugWithoutTheHarnessOptInIsRefused(@TempDir Path dir) throws Exception {
    // A stray variable in a production environment must stop the start, not run a deliberately unsafe node.
    assertThat(startError(minimalConfig(dir), Map.of("PGQUORUM_PLANTED_BUG", "no-watchdog"), 2))
        .startsWith("pgquorum: PGQUORUM_PLANTED_BUG is set (no-watchdog) but PGQUORUM_TEST_HARNESS is not "
            + "plant-bugs");
  }

  @Test
  void noWatchdogIsRefusedWhenTheWatchdogIsRequired(@TempDir Path dir) throws Exception {
    Path file = minimalConfig(dir);
    Files.writeString(file, Files.readString(file) + "watchdog: {mode: required}\n");
    NodeConfig config = ConfigLoader.load(file, Map.of());
    // The bug must not silently override the operator's "never lead without a watchdog".
    assertThatThrownBy(() -> PgQuorumNode.start(config, PlantedBugs.of(HaBug.NO_WATCHDOG)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("watchdog.mode: is required, which the planted bug no-watchdog would override; set "
            + "watchdog.mode to automatic or off for this test");
  }
}
