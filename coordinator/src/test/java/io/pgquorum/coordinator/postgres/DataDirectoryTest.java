package io.pgquorum.coordinator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgquorum.coordinator.postgres.PgState.DataDirState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What counts as empty, by PostgreSQL's rule (initdb and pg_basebackup accept a missing or an empty directory
 * only), and what pgquorum may remove. File-level only; the real clone is in {@link LocalPostgresMethodsTest}.
 */
class DataDirectoryTest {
  @TempDir
  Path tmp;

  @Test
  void missingAndEmptyAreFreeEverythingElseIsNot() throws IOException {
    Path dir = tmp.resolve("data");
    assertThat(new DataDirectory(dir).state()).isEqualTo(DataDirState.MISSING);
    Files.createDirectory(dir);
    assertThat(new DataDirectory(dir).state()).isEqualTo(DataDirState.EMPTY);
    Files.writeString(dir.resolve("PG_VERSION"), "15\n");
    assertThat(new DataDirectory(dir).state()).isEqualTo(DataDirState.INITIALIZED);
  }

  @Test
  void aHomeDirectoryWithOnlyDotFilesIsNotEmpty() throws IOException {
    Path home = PgTestSupport.homeLike(tmp.resolve("alice"));
    DataDirectory d = new DataDirectory(home);
    assertThat(d.state()).isEqualTo(DataDirState.NOT_EMPTY);
    assertThatThrownBy(() -> d.requireMissingOrEmpty("clone replica from n1 (10.0.0.1:5432)"))
        .isInstanceOf(PostgresException.class)
        .hasMessageStartingWith("clone replica from n1 (10.0.0.1:5432): postgresql.data_dir " + home
            + " is not empty and holds no PostgreSQL cluster (found .bashrc, .ssh)")
        .hasMessageContaining("never deletes files it did not create");
  }

  @Test
  void aMountPointsLostAndFoundIsNotEmptyEither() throws IOException {
    Path mount = tmp.resolve("mnt");
    Files.createDirectories(mount.resolve("lost+found"));
    DataDirectory d = new DataDirectory(mount);
    assertThat(d.state()).isEqualTo(DataDirState.NOT_EMPTY);
    assertThatThrownBy(() -> d.requireMissingOrEmpty("bootstrap"))
        .hasMessageContaining("found lost+found").hasMessageContaining("use a subdirectory of it");
  }

  @Test
  void aFileOrADanglingLinkWhereTheDirectoryShouldBeIsNotEmpty() throws IOException {
    Path file = Files.writeString(tmp.resolve("file"), "x");
    assertThat(new DataDirectory(file).state()).isEqualTo(DataDirState.NOT_EMPTY);
    assertThatThrownBy(() -> new DataDirectory(file).requireMissingOrEmpty("bootstrap"))
        .hasMessageContaining("exists and is not a directory");
    Path link = Files.createSymbolicLink(tmp.resolve("link"), tmp.resolve("nowhere"));
    assertThat(new DataDirectory(link).state()).isEqualTo(DataDirState.NOT_EMPTY);
  }

  @Test
  void manyEntriesAreSummarised() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("full"));
    for (int i = 0; i < 8; i++) {
      Files.writeString(dir.resolve("f" + i), "x");
    }
    assertThatThrownBy(() -> new DataDirectory(dir).requireMissingOrEmpty("bootstrap"))
        .hasMessageContaining("found f0, f1, f2, f3, f4 and 3 more");
  }

  @Test
  void removeCreatedSinceKeepsWhatWasThereBefore() throws IOException {
    Path home = PgTestSupport.homeLike(tmp.resolve("bob"));
    DataDirectory d = new DataDirectory(home);
    Set<String> before = d.entries();
    Files.createDirectories(home.resolve("base").resolve("1"));
    Files.writeString(home.resolve("base").resolve("1").resolve("1259"), "partial copy");
    Files.createSymbolicLink(home.resolve("pg_wal"), home.resolve(".ssh")); // a link is removed, not followed

    d.removeCreatedSince(before);

    assertThat(d.entries()).containsExactly(".bashrc", ".ssh");
    assertThat(home.resolve(".ssh").resolve("authorized_keys")).hasContent("ssh-ed25519 AAAA alice@laptop");
  }
}
