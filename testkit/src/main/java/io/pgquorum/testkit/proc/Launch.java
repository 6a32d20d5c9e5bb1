package io.pgquorum.testkit.proc;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One start of a {@link Daemon}: the command, changes to the inherited environment, a banner line written to the
 * log before the output (so a log with several starts says where each begins and how it was started), and
 * whether the command is a wrapper with the JVM behind it.
 *
 * @param env variables to set; a {@code null} value removes the variable from the inherited environment
 * @param banner line written to the log before the process starts, or null
 * @param jvmBehindWrapper the command (runuser, ip netns exec, a script) starts the JVM that matters: the
 *     daemon's PID is then its first {@code java} descendant (or itself, once it execs into java)
 */
public record Launch(List<String> command, Map<String, String> env, String banner, boolean jvmBehindWrapper) {
  public Launch {
    command = List.copyOf(command);
    env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
  }

  /** A plain command: inherited environment, no banner, the process itself is the daemon. */
  public static Launch of(List<String> command) {
    return new Launch(command, Map.of(), null, false);
  }

  public Launch withEnv(Map<String, String> variables) {
    Map<String, String> all = new LinkedHashMap<>(env);
    all.putAll(variables);
    return new Launch(command, all, banner, jvmBehindWrapper);
  }

  public Launch withBanner(String line) {
    return new Launch(command, env, line, jvmBehindWrapper);
  }

  public Launch behindWrapper() {
    return new Launch(command, env, banner, true);
  }
}
