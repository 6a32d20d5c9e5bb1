package io.pgquorum.coordinator.node;

import io.pgquorum.coordinator.config.ConfigException;
import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.WatchdogConfig;
import io.pgquorum.coordinator.fence.KernelWatchdogDevice;
import io.pgquorum.coordinator.fence.WatchdogProcess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * What the node's watchdog looks like before it starts, decided from the configuration and the machine (policy
 * only; {@link PgQuorumNode} starts it):
 * <ul>
 *   <li>its own session needs util-linux's {@code setsid}: without it, {@code required} refuses to start (the
 *       operator asked for a fence that a signal to the daemon's process group could freeze), {@code automatic}
 *       runs it in the daemon's process group and says so;
 *   <li>a configured kernel device is probed ({@link KernelWatchdogDevice}) against {@code bootstrap.dcs}'s timing:
 *       usable, it is handed to the watchdog process; unusable, {@code automatic} warns and goes on without it,
 *       {@code required} refuses to take or keep the leader lock (Patroni: a node whose watchdog cannot be
 *       activated does not promote).
 * </ul>
 *
 * @param setsid the setsid binary, when the watchdog gets a session of its own
 * @param device the device to keep alive, when usable
 * @param refusal why this node must never hold the leader lock (required mode, unusable device); empty otherwise
 * @param warnings what to log at start
 */
record WatchdogSetup(Optional<Path> setsid, Optional<WatchdogProcess.Device> device, Optional<String> refusal,
    List<String> warnings) {

  static WatchdogSetup decide(WatchdogConfig config, WatchdogConfig.Mode mode, DynamicConfig timing,
      Optional<Path> setsid, java.util.function.Function<Path, KernelWatchdogDevice.Probe> probe) {
    List<String> warnings = new ArrayList<>();
    if (setsid.isEmpty()) {
      String problem = "setsid (util-linux) is not installed at " + WatchdogProcess.setsidPaths();
      if (mode == WatchdogConfig.Mode.REQUIRED) {
        throw new ConfigException("watchdog.mode", "is required, but " + problem + ": the watchdog process would "
            + "share the daemon's process group, and one signal to it (Ctrl-Z, kill -STOP -<pgid>) would freeze "
            + "both fences; install util-linux");
      }
      warnings.add("watchdog: " + problem + ": the watchdog process runs in the daemon's process group, so a "
          + "signal to that group (Ctrl-Z, kill -STOP -<pgid>) also freezes it; install util-linux");
    }
    Optional<WatchdogProcess.Device> device = Optional.empty();
    Optional<String> refusal = Optional.empty();
    if (config.device().isPresent()) {
      Path path = config.device().get();
      KernelWatchdogDevice.Probe p = probe.apply(path);
      if (p instanceof KernelWatchdogDevice.Usable u) {
        device = Optional.of(new WatchdogProcess.Device(u.device(), u.timeout()));
      } else {
        String reason = ((KernelWatchdogDevice.Unusable) p).reason();
        if (mode == WatchdogConfig.Mode.REQUIRED) {
          refusal = Optional.of("watchdog.mode is required and the kernel watchdog device cannot be used: " + reason);
        } else {
          warnings.add("watchdog.device: not using the kernel watchdog device: " + reason);
        }
      }
    }
    return new WatchdogSetup(setsid, device, refusal, List.copyOf(warnings));
  }

  /** {@link #decide} with the real machine: installed setsid, real device and sysfs. */
  static WatchdogSetup decide(WatchdogConfig config, WatchdogConfig.Mode mode, DynamicConfig timing) {
    return decide(config, mode, timing, WatchdogProcess.setsid(), path -> KernelWatchdogDevice.probe(path,
        new KernelWatchdogDevice.Timing(timing.ttl(), timing.loopWait(), timing.retryTimeout(),
            config.safetyMargin())));
  }

  /**
   * Whether the node may take or keep the leader lock, as far as the watchdog is concerned: always unless
   * required; with required, only while the watchdog process runs, the device (if any) has not failed, and nothing
   * refused it at start.
   */
  BooleanSupplier mayHoldLease(WatchdogConfig.Mode mode, Optional<WatchdogProcess> watchdog) {
    if (mode != WatchdogConfig.Mode.REQUIRED) {
      return () -> true;
    }
    if (refusal.isPresent()) {
      return () -> false;
    }
    return () -> watchdog.map(w -> w.ready() && w.deviceUsable()).orElse(false);
  }
}
