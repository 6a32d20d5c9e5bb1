package io.pgquorum.coordinator.config;

/** TEMPORARY stub, replaced by the real one. */
public final class LogSetup {
  private LogSetup() {}

  public static void apply(LogConfig config) {}
}
