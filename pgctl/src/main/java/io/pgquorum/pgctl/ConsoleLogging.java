package io.pgquorum.pgctl;

import java.util.Locale;
import java.util.Map;

/**
 * Keeps a command-line tool's console clean: the Raft client (Ratis, its shaded gRPC and Netty) logs connection
 * attempts and retries that mean nothing to someone reading a member list. Errors pgctl reports itself, as one
 * {@code Error:} line.
 */
final class ConsoleLogging {
  /** A logback file under pgctl's own name, so no other logback.xml on the class path can shadow it. */
  static final String LOGBACK_RESOURCE = "io/pgquorum/pgctl/logback-pgctl.xml";

  private ConsoleLogging() {}

  /** Must run before anything touches SLF4J. {@code PGCTL_LOG_LEVEL=DEBUG} brings the diagnostics back. */
  static void quiet(Map<String, String> env) {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", LOGBACK_RESOURCE);
    }
    String level = env.getOrDefault("PGCTL_LOG_LEVEL", "WARN").toUpperCase(Locale.ROOT);
    if (!level.equals("DEBUG") && !level.equals("INFO") && !level.equals("TRACE")) {
      // gRPC inside Ratis logs through java.util.logging, whose default handler writes to the console.
      java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.OFF);
    }
  }
}
