package io.pgquorum.jepsen.report;

import java.util.ArrayList;
import java.util.List;

/** Maps harness time onto the timeline's x pixels and picks readable tick positions. */
final class TimeAxis {
  private final long endNanos;
  private final double left;
  private final double width;

  /**
   * @param endNanos the run's length; at least one millisecond is assumed so an empty history still draws
   * @param left x of time zero
   * @param width pixels from time zero to the end
   */
  TimeAxis(long endNanos, double left, double width) {
    this.endNanos = Math.max(endNanos, 1_000_000L);
    this.left = left;
    this.width = width;
  }

  long endNanos() {
    return endNanos;
  }

  double left() {
    return left;
  }

  double right() {
    return left + width;
  }

  /** The x of {@code nanos}, clamped to the plot. */
  double x(long nanos) {
    long t = Math.max(0, Math.min(nanos, endNanos));
    return left + width * ((double) t / endNanos);
  }

  /** Nanoseconds one pixel stands for. */
  double nanosPerPixel() {
    return endNanos / width;
  }

  /** Tick times in seconds: a 1-2-5 step giving at most about 15 ticks, starting at 0. */
  List<Double> ticks() {
    double span = endNanos / 1e9;
    double step = 1e-3;
    double[] mult = {1, 2, 5};
    outer:
    for (double decade = 1e-3; decade < 1e7; decade *= 10) {
      for (double m : mult) {
        if (span / (decade * m) <= 15) {
          step = decade * m;
          break outer;
        }
      }
    }
    List<Double> out = new ArrayList<>();
    for (int i = 0; i * step <= span + 1e-9; i++) {
      out.add(i * step);
    }
    return out;
  }

  /** A tick label: whole seconds without decimals, sub-second steps with as many as needed. */
  static String tickLabel(double seconds) {
    if (Math.abs(seconds - Math.rint(seconds)) < 1e-9) {
      return (long) Math.rint(seconds) + "s";
    }
    String s = String.format(java.util.Locale.ROOT, "%.3f", seconds);
    s = s.replaceAll("0+$", "");
    return s + "s";
  }
}
