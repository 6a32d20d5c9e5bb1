package io.pgquorum.coordinator.postgres;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Replace-whole-file writes: a reader (PostgreSQL on reload, libpq) sees the old or new contents, never half. */
final class FileWriting {
  private FileWriting() {}

  /**
   * Writes {@code bytes} to {@code target} through a temporary sibling and an atomic rename, mode 0600; nothing when
   * {@code target} already holds exactly {@code bytes} with mode 0600.
   *
   * <p>Why the skip: these files are rewritten before every start and reload with what is mostly the same content
   * (pg_hba.conf on every promotion, say), and each synced write is an fsync; on a promotion they are on the
   * switchover's critical path (10-60 ms each on this machine's disk). Skipping loses nothing: every path here is
   * written by one caller with one {@code sync} choice, so identical content is as durable as that caller asked for
   * when it wrote it; a file whose mode was changed (libpq refuses a readable pgpass file) is still rewritten.
   */
  static void writeAtomically(Path target, byte[] bytes, boolean sync) throws IOException {
    if (holds(target, bytes)) {
      return;
    }
    Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(bytes));
      if (sync) {
        ch.force(true);
      }
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static boolean holds(Path target, byte[] bytes) {
    try {
      return Files.isRegularFile(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)
          && Files.getPosixFilePermissions(target).equals(PosixFilePermissions.fromString("rw-------"))
          && Files.size(target) == bytes.length && java.util.Arrays.equals(Files.readAllBytes(target), bytes);
    } catch (IOException e) {
      return false; // unreadable: write it
    }
  }
}
