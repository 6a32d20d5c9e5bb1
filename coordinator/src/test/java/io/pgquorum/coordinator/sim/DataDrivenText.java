package io.pgquorum.coordinator.sim;

/** Writes an output block as the datadriven format expects it (blank lines need the double-separator form). */
final class DataDrivenText {
  private DataDrivenText() {}

  static String block(String output) {
    String o = output.stripTrailing();
    if (o.contains("\n\n")) {
      return "----\n" + o + "\n----\n----\n";
    }
    return o.isEmpty() ? "" : o + "\n";
  }
}
