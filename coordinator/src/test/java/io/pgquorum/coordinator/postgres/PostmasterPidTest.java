package io.pgquorum.coordinator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** postmaster.pid read three ways: stopped, alive, or unknown (never "stopped" when it cannot be read). */
class PostmasterPidTest {
  @Test
  void noPidFileIsStopped(@TempDir Path dir) {
    assertThat(PostmasterPid.liveness(dir)).isInstanceOf(PostmasterPid.Stopped.class);
    assertThat(PostmasterPid.running(dir)).isEmpty();
  }

  @Test
  void aStalePidFileWhosePidIsNoPostgresIsStopped(@TempDir Path dir) throws Exception {
    // This JVM's own pid: alive, but not a PostgreSQL process (a pid reused after a reboot looks like this).
    Files.writeString(dir.resolve("postmaster.pid"), ProcessHandle.current().pid() + "\n" + dir + "\n1\n");
    assertThat(PostmasterPid.liveness(dir)).isInstanceOf(PostmasterPid.Stopped.class);
  }

  @Test
  void anEmptyOrGarbledPidFileIsUnknown(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("postmaster.pid"), "");
    assertThat(PostmasterPid.liveness(dir)).isInstanceOfSatisfying(PostmasterPid.Unknown.class,
        u -> assertThat(u.reason()).contains("postmaster.pid has no valid pid"));
    Files.writeString(dir.resolve("postmaster.pid"), "not-a-pid\n");
    assertThat(PostmasterPid.liveness(dir)).isInstanceOf(PostmasterPid.Unknown.class);
    assertThatThrownBy(() -> PostmasterPid.running(dir)).isInstanceOf(PostgresException.class)
        .hasMessageStartingWith("cannot tell whether PostgreSQL is running: ");
  }

  @Test
  void anUnreadablePidFileIsUnknown(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("postmaster.pid");
    Files.writeString(file, "12345\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
    try {
      assertThat(PostmasterPid.liveness(dir)).isInstanceOfSatisfying(PostmasterPid.Unknown.class,
          u -> assertThat(u.reason()).startsWith("cannot read " + file));
    } finally {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
  }

  @Test
  void onlyReadyAndStandbySayTheServerAcceptsConnections() {
    java.util.function.Function<String, PostmasterPid> with =
        st -> new PostmasterPid(1, java.util.Optional.empty(), java.util.Optional.ofNullable(st));
    assertThat(with.apply("ready").acceptsConnections()).isTrue();
    assertThat(with.apply("standby").acceptsConnections()).isTrue();
    assertThat(with.apply("starting").acceptsConnections()).isFalse();
    assertThat(with.apply("stopping").acceptsConnections()).isFalse();
    assertThat(with.apply(null).acceptsConnections()).as("no status line yet").isFalse();
  }
}
