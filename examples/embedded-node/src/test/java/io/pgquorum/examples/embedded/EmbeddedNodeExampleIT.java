package io.pgquorum.examples.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.testkit.FreePorts;
import io.pgquorum.testkit.NodeYaml;
import io.pgquorum.testkit.proc.JavaCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Builds on the embedding API alone and runs: the example launcher starts a one-node cluster (a Raft group of one,
 * a real PostgreSQL 15), reports its role changes, becomes primary, and stops with a handover, leaving no
 * PostgreSQL running.
 */
class EmbeddedNodeExampleIT {
  @TempDir
  Path dir;

  @Test
  void theExampleLauncherRunsANodeToPrimaryAndStopsIt() throws Exception {
    int rest = FreePorts.next();
    int raft = FreePorts.next();
    int pg = FreePorts.next();
    Path data = dir.resolve("data");
    Path yaml = dir.resolve("node1.yml");
    Files.writeString(yaml, new NodeYaml()
        .scope("example", "/service/")
        .name("node1")
        .rest("127.0.0.1:" + rest, "127.0.0.1:" + rest)
        .raft("127.0.0.1:" + raft, "127.0.0.1:" + raft, List.of(), dir.resolve("raft"))
        .postgres("127.0.0.1:" + pg, "127.0.0.1:" + pg, data, dir.resolve("pgpass"))
        .passwords("example-super", "example-repl")
        .render());
    Path out = dir.resolve("example.out");
    Process p = new ProcessBuilder(JavaCommand.of(EmbeddedNodeExample.class)
        .classPath(System.getProperty("java.class.path")).args(yaml.toString()).toList())
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    boolean ended = p.waitFor(180, TimeUnit.SECONDS);
    if (!ended) {
      p.destroyForcibly().waitFor();
    }
    String text = Files.readString(out);
    System.out.println("the example's output:\n" + text.lines().filter(l -> !l.contains(" INFO ")
        && !l.contains(" WARN ") && !l.contains(" DEBUG ")).collect(java.util.stream.Collectors.joining("\n")));
    assertThat(ended).as("the example ended within 180 s:\n%s", text).isTrue();
    assertThat(p.exitValue()).as("exit status:\n%s", text).isZero();
    assertThat(text).contains("started node1 of example (embedding API ")
        .containsPattern("role: \\w+ -> PRIMARY")
        // The first view that shows PostgreSQL writable may still carry Patroni's state "starting".
        .containsPattern("primary: node1 on timeline 1, holds the lock: true \\((running|starting)\\)")
        .contains("stopped with a handover");
    assertThat(postgresRunning(data)).as("PostgreSQL after the handover").isFalse();
  }

  private static boolean postgresRunning(Path data) throws IOException {
    Path pid = data.resolve("postmaster.pid");
    if (!Files.exists(pid)) {
      return false;
    }
    long p = Long.parseLong(Files.readAllLines(pid).get(0).trim());
    return ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false);
  }
}
