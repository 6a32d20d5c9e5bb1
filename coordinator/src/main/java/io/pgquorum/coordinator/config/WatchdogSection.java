package io.pgquorum.coordinator.config;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@code watchdog} section. {@code mode} takes Patroni's spellings (off/disable/disabled, auto/automatic,
 * require/required; YAML 1.1 reads an unquoted {@code off} as false, which means off). {@code device} (a path,
 * default none) and {@code safety_margin} (seconds, default 5, -1 for ttl/2) configure the optional kernel watchdog
 * device as in Patroni ({@link WatchdogConfig}); Patroni's {@code driver} (default/testing) is reported and ignored:
 * pgquorum drives the Linux watchdog API.
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
    Optional<Path> device = s.path("device");
    int safetyMargin = WatchdogConfig.DEFAULT_SAFETY_MARGIN;
    Object margin = s.value("safety_margin");
    if (margin != null) {
      Long l = margin instanceof Boolean ? null : Scalars.toLong(margin);
      if (l == null || (l < 0 && l != -1) || l > 86_400) {
        problems.error(s.keyPath("safety_margin"), "must be a whole number of seconds (0 or more, or -1 for a "
            + "device timeout of ttl/2), got " + problems.show(margin));
      } else {
        safetyMargin = l.intValue();
      }
    }
    if (device.isEmpty() && margin != null) {
      problems.warn(s.keyPath("safety_margin"), "has no effect without watchdog.device");
    }
    if (device.isPresent() && mode == WatchdogConfig.Mode.OFF) {
      problems.warn(s.keyPath("device"), "is not used: watchdog.mode is off");
    }
    s.unsupported("driver", "pgquorum drives the device named by watchdog.device through the Linux watchdog API");
    s.warnUnknown();
    return problems.errorCount() > before ? null : new WatchdogConfig(mode, device, safetyMargin);
  }
}
