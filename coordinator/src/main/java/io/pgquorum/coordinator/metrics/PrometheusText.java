package io.pgquorum.coordinator.metrics;

import java.util.Locale;

/** Helpers of the Prometheus text exposition format (0.0.4). */
public final class PrometheusText {
  private PrometheusText() {}

  /** Label values escape backslash, double quote and newline (exposition format rules). */
  public static String escape(String v) {
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  /** A type name as a label value: {@code RefreshLock} becomes {@code refresh_lock}. */
  public static String snakeCase(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
  }
}
