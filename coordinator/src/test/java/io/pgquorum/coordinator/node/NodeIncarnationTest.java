package io.pgquorum.coordinator.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgquorum.coordinator.cluster.LeaseOwner;
import io.pgquorum.coordinator.config.ConfigException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeIncarnationTest {
  @TempDir
  Path dir;

  @Test
  void everyStartIsANewIncarnationOfTheSameNode() {
    LeaseOwner first;
    try (NodeIncarnation a = NodeIncarnation.claim(dir, "node1")) {
      first = a.owner();
      assertThat(first.incarnation()).isEqualTo(1);
      assertThat(LeaseOwner.parse(a.ownerId())).contains(first);
    }
    try (NodeIncarnation b = NodeIncarnation.claim(dir, "node1")) {
      assertThat(b.owner().nodeId()).isEqualTo(first.nodeId());
      assertThat(b.owner().incarnation()).isEqualTo(2);
      assertThat(b.isEarlierIncarnation(first.id())).isTrue();
      assertThat(b.isEarlierIncarnation(b.ownerId())).isFalse();
    }
  }

  @Test
  void anotherNodeDirectoryIsAnotherNodeEvenWithTheSameName(@TempDir Path other) {
    try (NodeIncarnation a = NodeIncarnation.claim(dir, "node1");
        NodeIncarnation b = NodeIncarnation.claim(other, "node1")) {
      assertThat(a.owner().nodeId()).isNotEqualTo(b.owner().nodeId());
      assertThat(b.isEarlierIncarnation(a.ownerId())).isFalse();
      assertThat(a.isEarlierIncarnation(b.ownerId())).isFalse();
    }
  }

  @Test
  void aDirectoryInUseInThisProcessIsRefusedNamingTheKey() {
    try (NodeIncarnation a = NodeIncarnation.claim(dir, "node1")) {
      assertThatThrownBy(() -> NodeIncarnation.claim(dir, "node1")).isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("raft.data_dir: '" + dir + "' is in use by another pgquorum node in this process");
      assertThat(a.isEarlierIncarnation(new LeaseOwner("node1", a.owner().nodeId(), 1).id())).isFalse();
    }
    // The refusal did not disturb the released lock: the next claim works.
    try (NodeIncarnation c = NodeIncarnation.claim(dir, "node1")) {
      assertThat(c.owner().incarnation()).isEqualTo(2);
    }
  }

  @Test
  void anUnreadableRecordIsMovedAsideNotDeleted() throws Exception {
    Files.writeString(dir.resolve(NodeIncarnation.RECORD), "node_id=garbage\nincarnation=x\n");
    try (NodeIncarnation a = NodeIncarnation.claim(dir, "node1")) {
      assertThat(a.owner().incarnation()).isEqualTo(1);
    }
    try (Stream<Path> files = Files.list(dir)) {
      Path aside = files.filter(p -> p.getFileName().toString().startsWith(NodeIncarnation.RECORD + ".unreadable-"))
          .findFirst().orElseThrow();
      assertThat(Files.readString(aside)).contains("node_id=garbage");
    }
  }

  /**
   * The proof the re-adoption rests on: a daemon killed with SIGKILL no longer holds the lock, even while a child
   * it started (its watchdog, PostgreSQL) still runs; while it lives, another process is refused with its pid.
   */
  @Test
  void theLockIsHeldByTheLiveProcessOnlyAndDiesWithIt() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process holder = new ProcessBuilder(java, "-Xmx32m", "-cp", System.getProperty("java.class.path"),
        IncarnationHolder.class.getName(), dir.toString(), "node1").redirectErrorStream(true).start();
    ProcessHandle child = null;
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      String line;
      do {
        line = out.readLine(); // ends when the helper exits: then the assertion below shows what it printed
      } while (line != null && !line.startsWith("claimed "));
      assertThat(line).as("the helper claimed the directory").isNotNull();
      String[] parts = line.split(" ");
      String holderOwner = parts[1];
      child = ProcessHandle.of(Long.parseLong(parts[3])).orElseThrow();

      assertThatThrownBy(() -> NodeIncarnation.claim(dir, "node1")).isInstanceOf(ConfigException.class)
          .hasMessageContaining("is in use by another running pgquorum daemon (pid " + holder.pid() + ")");

      holder.destroyForcibly(); // SIGKILL
      assertThat(holder.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(child.isAlive()).as("the helper's child outlives it, as a watchdog does").isTrue();
      try (NodeIncarnation next = NodeIncarnation.claim(dir, "node1")) {
        assertThat(next.owner().incarnation()).isEqualTo(2);
        assertThat(next.isEarlierIncarnation(holderOwner)).isTrue();
      }
    } finally {
      holder.destroyForcibly();
      if (child != null) {
        child.destroyForcibly();
      }
    }
  }
}
