package io.pgquorum.coordinator.postgres;

import io.pgquorum.coordinator.postgres.PgState.DataDirState;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.stream.Stream;

/** File-level facts about and changes to PGDATA. */
final class DataDirectory {
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

  private final Path dir;

  DataDirectory(Path dir) {
    this.dir = dir;
  }

  /**
   * MISSING, EMPTY (nothing but dot files and {@code lost+found}, as on a fresh mount point), or INITIALIZED
   * (anything else: never overwritten without moving it aside first).
   */
  DataDirState state() {
    if (!Files.isDirectory(dir)) {
      return Files.exists(dir) ? DataDirState.INITIALIZED : DataDirState.MISSING;
    }
    try (Stream<Path> s = Files.list(dir)) {
      boolean empty = s.map(p -> p.getFileName().toString())
          .allMatch(n -> n.startsWith(".") || n.equals("lost+found"));
      return empty ? DataDirState.EMPTY : DataDirState.INITIALIZED;
    } catch (IOException e) {
      throw new PostgresException("reading the data directory " + dir + " failed: " + e.getMessage(), e);
    }
  }

  boolean hasCluster() {
    return Files.exists(dir.resolve("PG_VERSION")) && Files.exists(dir.resolve("global").resolve("pg_control"));
  }

  /** Creates the directory (and parents) with mode 0700 when missing; PostgreSQL refuses looser modes. */
  void create() {
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir.getParent());
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } else {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      }
    } catch (IOException e) {
      throw new PostgresException("creating the data directory " + dir + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * Deletes the contents of a data directory that pgquorum itself just filled and that failed (a partial clone),
   * keeping the directory. Never used on a directory that held a cluster before the operation.
   */
  void clearContents() {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> s = Files.list(dir)) {
      for (Path child : (Iterable<Path>) s::iterator) {
        deleteTree(child);
      }
    } catch (IOException e) {
      throw new PostgresException("emptying " + dir + " failed: " + e.getMessage(), e);
    }
  }

  /** Renames the directory to {@code <dir>.failed-<UTC timestamp>} (with a suffix if that exists). */
  Path moveAside() {
    String base = dir.getFileName() + ".failed-" + ZonedDateTime.now(ZoneOffset.UTC).format(STAMP);
    Path target = dir.resolveSibling(base);
    for (int i = 1; Files.exists(target); i++) {
      target = dir.resolveSibling(base + "-" + i);
    }
    try {
      Files.move(dir, target, StandardCopyOption.ATOMIC_MOVE);
      return target;
    } catch (IOException e) {
      throw new PostgresException("moving the data directory " + dir + " aside failed: " + e.getMessage(), e);
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.deleteIfExists(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
        if (exc instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;
        }
        throw exc;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
        if (exc != null && !(exc instanceof NoSuchFileException)) {
          throw exc;
        }
        Files.deleteIfExists(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
