package io.pgquorum.coordinator.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgquorum.coordinator.config.ConfigException;
import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.WatchdogConfig;
import io.pgquorum.coordinator.config.WatchdogConfig.Mode;
import io.pgquorum.coordinator.fence.KernelWatchdogDevice;
import io.pgquorum.coordinator.fence.WatchdogProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The watchdog policy at start: required refuses to lead when the device cannot be used and refuses to start
 * without setsid; automatic warns and goes on.
 */
class WatchdogSetupTest {
  static final DynamicConfig DYN = new DynamicConfig(8, 1, 2, 1_048_576, 300, true, true, Map.of(), List.of(),
      Map.of());
  static final Optional<Path> SETSID = Optional.of(Path.of("/usr/bin/setsid"));
  static final Path DEVICE = Path.of("/dev/watchdog");

  static WatchdogConfig withDevice(Mode mode) {
    return new WatchdogConfig(mode, Optional.of(DEVICE), 5);
  }

  @Test
  void requiredWithAMissingDeviceRefusesToLead() {
    WatchdogSetup s = WatchdogSetup.decide(withDevice(Mode.REQUIRED), Mode.REQUIRED, DYN, SETSID,
        p -> KernelWatchdogDevice.probe(Path.of("/nonexistent/watchdog"), new KernelWatchdogDevice.Timing(8, 1,
            2, 5)));
    assertThat(s.refusal()).hasValue("watchdog.mode is required and the kernel watchdog device cannot be used: "
        + "/nonexistent/watchdog does not exist (load a watchdog driver, e.g. modprobe softdog)");
    assertThat(s.device()).isEmpty();
    assertThat(s.mayHoldLease(Mode.REQUIRED, Optional.empty()).getAsBoolean()).isFalse();
  }

  @Test
  void automaticWithAMissingDeviceWarnsAndLeads() {
    WatchdogSetup s = WatchdogSetup.decide(withDevice(Mode.AUTOMATIC), Mode.AUTOMATIC, DYN, SETSID,
        p -> new KernelWatchdogDevice.Unusable(p + " does not exist"));
    assertThat(s.refusal()).isEmpty();
    assertThat(s.warnings()).containsExactly(
        "watchdog.device: not using the kernel watchdog device: /dev/watchdog does not exist");
    assertThat(s.mayHoldLease(Mode.AUTOMATIC, Optional.empty()).getAsBoolean()).isTrue();
  }

  @Test
  void aUsableDeviceIsHandedToTheWatchdogProcess() {
    WatchdogSetup s = WatchdogSetup.decide(withDevice(Mode.REQUIRED), Mode.REQUIRED, DYN, SETSID,
        p -> new KernelWatchdogDevice.Usable(p, Duration.ofSeconds(3)));
    assertThat(s.device()).hasValue(new WatchdogProcess.Device(DEVICE, Duration.ofSeconds(3)));
    assertThat(s.refusal()).isEmpty();
    assertThat(s.mayHoldLease(Mode.REQUIRED, Optional.empty()).getAsBoolean()).as("no watchdog process running")
        .isFalse();
  }

  @Test
  void withoutSetsidRequiredRefusesToStartAndAutomaticWarns() {
    assertThatThrownBy(() -> WatchdogSetup.decide(WatchdogConfig.defaults(), Mode.REQUIRED, DYN, Optional.empty(),
        p -> null)).isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.getMessage())
            .contains("watchdog.mode").contains("setsid (util-linux) is not installed"));
    WatchdogSetup s = WatchdogSetup.decide(WatchdogConfig.defaults(), Mode.AUTOMATIC, DYN, Optional.empty(),
        p -> null);
    assertThat(s.setsid()).isEmpty();
    assertThat(s.warnings()).singleElement().asString().contains("runs in the daemon's process group");
  }
}
