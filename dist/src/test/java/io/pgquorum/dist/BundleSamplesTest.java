package io.pgquorum.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.config.ConfigLoader;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.testkit.proc.Commands;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundle's systemd units and sample configurations, as shipped (src/main/systemd, src/main/conf): the unit
 * settings an HA daemon needs, checked key by key (and by systemd-analyze where the machine has it), and the three
 * sample nodes loaded by pgquorum's own configuration loader.
 */
class BundleSamplesTest {
  private static final Path SYSTEMD = Path.of("src/main/systemd");
  private static final Path CONF = Path.of("src/main/conf");
  private static final List<String> UNITS = List.of("pgquorum.service", "pgquorum@.service");
  /** The DCS witness's unit: no PostgreSQL, so none of the settings above that protect one. */
  private static final String WITNESS_UNIT = "pgquorum-witness.service";
  private static final Path SYSTEMD_ANALYZE = Path.of("/usr/bin/systemd-analyze");

  @Test
  void everyUnitHasTheSettingsAnHaDaemonNeeds() throws IOException {
    for (String unit : UNITS) {
      Map<String, List<String>> service = section(SYSTEMD.resolve(unit), "Service");
      assertThat(service.get("User")).as("%s User", unit).containsExactly("postgres");
      // Only the daemon is signalled: PostgreSQL, detached in the same control group, survives a restart.
      assertThat(service.get("KillMode")).as("%s KillMode", unit).containsExactly("process");
      assertThat(service.get("Restart")).as("%s Restart", unit).containsExactly("on-failure");
      assertThat(service.get("RestartPreventExitStatus")).as("%s: exit 2 (bad config, duplicate name)", unit)
          .singleElement().satisfies(v -> assertThat(v.split("\\s+")).contains("2"));
      assertThat(service.get("SuccessExitStatus")).as("%s: the JVM's exit on SIGTERM", unit)
          .singleElement().satisfies(v -> assertThat(v.split("\\s+")).contains("143"));
      assertThat(service.get("ExecStart")).as("%s ExecStart", unit).singleElement()
          .satisfies(v -> assertThat(v).startsWith("/opt/pgquorum/bin/pgquorum /etc/pgquorum/").endsWith(".yml"));
      assertThat(service.get("TimeoutStopSec")).as("%s TimeoutStopSec", unit).hasSize(1);
      // bin/lib-classpath.sh keeps the class-data sharing archive in $CACHE_DIRECTORY (InstallIT runs with it).
      assertThat(service.get("CacheDirectory")).as("%s CacheDirectory", unit).containsExactly("pgquorum");
    }
    assertThat(section(SYSTEMD.resolve("pgquorum@.service"), "Service").get("ExecStart").get(0))
        .as("the template takes the configuration's name").endsWith("/etc/pgquorum/%i.yml");
  }

  @Test
  void theWitnessUnitRunsTheWitnessAndIsRestartedUnlessItsConfigurationIsInvalid() throws IOException {
    Map<String, List<String>> service = section(SYSTEMD.resolve(WITNESS_UNIT), "Service");
    assertThat(service.get("ExecStart")).singleElement()
        .isEqualTo("/opt/pgquorum/bin/pgquorum witness /etc/pgquorum/witness.yml");
    assertThat(service.get("Restart")).containsExactly("on-failure");
    assertThat(service.get("RestartPreventExitStatus")).singleElement()
        .satisfies(v -> assertThat(v.split("\\s+")).contains("2"));
    assertThat(service.get("SuccessExitStatus")).singleElement()
        .satisfies(v -> assertThat(v.split("\\s+")).contains("143"));
    assertThat(service.get("CacheDirectory")).containsExactly("pgquorum");
    assertThat(service.get("User")).as("never root").singleElement().isNotEqualTo("root");
    // It leaves no process behind (nothing runs detached), so the default control-group kill applies.
    assertThat(service).doesNotContainKey("KillMode");
  }

  @Test
  void theStopTimeoutOutlastsAStopOfPostgresqlInEverySample() throws IOException {
    for (String unit : UNITS) {
      int timeoutStop = Integer.parseInt(section(SYSTEMD.resolve(unit), "Service").get("TimeoutStopSec").get(0));
      for (String node : List.of("node1.yml", "node2.yml", "node3.yml")) {
        int pgCtlTimeout = ConfigLoader.load(CONF.resolve(node), Map.of()).postgresql().pgCtlTimeout();
        // A stop runs before_stop (at most pg_ctl_timeout) and then pg_ctl stop (at most pg_ctl_timeout).
        assertThat(timeoutStop).as("%s TimeoutStopSec vs 2 x pg_ctl_timeout of %s", unit, node)
            .isGreaterThan(2 * pgCtlTimeout);
      }
    }
  }

  @Test
  void theSampleNodesFormOneClusterAndLoadWithoutWarnings() {
    List<NodeConfig> configs = new ArrayList<>();
    for (String node : List.of("node1.yml", "node2.yml", "node3.yml")) {
      NodeConfig c = ConfigLoader.load(CONF.resolve(node), Map.of());
      assertThat(c.warnings()).as("warnings of %s", node).isEmpty();
      configs.add(c);
    }
    assertThat(configs).extracting(NodeConfig::name).containsExactly("node1", "node2", "node3");
    assertThat(configs).extracting(NodeConfig::scope).containsOnly("demo");
    for (NodeConfig c : configs) {
      List<String> others = configs.stream().filter(o -> o != c).map(o -> o.raft().selfAddr().toString()).toList();
      assertThat(c.raft().partnerAddrs()).extracting(Object::toString).as("partners of %s", c.name())
          .containsExactlyInAnyOrderElementsOf(others);
    }
  }

  /**
   * systemd's own checker: it parses every key (a misspelt key or value is reported, though its exit code stays
   * 0, so its output must say nothing about the unit). It also requires ExecStart's program to exist, so the
   * checked copies run /bin/true; the template is checked as an instance.
   */
  @Test
  void systemdAnalyzeVerifyReportsNothing(@TempDir Path dir) throws IOException {
    // Required, not skipped: .ci/run installs it (Debian's systemd package; nothing is started by installing it).
    assertThat(Files.isExecutable(SYSTEMD_ANALYZE)).as(SYSTEMD_ANALYZE + " (apt-get install systemd)").isTrue();
    for (String unit : java.util.stream.Stream.concat(UNITS.stream(), java.util.stream.Stream.of(WITNESS_UNIT))
        .toList()) {
      String text = Files.readString(SYSTEMD.resolve(unit)).replace("/opt/pgquorum/bin/pgquorum", "/bin/true");
      Path copy = dir.resolve(unit.replace("@.service", "@node1.service"));
      Files.writeString(copy, text);
      String out = Commands.runChecked(List.of(SYSTEMD_ANALYZE.toString(), "verify", copy.toString()), 60);
      // Only what it says about this unit: the other units it loads (network-online.target ...) are the machine's.
      String name = copy.getFileName().toString();
      assertThat(out.lines().filter(l -> l.contains(name)))
          .as("systemd-analyze verify %s:\n%s", unit, out).isEmpty();
    }
  }

  /** The keys of one [section] of a unit file: key to its values in order (comments and blank lines skipped). */
  static Map<String, List<String>> section(Path unit, String name) throws IOException {
    Map<String, List<String>> keys = new LinkedHashMap<>();
    String current = null;
    for (String line : Files.readAllLines(unit)) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#") || l.startsWith(";")) {
        continue;
      }
      if (l.startsWith("[") && l.endsWith("]")) {
        current = l.substring(1, l.length() - 1);
      } else if (name.equals(current) && l.contains("=")) {
        keys.computeIfAbsent(l.substring(0, l.indexOf('=')).strip(), k -> new ArrayList<>())
            .add(l.substring(l.indexOf('=') + 1).strip());
      }
    }
    assertThat(keys).as("[%s] of %s", name, unit).isNotEmpty();
    return keys;
  }
}
