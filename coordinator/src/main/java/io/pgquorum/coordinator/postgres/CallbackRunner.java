package io.pgquorum.coordinator.postgres;

import io.pgquorum.coordinator.config.CallbackAction;
import io.pgquorum.coordinator.config.CallbacksConfig;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the configured scripts around PostgreSQL's life: the callbacks ({@code <cmd> <action> <role> <scope>}, in
 * the background) and the two hooks the caller waits for ({@code pre_promote}, {@code before_stop}). Commands are
 * split as a shell would split them, without a shell ({@link CommandArgv}); standard input is /dev/null, and the
 * environment is the daemon's without {@code PATRONI_*} and libpq password variables (they may carry secrets).
 *
 * <p>As Patroni's callback executor: one callback runs at a time, and a new one kills the one still running, with
 * everything it started (so a shell script's children do not linger), because only the
 * latest state is worth announcing; {@code on_reload} runs in a slot of its own and replaces only an earlier
 * {@code on_reload}. Each line a script prints goes to the log, with the event it runs for; a failure to start, a
 * non-zero exit and a kill are logged and never reach the caller: a callback cannot stop the HA loop.
 */
public final class CallbackRunner {
  private static final Logger LOG = LoggerFactory.getLogger(CallbackRunner.class);

  private final CallbacksConfig config;
  private final String scope;
  private final Duration hookTimeout;
  private final UnaryOperator<String> redact;
  /** The running callback (index 0) and the running on_reload (index 1); guarded by {@code this}. */
  private final Process[] running = new Process[2];

  /**
   * @param hookTimeout how long {@code pre_promote} and {@code before_stop} may run before they are killed
   * @param redact masks secrets in what is logged
   */
  public CallbackRunner(CallbacksConfig config, String scope, Duration hookTimeout, UnaryOperator<String> redact) {
    this.config = config;
    this.scope = scope;
    this.hookTimeout = hookTimeout;
    this.redact = redact;
  }

  /**
   * Starts the script configured for {@code action} with {@code role} in the background, after killing the one
   * it replaces; returns at once. Nothing happens when none is configured.
   */
  public void fire(CallbackAction action, String role) {
    Optional<String> command = config.command(action);
    if (command.isEmpty()) {
      return;
    }
    List<String> argv = new ArrayList<>(CommandArgv.split(command.get()));
    argv.addAll(List.of(action.key(), role, scope));
    int slot = action == CallbackAction.ON_RELOAD ? 1 : 0;
    String label = "callback " + action.key() + " " + role;
    synchronized (this) {
      Process previous = running[slot];
      if (previous != null && previous.isAlive()) {
        LOG.info("killing the callback still running (pid {}): {} replaces it", previous.pid(), label);
        killTree(previous);
      }
      Process p = start(label, argv);
      running[slot] = p;
      if (p == null) {
        return;
      }
      Thread t = new Thread(() -> follow(label, p), "callback-" + action.key() + "-" + p.pid());
      t.setDaemon(true);
      t.start();
    }
  }

  /**
   * Runs {@code pre_promote} and waits for it, at most the hook timeout: true when none is configured or it exited
   * 0; false when it exited otherwise, could not start or ran out of time (then it is killed). Patroni's rule:
   * only an exit of 0 lets the promotion go on.
   */
  public boolean prePromote() {
    if (config.prePromote().isEmpty()) {
      return true;
    }
    Optional<Integer> exit = runAndWait("pre_promote", config.prePromote().get());
    exit.ifPresent(code -> LOG.info("pre_promote script `{}` exited with {}", config.prePromote().get(), code));
    return exit.map(code -> code == 0).orElse(false);
  }

  /** Runs {@code before_stop} and waits for it, at most the hook timeout; its exit code is only logged. */
  public void beforeStop() {
    config.beforeStop().ifPresent(cmd -> runAndWait("before_stop", cmd)
        .ifPresent(code -> LOG.info("before_stop script `{}` exited with {}", cmd, code)));
  }

  /** Whether {@code pre_promote} is configured. */
  public boolean hasPrePromote() {
    return config.prePromote().isPresent();
  }

  /** The exit code; empty when the script could not start or was killed at the timeout. */
  private Optional<Integer> runAndWait(String label, String command) {
    Process p = start(label, CommandArgv.split(command));
    if (p == null) {
      return Optional.empty();
    }
    Thread reader = new Thread(() -> logLines(label, p), label + "-output-" + p.pid());
    reader.setDaemon(true);
    reader.start();
    try {
      if (!p.waitFor(hookTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("{} script did not finish within {} s: killed", label, hookTimeout.toSeconds());
        killTree(p);
        return Optional.empty();
      }
      return Optional.of(p.exitValue());
    } catch (InterruptedException e) {
      killTree(p);
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private Process start(String label, List<String> argv) {
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("PATRONI_") || k.equals("PGPASSWORD") || k.equals("PGPASSFILE"));
    try {
      Process p = pb.start();
      LOG.info("{}: started {} (pid {})", label, redact.apply(String.join(" ", argv)), p.pid());
      return p;
    } catch (IOException e) {
      LOG.warn("{}: cannot run {}: {}", label, argv.get(0), redact.apply(String.valueOf(e.getMessage())));
      return null;
    }
  }

  /** Logs a background callback's output and how it ended. */
  private void follow(String label, Process p) {
    logLines(label, p);
    try {
      int code = p.waitFor();
      if (code != 0) {
        LOG.warn("{} exited with {}", label, code);
      } else {
        LOG.info("{} finished", label);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void logLines(String label, Process p) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        LOG.info("{}: {}", label, redact.apply(line));
      }
    } catch (IOException e) {
      // the process was killed, or its output closed: nothing more to log
    }
  }

  /**
   * Kills {@code p} and everything it started. The descendants are listed first (once {@code p} is gone they hang
   * below init and cannot be found), {@code p} is killed before them (killed first, a child's end would let the
   * script run on for a moment: a shell's {@code wait} returns), then they are.
   */
  private static void killTree(Process p) {
    List<ProcessHandle> descendants = p.descendants().toList();
    p.destroyForcibly();
    descendants.forEach(ProcessHandle::destroyForcibly);
    try {
      p.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
