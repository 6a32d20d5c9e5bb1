package io.pgquorum.coordinator.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The Unix socket directory default stays within the kernel's path limit. */
class SocketDirTest {

  @Test
  void aShortDataDirectoryParentIsUsed() {
    Path dir = Path.of("/var/lib/postgresql/15");
    assertThat(PgContext.socketDirFor(dir, 5432)).isEqualTo(dir);
  }

  @Test
  void aParentTooDeepForASocketFallsBackToTheTemporaryDirectory() {
    Path deep = Path.of("/work/main/jepsen-style-tests/target/jepsen-runs/stack/stack-pause-primary-daemon-2/"
        + "cluster/node1");
    assertThat(deep.resolve(".s.PGSQL.34843").toString().length()).isGreaterThan(PgContext.MAX_SOCKET_PATH_BYTES);
    Path chosen = PgContext.socketDirFor(deep, 34843);
    assertThat(chosen).isEqualTo(Path.of(System.getProperty("java.io.tmpdir")));
    assertThat(chosen.resolve(".s.PGSQL.34843").toString().length())
        .isLessThanOrEqualTo(PgContext.MAX_SOCKET_PATH_BYTES);
  }

  @Test
  void theLimitIsCountedInBytesNotCharacters() {
    // 32 three-byte characters: the socket path is 111 bytes but only 47 characters. Checked on the string, not
    // a Path: under the C locale (as on some CI machines) the JVM cannot build a Path with these characters.
    String wide = "/" + "\u20ac".repeat(32) + "/.s.PGSQL.5432";
    assertThat(wide.length()).isLessThan(PgContext.MAX_SOCKET_PATH_BYTES);
    assertThat(PgContext.socketPathFits(wide)).isFalse();
    assertThat(PgContext.socketPathFits("/" + "e".repeat(32) + "/.s.PGSQL.5432")).isTrue();
  }
}
