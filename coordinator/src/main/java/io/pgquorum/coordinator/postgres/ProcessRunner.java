package io.pgquorum.coordinator.postgres;

import java.io.File;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one external tool (PostgreSQL binaries, custom methods, post_bootstrap) with a deadline and its output
 * captured, and turns failures into {@link PostgresException}s that name the operation.
 *
 * <p>Output goes to a private temporary file rather than a pipe: {@code pg_ctl start} leaves a daemon behind,
 * and a daemon that inherited a pipe would keep it open and make a pipe reader wait for the server's lifetime.
 * Standard input is {@code /dev/null}, so nothing can wait for a password prompt.
 *
 * <p>The child environment is the JVM's minus {@code PATRONI_*} (which may carry passwords) and minus
 * {@code PGPASSWORD}/{@code PGPASSFILE}; callers add what a tool needs (normally {@code PGPASSFILE}).
 */
final class ProcessRunner {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessRunner.class);
  private static final int TAIL_LINES = 25;
  private static final int TAIL_CHARS = 4000;

  private final Redactor redactor;

  ProcessRunner(Redactor redactor) {
    this.redactor = redactor;
  }

  /** Exit code and combined stdout/stderr (secrets already masked). */
  record Result(int exitCode, String output) {
    boolean ok() {
      return exitCode == 0;
    }

    /** The last lines of the output, for messages. */
    String tail() {
      return ProcessRunner.tail(output);
    }
  }

  /** How a run ends when its deadline passes. */
  enum OnTimeout {
    /** Kill the tool and everything it started (scripts, pg_basebackup, pg_rewind). */
    KILL_TREE,
    /** Kill only the tool: {@code pg_ctl} may have a postmaster as a child that must survive. */
    KILL_TOOL
  }

  /**
   * Runs {@code argv} and waits for it, at most {@code timeout}.
   *
   * @throws PostgresException when it cannot start or does not finish in time (with the output so far)
   */
  Result run(String operation, List<String> argv, Map<String, String> env, Duration timeout, OnTimeout onTimeout) {
    Path out = null;
    FileChannel capture = null;
    try {
      out = Files.createTempFile("pgquorum-tool-", ".out"); // created with mode 0600
      ProcessBuilder pb = new ProcessBuilder(argv)
          .redirectErrorStream(true)
          .redirectOutput(out.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      Map<String, String> childEnv = pb.environment();
      childEnv.keySet().removeIf(k -> k.startsWith("PATRONI_") || k.equals("PGPASSWORD") || k.equals("PGPASSFILE"));
      childEnv.putAll(env);
      LOG.debug("{}: running {}", operation, redactor.apply(String.join(" ", argv)));
      capture = FileChannel.open(out, StandardOpenOption.READ);
      Process p;
      try {
        p = pb.start();
      } catch (IOException e) {
        throw new PostgresException(operation + " failed: cannot run " + argv.get(0) + ": "
            + redactor.apply(e.getMessage()));
      }
      // The child holds the file open and so does our read handle (opened before the start, so nothing after it
      // can fail and leave the tool running unwatched); the name goes at once, so a daemon killed with SIGKILL
      // while a tool runs (a basebackup can take hours) leaves no pgquorum-tool-* file behind.
      try {
        Files.deleteIfExists(out);
      } catch (IOException e) {
        LOG.debug("{}: the output file stays until the tool ends: {}", operation, e.getMessage());
      }
      boolean finished;
      try {
        finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        kill(p, onTimeout);
        Thread.currentThread().interrupt();
        throw new PostgresException(operation + " interrupted");
      }
      if (!finished) {
        kill(p, onTimeout);
        throw new PostgresException(operation + " timed out after " + timeout.toSeconds() + " s"
            + outputSuffix(read(capture)));
      }
      return new Result(p.exitValue(), read(capture));
    } catch (IOException e) {
      throw new PostgresException(operation + " failed: " + redactor.apply(e.getMessage()), e);
    } finally {
      try {
        if (capture != null) {
          capture.close();
        }
        if (out != null) {
          Files.deleteIfExists(out); // when the tool could not start, the name was never unlinked
        }
      } catch (IOException ignored) {
        // a leftover private temp file is harmless
      }
    }
  }

  /** Like {@link #run}, but a non-zero exit is a {@link PostgresException} naming the operation. */
  Result check(String operation, List<String> argv, Map<String, String> env, Duration timeout, OnTimeout onTimeout) {
    Result r = run(operation, argv, env, timeout, onTimeout);
    if (!r.ok()) {
      throw new PostgresException(operation + " failed (exit " + r.exitCode() + ")" + outputSuffix(r.output()));
    }
    return r;
  }

  static String outputSuffix(String output) {
    String tail = tail(output);
    return tail.isEmpty() ? "" : ":\n" + tail;
  }

  static String tail(String output) {
    String trimmed = output.strip();
    String[] lines = trimmed.split("\n");
    int from = Math.max(0, lines.length - TAIL_LINES);
    String joined = String.join("\n", java.util.Arrays.copyOfRange(lines, from, lines.length));
    return joined.length() > TAIL_CHARS ? "..." + joined.substring(joined.length() - TAIL_CHARS) : joined;
  }

  private String read(FileChannel capture) {
    try {
      capture.position(0);
      return redactor.apply(new String(Channels.newInputStream(capture).readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      return "";
    }
  }

  private static void kill(Process p, OnTimeout onTimeout) {
    if (onTimeout == OnTimeout.KILL_TREE) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
    }
    p.destroyForcibly();
    try {
      p.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
