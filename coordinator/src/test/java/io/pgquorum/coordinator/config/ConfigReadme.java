package io.pgquorum.coordinator.config;

import io.pgquorum.coordinator.config.ConfigKey.Support;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders the README's configuration reference from the key registries ({@link ConfigKeys#TABLES}): one table per
 * section (key, default, what it accepts, the variable that overrides it, why), then the Patroni keys that are
 * accepted and ignored, and those that are refused. {@link #splice} puts it between the README's markers.
 */
final class ConfigReadme {
  static final String BEGIN = "<!-- config-keys:begin (generated from the *Keys registries in "
      + "coordinator/src/main/java/io/pgquorum/coordinator/config by ConfigReadmeTest; edit those, then "
      + "regenerate) -->";
  static final String END = "<!-- config-keys:end -->";

  private ConfigReadme() {}

  /** The generated text between the markers, starting and ending with a newline. */
  static String render() {
    StringBuilder md = new StringBuilder("\n");
    for (KeyTable table : ConfigKeys.TABLES) {
      md.append("#### ").append(table.title()).append("\n\n");
      md.append("| key | default | accepts | variable | why |\n");
      md.append("|---|---|---|---|---|\n");
      for (ConfigKey key : table.keys(Support.SUPPORTED)) {
        md.append("| `").append(key.path()).append("` | ").append(cell(key.defaultText()))
            .append(" | ").append(cell(key.accepts()))
            .append(" | ").append(key.env().map(v -> "`" + v + "`").orElse(""))
            .append(" | ").append(cell(key.why()))
            .append(aliases(key)).append(" |\n");
      }
      md.append(others(table, Support.IGNORED, "Accepted, reported with a warning, and ignored"));
      md.append(others(table, Support.REFUSED, "Refused with an error"));
      md.append("\n");
    }
    return md.toString();
  }

  /** {@code readme} with the text between the markers replaced by {@code section}. */
  static String splice(String readme, String section) {
    int b = readme.indexOf(BEGIN);
    int e = readme.indexOf(END);
    if (b < 0 || e < b) {
      throw new IllegalArgumentException("README.md has no '" + BEGIN + "' ... '" + END + "' markers");
    }
    return readme.substring(0, b + BEGIN.length()) + section + readme.substring(e);
  }

  /** The text between the markers, as {@link #render} would produce it. */
  static String between(String readme) {
    int b = readme.indexOf(BEGIN);
    int e = readme.indexOf(END);
    if (b < 0 || e < b) {
      throw new IllegalArgumentException("README.md has no '" + BEGIN + "' ... '" + END + "' markers");
    }
    return readme.substring(b + BEGIN.length(), e);
  }

  private static String aliases(ConfigKey key) {
    if (key.aliases().isEmpty()) {
      return "";
    }
    List<String> names = new ArrayList<>();
    key.aliases().forEach(a -> names.add("`" + a + "`"));
    return " (older name, read when this one is absent: " + String.join(", ", names) + ")";
  }

  /** Ignored or refused keys, one bullet per reason. */
  private static String others(KeyTable table, Support support, String heading) {
    List<ConfigKey> keys = table.keys(support);
    if (keys.isEmpty()) {
      return "";
    }
    Map<String, List<String>> byReason = new LinkedHashMap<>();
    List<String> patroniDefaults = new ArrayList<>();
    for (ConfigKey key : keys) {
      byReason.computeIfAbsent(key.why(), r -> new ArrayList<>()).add("`" + key.path() + "`");
      key.defaultValue().ifPresent(d -> patroniDefaults.add("`" + key.path() + ": " + d + "`"));
    }
    StringBuilder md = new StringBuilder("\n").append(heading).append(":\n");
    byReason.forEach((reason, names) -> md.append("- ").append(String.join(", ", names))
        .append(reason.isEmpty() ? "" : ": " + reason).append("\n"));
    if (!patroniDefaults.isEmpty()) {
      md.append("- no warning when the value is Patroni's default: ").append(String.join(", ", patroniDefaults))
          .append("\n");
    }
    return md.toString();
  }

  private static String cell(String text) {
    return text.replace("|", "\\|").replace("\n", " ");
  }
}
