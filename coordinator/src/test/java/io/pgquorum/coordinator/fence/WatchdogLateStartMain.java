package io.pgquorum.coordinator.fence;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Run by {@link WatchdogAfterJdkUpgradeTest} from a copy of the JDK: a long-running JVM (an application that
 * embeds a node, or a daemon whose node starts later) that builds and starts its watchdog only when told to (a line
 * on standard input), i.e. after the test replaced its java binary. Prints READY-OK or NOT-READY. Arguments:
 * pg_ctl, data directory.
 */
public final class WatchdogLateStartMain {
  private WatchdogLateStartMain() {}

  public static void main(String[] args) throws Exception {
    System.out.println("WAITING");
    System.out.flush();
    System.in.read();
    WatchdogProcess w = new WatchdogProcess(WatchdogProcess.command(Path.of(args[0]), Path.of(args[1]), "late", 5),
        Optional.empty(), System::nanoTime, () -> { }, "late");
    w.start();
    System.out.println(w.awaitReady(Duration.ofSeconds(20)) ? "READY-OK" : "NOT-READY");
    System.out.flush();
    w.close();
    System.exit(0);
  }
}
