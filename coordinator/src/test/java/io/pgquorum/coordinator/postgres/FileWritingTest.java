package io.pgquorum.coordinator.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileWritingTest {
  @TempDir
  Path dir;

  private Object inode(Path p) throws Exception {
    return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
  }

  @Test
  void identicalContentIsNotRewrittenButAnyDifferenceIs() throws Exception {
    Path f = dir.resolve("pg_hba.conf");
    byte[] v1 = "host all all 127.0.0.1/32 md5\n".getBytes(StandardCharsets.UTF_8);
    FileWriting.writeAtomically(f, v1, true);
    Object first = inode(f);
    assertThat(Files.readAllBytes(f)).isEqualTo(v1);
    assertThat(Files.getPosixFilePermissions(f)).isEqualTo(PosixFilePermissions.fromString("rw-------"));

    // The same bytes: the file is left alone (a rename would give it the temporary file's inode).
    FileWriting.writeAtomically(f, v1.clone(), true);
    assertThat(inode(f)).isEqualTo(first);

    // Other bytes of the same length: written.
    byte[] v2 = "host all all 127.0.0.2/32 md5\n".getBytes(StandardCharsets.UTF_8);
    FileWriting.writeAtomically(f, v2, true);
    assertThat(Files.readAllBytes(f)).isEqualTo(v2);
    Object second = inode(f);
    assertThat(second).isNotEqualTo(first);

    // The same bytes but a mode libpq would refuse for a password file: written again, with mode 0600.
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    FileWriting.writeAtomically(f, v2, false);
    assertThat(inode(f)).isNotEqualTo(second);
    assertThat(Files.getPosixFilePermissions(f)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  void aSymlinkIsReplacedNotFollowed() throws Exception {
    Path real = dir.resolve("elsewhere.conf");
    byte[] v = "a = 1\n".getBytes(StandardCharsets.UTF_8);
    Files.write(real, v);
    Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rw-------"));
    Path link = Files.createSymbolicLink(dir.resolve("postgresql.pgquorum.conf"), real);
    FileWriting.writeAtomically(link, v, true);
    assertThat(Files.isSymbolicLink(link)).isFalse();
    assertThat(Files.readAllBytes(link)).isEqualTo(v);
  }
}
