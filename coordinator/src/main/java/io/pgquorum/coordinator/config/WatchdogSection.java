package io.pgquorum.coordinator.config;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@code watchdog} section ({@link WatchdogKeys}). {@code mode} takes Patroni's spellings (off/disable/disabled,
 * auto/automatic, require/required; YAML 1.1 reads an unquoted {@code off} as false, which means off).
 */
final class WatchdogSection {
  private WatchdogSection() {}

  static WatchdogConfig parse(Section root) {
    Problems problems = root.problems();
    int before = problems.errorCount();
    Optional<Section> section = root.section(WatchdogKeys.TABLE.prefix());
    if (section.isEmpty()) {
      return problems.errorCount() > before ? null : WatchdogConfig.defaults();
    }
    Section s = section.get();
    WatchdogConfig.Mode mode = WatchdogConfig.Mode.of(WatchdogKeys.MODE.defaultString());
    Object v = s.value(WatchdogKeys.MODE);
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
          problems.error(s.keyPath(WatchdogKeys.MODE), "must be one of "
              + String.join(", ", WatchdogKeys.MODE.choices()) + ", got " + problems.show(v));
      }
    }
    Optional<Path> device = s.path(WatchdogKeys.DEVICE);
    ConfigKey marginKey = WatchdogKeys.SAFETY_MARGIN;
    int safetyMargin = marginKey.defaultInt();
    Object margin = s.value(marginKey);
    if (margin != null) {
      // -1 is Patroni's "a device timeout of ttl/2", outside the range of margins proper.
      Long l = margin instanceof Boolean ? null : Scalars.toLong(margin);
      if (l == null || (l < marginKey.min() && l != -1) || l > marginKey.max()) {
        problems.error(s.keyPath(marginKey), "must be " + marginKey.what() + ", got " + problems.show(margin));
      } else {
        safetyMargin = l.intValue();
      }
    }
    if (device.isEmpty() && margin != null) {
      problems.warn(s.keyPath(marginKey), "has no effect without " + WatchdogKeys.DEVICE.path());
    }
    if (device.isPresent() && mode == WatchdogConfig.Mode.OFF) {
      problems.warn(s.keyPath(WatchdogKeys.DEVICE), "is not used: " + WatchdogKeys.MODE.path() + " is off");
    }
    s.unsupported(WatchdogKeys.TABLE.keys(ConfigKey.Support.IGNORED));
    s.warnUnknown();
    return problems.errorCount() > before ? null : new WatchdogConfig(mode, device, safetyMargin);
  }
}
