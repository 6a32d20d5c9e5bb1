package io.pgquorum.coordinator.postgres;

import io.pgquorum.coordinator.postgres.PgState.DataDirState;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * File-level facts about and changes to PGDATA.
 *
 * <p>The rule for what pgquorum may write into or remove: only a directory that is missing or empty (nothing at
 * all in it) is free to bootstrap or clone into; PostgreSQL's initdb and pg_basebackup have the same rule (their
 * {@code pg_check_dir} refuses dot files and {@code lost+found} too, recommending a subdirectory of a mount
 * point). Anything else that holds no cluster is {@link DataDirState#NOT_EMPTY}: files pgquorum did not create,
 * perhaps a mistyped {@code postgresql.data_dir} naming a home directory, so they are never deleted, overwritten
 * or moved aside. What pgquorum deletes is only what it created itself: the output of a replica method that
 * failed, in a directory that was verified empty before the method ran ({@link #removeCreatedSince}).
 */
final class DataDirectory {
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
  /** How many foreign entries an error message names. */
  private static final int SHOWN = 5;
  /**
   * Present while a bootstrap of pgquorum's is not finished: created as soon as initdb or the custom method left a
   * cluster, removed once the roles, passwords and post_bootstrap are done and the server is stopped again.
   */
  static final String BOOTSTRAP_MARKER = "pgquorum.bootstrap-incomplete";

  private final Path dir;

  DataDirectory(Path dir) {
    this.dir = dir;
  }

  /**
   * MISSING, EMPTY (no entries at all), INITIALIZED (has PG_VERSION), BOOTSTRAP_INCOMPLETE (has PG_VERSION and
   * the bootstrap marker) or NOT_EMPTY (anything else).
   */
  DataDirState state() {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return DataDirState.MISSING; // a dangling symbolic link is not missing: something is there
    }
    if (!Files.isDirectory(dir)) {
      return DataDirState.NOT_EMPTY;
    }
    if (Files.exists(dir.resolve("PG_VERSION"))) {
      return Files.exists(dir.resolve(BOOTSTRAP_MARKER)) ? DataDirState.BOOTSTRAP_INCOMPLETE
          : DataDirState.INITIALIZED;
    }
    return entries().isEmpty() ? DataDirState.EMPTY : DataDirState.NOT_EMPTY;
  }

  /** The names directly inside the directory (empty when it is missing), sorted. */
  SortedSet<String> entries() {
    if (!Files.isDirectory(dir)) {
      return new TreeSet<>();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
    } catch (IOException e) {
      throw new PostgresException("reading the data directory " + dir + " (postgresql.data_dir) failed: "
          + e.getMessage(), e);
    }
  }

  /**
   * Fails unless the directory is missing or empty, so that {@code op} (a bootstrap, a clone) never writes into
   * or later cleans up a directory holding files pgquorum did not create. The message names
   * {@code postgresql.data_dir} and a few of the entries found.
   */
  void requireMissingOrEmpty(String op) {
    DataDirState state = state();
    if (state == DataDirState.MISSING || state == DataDirState.EMPTY) {
      return;
    }
    if (state == DataDirState.INITIALIZED || state == DataDirState.BOOTSTRAP_INCOMPLETE) {
      throw new PostgresException(op + ": postgresql.data_dir " + dir + " already holds a PostgreSQL cluster");
    }
    if (!Files.isDirectory(dir)) {
      throw new PostgresException(op + ": postgresql.data_dir " + dir + " exists and is not a directory; "
          + "pgquorum never replaces it. Point postgresql.data_dir at a missing or empty directory");
    }
    SortedSet<String> found = entries();
    List<String> shown = found.stream().limit(SHOWN).toList();
    String more = found.size() > SHOWN ? " and " + (found.size() - SHOWN) + " more" : "";
    boolean mountPoint = found.contains("lost+found");
    throw new PostgresException(op + ": postgresql.data_dir " + dir + " is not empty and holds no PostgreSQL "
        + "cluster (found " + String.join(", ", shown) + more + "). pgquorum creates a cluster or a replica "
        + "only in a missing or empty directory and never deletes files it did not create: check that "
        + "postgresql.data_dir is the right path, or move these files away"
        + (mountPoint ? " (on a mount point, use a subdirectory of it, as initdb recommends)" : ""));
  }

  boolean hasCluster() {
    return Files.exists(dir.resolve("PG_VERSION")) && Files.exists(dir.resolve("global").resolve("pg_control"));
  }

  /** Marks (true) or unmarks (false) the cluster in the directory as a bootstrap that has not finished. */
  void markBootstrapIncomplete(boolean incomplete) {
    Path marker = dir.resolve(BOOTSTRAP_MARKER);
    try {
      if (incomplete) {
        Files.write(marker, new byte[0]);
      } else {
        Files.deleteIfExists(marker);
      }
    } catch (IOException e) {
      throw new PostgresException("bootstrap: " + (incomplete ? "writing " : "removing ") + marker + " failed: "
          + e.getMessage(), e);
    }
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
   * Removes what a failed operation of pgquorum's (a replica method's partial copy) left in the directory:
   * every entry that is not in {@code before}, the entries present before the operation started. Callers take
   * {@code before} right after {@link #requireMissingOrEmpty}, so it is empty and everything removed here was
   * created by that operation; the parameter keeps this true even for a caller that forgets the check.
   */
  void removeCreatedSince(Set<String> before) {
    for (String name : entries()) {
      if (before.contains(name)) {
        continue;
      }
      try {
        deleteTree(dir.resolve(name));
      } catch (IOException e) {
        throw new PostgresException("removing the failed copy's " + dir.resolve(name) + " failed: "
            + e.getMessage(), e);
      }
    }
  }

  /** Renames the directory to {@code <dir>.failed-<UTC timestamp>} (with a suffix if that exists). */
  Path moveAside() {
    return moveAside(".failed-" + ZonedDateTime.now(ZoneOffset.UTC).format(STAMP));
  }

  /** Renames the directory to {@code <dir><suffix>} (with -1, -2... when taken); returns the new path. */
  Path moveAside(String suffix) {
    String base = dir.getFileName() + suffix;
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

  /** Deletes {@code root} and everything under it, never following symbolic links (a link is removed itself). */
  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
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
