package io.pgquorum.coordinator.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.backrest.BackrestSection;
import io.pgquorum.backrest.BackrestSettings;
import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.NodeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the backrest section changes in the files pgquorum writes, without a server. */
class BackrestFilesTest {
  @TempDir
  Path base;

  private TestNodes.Builder node;
  private final AtomicReference<DynamicConfig> dynamic = new AtomicReference<>(TestNodes.dynamic(true, Map.of()));

  @BeforeEach
  void setUp() throws IOException {
    node = TestNodes.node(base, "Node-1", 5599);
    Files.createDirectories(node.dataDir());
  }

  private ConfigWriter writer(boolean backrest) {
    NodeConfig c = node.build();
    Optional<BackrestSettings> settings = backrest ? BackrestSection.parse(Map.of("repo1",
        Map.of("path", base.resolve("repo").toString())), c.scope()).settings() : Optional.empty();
    return new ConfigWriter(new PgContext(new NodeConfig(c.scope(), c.namespace(), c.name(), c.restapi(), c.raft(),
        c.bootstrap(), c.postgresql(), c.tags(), c.log(), c.watchdog(), c.ctl(), c.warnings(), settings),
        dynamic::get));
  }

  private Path conf() {
    return base.resolve("Node-1").resolve("data.pgbackrest").resolve("pgbackrest.conf");
  }

  @Test
  void withoutTheSectionNothingChanges() {
    ConfigWriter w = writer(false);
    assertThat(w.parameters(1, Map.of())).doesNotContainKeys("archive_mode", "archive_command");
    assertThat(w.recovery().settings()).doesNotContainKey("restore_command");
    w.write(1, Map.of());
    assertThat(conf()).doesNotExist();
  }

  @Test
  void theSectionSetsArchivingAndRestoreWithTheNodesOwnFile() {
    ConfigWriter w = writer(true);
    String base = "pgbackrest --config=" + conf() + " --stanza=" + TestNodes.SCOPE;
    assertThat(w.parameters(1, Map.of())).containsEntry("archive_mode", "on")
        .containsEntry("archive_command", base + " archive-push %p");
    assertThat(w.recovery().settings()).containsEntry("restore_command", base + " archive-get %f \"%p\"");
  }

  @Test
  void explicitValuesWin() {
    node.parameter("archive_command", "/bin/true").recoveryConf.put("restore_command", "cp /a/%f %p");
    dynamic.set(TestNodes.dynamic(true, Map.of("archive_mode", "always")));
    ConfigWriter w = writer(true);
    assertThat(w.parameters(1, Map.of())).containsEntry("archive_mode", "always")
        .containsEntry("archive_command", "/bin/true");
    assertThat(w.recovery().settings()).containsEntry("restore_command", "cp /a/%f %p");
  }

  @Test
  void pgbackrestConfIsWrittenBeforePostgresqlsOwnerOnlyWithThisNodesPaths() throws IOException {
    writer(true).write(1, Map.of());
    String text = Files.readString(conf());
    assertThat(text).contains("repo1-path=" + base.resolve("repo"))
        .contains("[" + TestNodes.SCOPE + "]")
        .contains("pg1-path=" + node.dataDir().toAbsolutePath().normalize())
        .contains("pg1-port=5599")
        .contains("pg1-user=" + node.build().postgresql().superuser().username());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(conf()))).isEqualTo("rw-------");
  }
}
