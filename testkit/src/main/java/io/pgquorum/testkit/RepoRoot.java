package io.pgquorum.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pgquorum checkout (or installation) the tests and drivers run from: the directory holding
 * {@code bin/pgquorum}. The scripts that start a driver ({@code bin/jepsen-run}, {@code bench/run.sh}) say where it
 * is with {@code -Dpgquorum.home}; tests, run by Maven from a module directory, find it above their working
 * directory.
 */
public final class RepoRoot {
  /** The system property the launcher scripts set. */
  public static final String HOME_PROPERTY = "pgquorum.home";
  /** The daemon's start script, relative to the root: its presence is what marks the root. */
  public static final String PGQUORUM_SCRIPT = "bin/pgquorum";
  private static final Pattern DEFAULT_OPTS = Pattern.compile("\\$\\{PGQUORUM_JAVA_OPTS:-([^}]*)}");

  private RepoRoot() {}

  /**
   * The root: {@code -Dpgquorum.home} when it holds {@code bin/pgquorum}, else the nearest directory holding it
   * at or above the working directory.
   *
   * @throws IllegalStateException when there is none
   */
  public static Path find() {
    return find(System.getProperty(HOME_PROPERTY), Path.of("").toAbsolutePath())
        .orElseThrow(() -> new IllegalStateException("cannot find the repository root (a directory holding "
            + PGQUORUM_SCRIPT + ") above " + Path.of("").toAbsolutePath()
            + (System.getProperty(HOME_PROPERTY) == null ? "" : " nor at -D" + HOME_PROPERTY + "="
                + System.getProperty(HOME_PROPERTY))));
  }

  /** {@link #find()} with its inputs explicit (for tests). */
  static Optional<Path> find(String home, Path workingDir) {
    if (home != null && Files.exists(Path.of(home).resolve(PGQUORUM_SCRIPT))) {
      return Optional.of(Path.of(home).toAbsolutePath());
    }
    Path p = workingDir.toAbsolutePath();
    while (p != null && !Files.exists(p.resolve(PGQUORUM_SCRIPT))) {
      p = p.getParent();
    }
    return Optional.ofNullable(p);
  }

  /** {@code bin/pgquorum} of the root. */
  public static Path pgquorumScript() {
    return find().resolve(PGQUORUM_SCRIPT);
  }

  /**
   * The JVM options {@code bin/pgquorum} ships: the default of its {@code ${PGQUORUM_JAVA_OPTS:-...}}, read from the
   * script at run time so that tests and benchmarks run daemons with the options users get.
   */
  public static String shippedJavaOptions(Path root) {
    try {
      return shippedJavaOptions(Files.readString(root.resolve(PGQUORUM_SCRIPT)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + root.resolve(PGQUORUM_SCRIPT), e);
    }
  }

  /** The default of {@code ${PGQUORUM_JAVA_OPTS:-...}} in the text of {@code bin/pgquorum}. */
  public static String shippedJavaOptions(String script) {
    Matcher m = DEFAULT_OPTS.matcher(script);
    if (!m.find()) {
      throw new IllegalStateException("bin/pgquorum has no ${PGQUORUM_JAVA_OPTS:-...} default to read");
    }
    return m.group(1).trim();
  }
}
