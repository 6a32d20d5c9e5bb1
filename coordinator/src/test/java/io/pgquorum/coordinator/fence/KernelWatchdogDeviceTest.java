package io.pgquorum.coordinator.fence;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.fence.KernelWatchdogDevice.Timing;
import io.pgquorum.coordinator.fence.KernelWatchdogDevice.Unusable;
import io.pgquorum.coordinator.fence.KernelWatchdogDevice.Usable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up check of a kernel watchdog device. This machine has no watchdog driver, so a character device that
 * every user may write (/dev/null, 1:3) stands in for it, with a sysfs tree laid out like the kernel's in a temporary
 * directory.
 */
class KernelWatchdogDeviceTest {
  static final Path STAND_IN = Path.of("/dev/null");
  /** ttl 8, loop_wait 1, retry_timeout 2, safety_margin 5: Patroni's timeout 3 s, keepalive bound 5 s. */
  static final Timing DEFAULTS = new Timing(8, 1, 2, 5);

  @TempDir
  Path sysfs;

  private void timeout(String value) throws Exception {
    Path dir = Files.createDirectories(sysfs.resolve("dev/char/1:3"));
    Files.writeString(dir.resolve("timeout"), value + "\n");
  }

  @Test
  void aDeviceWithAFittingTimeoutIsUsable() throws Exception {
    timeout("3");
    assertThat(KernelWatchdogDevice.probe(STAND_IN, DEFAULTS, sysfs))
        .isEqualTo(new Usable(STAND_IN, Duration.ofSeconds(3)));
  }

  @Test
  void aMissingDeviceOrAFileIsNotAWatchdog() throws Exception {
    assertThat(KernelWatchdogDevice.probe(sysfs.resolve("watchdog"), DEFAULTS, sysfs))
        .isInstanceOfSatisfying(Unusable.class, u -> assertThat(u.reason()).endsWith("watchdog does not exist "
            + "(load a watchdog driver, e.g. modprobe softdog)"));
    Path file = Files.writeString(sysfs.resolve("file"), "");
    assertThat(KernelWatchdogDevice.probe(file, DEFAULTS, sysfs))
        .isInstanceOfSatisfying(Unusable.class, u -> assertThat(u.reason()).endsWith("is not a character device"));
  }

  @Test
  void timeoutsThatDoNotFitAreRefusedWithTheFix() throws Exception {
    timeout("4");
    assertThat(KernelWatchdogDevice.probe(STAND_IN, DEFAULTS, sysfs)).isInstanceOfSatisfying(Unusable.class,
        u -> assertThat(u.reason()).isEqualTo("/dev/null's timeout is 4 s, longer than ttl - safety_margin = 3 s: "
            + "set it to that (pgquorum cannot set it; e.g. wdctl --settimeout 3 /dev/null, or modprobe softdog "
            + "soft_margin=3)"));
    // Patroni's usual timing (ttl 30, loop_wait 10, retry_timeout 10) with safety_margin 5 wants 25 s, which
    // leaves no keepalive between two refreshes.
    timeout("25");
    assertThat(KernelWatchdogDevice.probe(STAND_IN, new Timing(30, 10, 10, 5), sysfs))
        .isInstanceOfSatisfying(Unusable.class, u -> assertThat(u.reason())
            .startsWith("/dev/null's timeout is 25 s, longer than ttl - retry_timeout - loop_wait = 10 s"));
    timeout("4");
    assertThat(KernelWatchdogDevice.probe(STAND_IN, new Timing(8, 1, 2, -1), sysfs))
        .as("safety_margin -1: ttl/2").isEqualTo(new Usable(STAND_IN, Duration.ofSeconds(4)));
    timeout("0");
    assertThat(KernelWatchdogDevice.probe(STAND_IN, DEFAULTS, sysfs)).isInstanceOf(Unusable.class);
    // A fractional ttl: the device's whole seconds round down, so it still fires before the lease runs out.
    Timing fractional = new Timing(Duration.ofMillis(8_900), Duration.ofMillis(500), Duration.ofMillis(1_500), 5);
    assertThat(fractional.patroniTimeout()).isEqualTo(3);
    assertThat(fractional.keepaliveBound()).isEqualTo(6);
    timeout("4");
    assertThat(KernelWatchdogDevice.probe(STAND_IN, fractional, sysfs)).isInstanceOfSatisfying(Unusable.class,
        u -> assertThat(u.reason()).startsWith("/dev/null's timeout is 4 s, longer than ttl - safety_margin = 3 s"));
  }

  @Test
  void anUnreadableTimeoutOrNowayoutIsRefused() throws Exception {
    assertThat(KernelWatchdogDevice.probe(STAND_IN, DEFAULTS, sysfs)).isInstanceOfSatisfying(Unusable.class,
        u -> assertThat(u.reason()).startsWith("cannot read the timeout of /dev/null from "));
    timeout("3");
    Files.writeString(sysfs.resolve("dev/char/1:3/nowayout"), "1\n");
    assertThat(KernelWatchdogDevice.probe(STAND_IN, DEFAULTS, sysfs)).isInstanceOfSatisfying(Unusable.class,
        u -> assertThat(u.reason()).contains("nowayout"));
  }

  @Test
  void deviceNumbersMapToSysfsAsTheKernelDoes() {
    long rdev = (Long) assertNoThrow(() -> Files.getAttribute(STAND_IN, "unix:rdev"));
    assertThat(KernelWatchdogDevice.major(rdev)).isEqualTo(1);
    assertThat(KernelWatchdogDevice.minor(rdev)).isEqualTo(3);
    assertThat(KernelWatchdogDevice.sysfsDir(Path.of("/sys"), 10, 130))
        .isEqualTo(Path.of("/sys/class/watchdog/watchdog0"));
    assertThat(KernelWatchdogDevice.sysfsDir(Path.of("/sys"), 246, 0)).isEqualTo(Path.of("/sys/dev/char/246:0"));
    // glibc's makedev(511, 70000) = 0x111fff0170, split back.
    long big = ((511L & 0xfff) << 8) | ((511L & ~0xfffL) << 32) | (70000L & 0xff) | ((70000L & ~0xffL) << 12);
    assertThat(KernelWatchdogDevice.major(big)).isEqualTo(511);
    assertThat(KernelWatchdogDevice.minor(big)).isEqualTo(70000);
  }

  interface ThrowingSupplier {
    Object get() throws Exception;
  }

  static Object assertNoThrow(ThrowingSupplier s) {
    try {
      return s.get();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
