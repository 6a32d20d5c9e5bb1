package io.pgquorum.pgctl;

import java.io.ByteArrayInputStream;
import java.util.HashMap;
import java.util.Map;

/**
 * pgctl's whole command path (argument parsing, the configuration file, the DCS, output and exit status) in this
 * JVM, for integration tests in other packages: what {@link PgCtl#main} runs, without its {@code System.exit}. A
 * warm JVM keeps a loaded test machine from turning the JVM's own start into a DCS timeout.
 */
public final class InProcess {
  private InProcess() {}

  /** The exit status and both outputs of {@code pgctl ARGS} with no standard input. */
  public static String[] run(String... args) {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.keySet().removeIf(k -> k.startsWith("PATRONI"));
    CliRun r = CliRun.capture((out, err) -> PgCtl.run(args, env, new ByteArrayInputStream(new byte[0]), out, err));
    return new String[] {String.valueOf(r.status()), r.out(), r.err()};
  }
}
