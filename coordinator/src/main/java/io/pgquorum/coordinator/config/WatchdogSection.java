package io.pgquorum.coordinator.config;

import java.util.Locale;
import java.util.Optional;

/**
 * The {@code watchdog} section. {@code mode} takes Patroni's spellings (off/disable/disabled, auto/automatic,
 * require/required; YAML 1.1 reads an unquoted {@code off} as false, which means off). Patroni's device keys
 * ({@code device}, {@code safety_margin}, {@code driver}) describe a kernel device pgquorum does not use: they are
 * reported and ignored.
 */
final class WatchdogSection {
  private WatchdogSection() {}

  static WatchdogConfig parse(Section root) {
    Problems problems = root.problems();
    int before = problems.errorCount();
    Optional<Section> section = root.section("watchdog");
    if (section.isEmpty()) {
      return problems.errorCount() > before ? null : WatchdogConfig.defaults();
    }
    Section s = section.get();
    WatchdogConfig.Mode mode = WatchdogConfig.Mode.AUTOMATIC;
    Object v = s.value("mode");
    if (Boolean.FALSE.equals(v)) {
      mode = WatchdogConfig.Mode.OFF;
    } else if (v != null) {
      String text = v instanceof Boolean ? "" : String.valueOf(v).trim().toLowerCase(Locale.ROOT);
      switch (text) {
        case "off":
        case "disable":
        case "disabled":
          mode = WatchdogConfig.Mode.OFF;
          break;
        case "auto":
        case "automatic":
          mode = WatchdogConfig.Mode.AUTOMATIC;
          break;
        case "require":
        case "required":
          mode = WatchdogConfig.Mode.REQUIRED;
          break;
        default:
          problems.error(s.keyPath("mode"), "must be one of off, automatic, required, got " + problems.show(v));
      }
    }
    String why = "pgquorum's watchdog is a process that stops PostgreSQL when the lease runs out, not a kernel "
        + "device";
    s.unsupported("device", why);
    s.unsupported("safety_margin", "the fencing margin is retry_timeout");
    s.unsupported("driver", why);
    s.warnUnknown();
    return problems.errorCount() > before ? null : new WatchdogConfig(mode);
  }
}
