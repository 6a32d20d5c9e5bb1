package io.pgquorum.coordinator.fence;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which processes the fence takes for a data directory's PostgreSQL: only processes named postgres whose working
 * directory is that directory (stand-ins: copies of sleep), never a process of another name there (a shell, psql)
 * nor a postgres of another directory. Against real PostgreSQL: {@code FencingTest}.
 */
class PgProcessesTest {
  @TempDir
  Path dir;
  final List<Process> started = new ArrayList<>();

  @AfterEach
  void stop() {
    // Children first: a shell's backgrounded "postgres" would outlive the shell (re-parented to init) for 600 s.
    for (Process p : started) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }

  private Process run(Path binary, Path cwd) throws Exception {
    Process p = new ProcessBuilder(binary.toString(), "600").directory(cwd.toFile()).start();
    started.add(p);
    return p;
  }

  @Test
  void findsOnlyPostgresProcessesInTheDataDirectoryParentsFirst() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Path other = Files.createDirectories(dir.resolve("other"));
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path postgres = Files.copy(Path.of("/bin/sleep"), bin.resolve("postgres"), StandardCopyOption.COPY_ATTRIBUTES);
    Path notPostgres = Files.copy(Path.of("/bin/sleep"), bin.resolve("psql"), StandardCopyOption.COPY_ATTRIBUTES);
    Process ours = run(postgres, data);
    run(postgres, other);
    run(notPostgres, data);
    // A child of ours (a backend), also in the data directory: found after its parent.
    Process child = new ProcessBuilder("sh", "-c", "cd '" + data + "' && exec '" + postgres + "' 600 & wait")
        .start();
    started.add(child);

    PgProcesses.Scan scan = null;
    for (int i = 0; i < 200; i++) { // the shell needs a moment to start its child
      scan = new PgProcesses(data).scan();
      if (scan.members().size() == 2) {
        break;
      }
      Thread.sleep(20); // polling for a process to appear, with a bound
    }
    assertThat(scan.members()).extracting(PgProcesses.Member::pid).hasSize(2).contains(ours.pid());
    assertThat(new PgProcesses(dir.resolve("data/../data")).scan().members()).hasSize(2);
    assertThat(new PgProcesses(dir.resolve("empty")).scan().empty()).as("a missing directory").isTrue();
  }

  @Test
  void aPostgresOfThisDirectoryWhoseParentIsAlsoOneComesAfterIt() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Path postgres = Files.copy(Path.of("/bin/sleep"), Files.createDirectories(dir.resolve("bin"))
        .resolve("postgres"), StandardCopyOption.COPY_ATTRIBUTES);
    // A "postmaster" (a shell named postgres is not possible; use bash copied as postgres) with a "backend" child.
    Path pmShell = Files.copy(Path.of("/bin/bash"), dir.resolve("bin").resolve("postmaster"),
        StandardCopyOption.COPY_ATTRIBUTES);
    Process pm = new ProcessBuilder(pmShell.toString(), "-c", "'" + postgres + "' 600 & wait").directory(data.toFile())
        .start();
    started.add(pm);
    PgProcesses.Scan scan = null;
    for (int i = 0; i < 200; i++) {
      scan = new PgProcesses(data).scan();
      if (scan.members().size() == 2) {
        break;
      }
      Thread.sleep(20); // polling for the child to appear, with a bound
    }
    assertThat(scan.members()).extracting(PgProcesses.Member::pid).first().isEqualTo(pm.pid());
    for (PgProcesses.Member m : scan.members()) {
      m.handle().destroyForcibly();
    }
  }

  /** What the fence waits for after its scan is empty: a zombie has exited, a running or half-torn-down one not. */
  @Test
  void aZombieOrAVanishedProcessHasExitedARunningOneNot() throws Exception {
    // The child ends only once its parent has exec'd into a sleep that never waits for it, so it stays a zombie. A
    // child that ended at once ("sleep 0 &") could end before the exec and be reaped by bash: that race failed CI once.
    Process parent = new ProcessBuilder("/bin/bash", "-c",
        "/bin/sh -c 'while [ \"$(cat /proc/$PPID/comm)\" != sleep ]; do /bin/sleep 0.01; done' & exec /bin/sleep 600")
        .start();
    started.add(parent);
    ProcessHandle zombie = null;
    for (int i = 0; i < 250 && zombie == null; i++) {
      zombie = parent.toHandle().children().filter(c -> PgProcesses.exited(c.pid())).findFirst().orElse(null);
      if (zombie == null) {
        Thread.sleep(20); // polling for the child to exit, with a bound
      }
    }
    assertThat(zombie).as("the zombie child").isNotNull();
    assertThat(PgProcesses.exited(parent.pid())).as("the running parent").isFalse();
    assertThat(PgProcesses.exited(ProcessHandle.current().pid())).as("this JVM").isFalse();
    parent.destroyForcibly().waitFor();
    assertThat(PgProcesses.exited(parent.pid())).as("a reaped process").isTrue();
  }
}
