package io.pgquorum.coordinator.fence;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The lease watchdog process: a small JVM the daemon starts next to itself, in a session of its own
 * ({@link WatchdogProcess}), so that a daemon that is frozen (SIGSTOP of it or of its whole process group, a stuck
 * JVM) or killed cannot leave PostgreSQL running as a primary past its lease. It reads {@link WatchdogCommand}s on
 * standard input and, when an armed deadline passes, runs the fencing procedure ({@link PostgresFence}) on its data
 * directory; optionally it keeps a kernel watchdog device alive while the lease is valid. Rules:
 * {@link WatchdogState}.
 *
 * <p>{@code WatchdogMain --pg-ctl <path> --data-dir <dir> --name <member> [--timeout <seconds>]
 * [--device <path> --device-timeout-ms <ms>]}. It prints {@code READY <nanoTime>} on standard output once it reads
 * its input (and device notices later), and one line per event on standard error. It uses nothing but the JDK:
 * it must start fast and stay small.
 */
public final class WatchdogMain {
  private WatchdogMain() {}

  /** One input line with the time it was read; a null line is end of input. */
  private record Input(String line, long readNanos) {}

  /** Parsed arguments. */
  record Args(String pgCtl, String dataDir, String name, int timeoutSeconds, String device, long deviceTimeoutMs) {}

  static Args parse(String[] args) {
    String pgCtl = null;
    String dataDir = null;
    String name = "?";
    int timeout = 60;
    String device = null;
    long deviceTimeoutMs = 0;
    if (args.length % 2 != 0) {
      throw new IllegalArgumentException("arguments come in pairs");
    }
    for (int i = 0; i + 1 < args.length; i += 2) {
      String v = args[i + 1];
      switch (args[i]) {
        case "--pg-ctl" -> pgCtl = v;
        case "--data-dir" -> dataDir = v;
        case "--name" -> name = v;
        case "--timeout" -> timeout = Integer.parseInt(v);
        case "--device" -> device = v;
        case "--device-timeout-ms" -> deviceTimeoutMs = Long.parseLong(v);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (pgCtl == null || dataDir == null) {
      throw new IllegalArgumentException("--pg-ctl and --data-dir are required");
    }
    if ((device == null) != (deviceTimeoutMs <= 0)) {
      throw new IllegalArgumentException("--device and a positive --device-timeout-ms go together");
    }
    return new Args(pgCtl, dataDir, name, timeout, device, deviceTimeoutMs);
  }

  public static void main(String[] argv) {
    Args a;
    try {
      a = parse(argv);
    } catch (IllegalArgumentException e) {
      System.err.println("pgquorum-watchdog: " + e.getMessage() + "\nusage: WatchdogMain --pg-ctl <path> "
          + "--data-dir <dir> --name <member> [--timeout <seconds>] [--device <path> --device-timeout-ms <ms>]");
      System.exit(2);
      return;
    }
    System.exit(new WatchdogMain.Loop(a).run());
  }

  /** The event loop: feeds {@link WatchdogState}, runs the fence, does the device I/O. */
  private static final class Loop {
    private final Args args;
    private final String who;
    private final PostgresFence fence;
    private final WatchdogState state;
    private FileChannel device;

    Loop(Args args) {
      this.args = args;
      this.who = "pgquorum-watchdog[" + args.name() + "]";
      this.fence = new PostgresFence(Path.of(args.pgCtl()), Path.of(args.dataDir()), args.timeoutSeconds(),
          this::log);
      this.state = new WatchdogState(args.deviceTimeoutMs() * 1_000_000L);
    }

    int run() {
      BlockingQueue<Input> inputs = new LinkedBlockingQueue<>();
      Thread reader = new Thread(() -> readInput(inputs), "watchdog-input");
      reader.setDaemon(true);
      reader.start();
      // Our clock reading, for the daemon's check that both processes see the same monotonic clock.
      say("READY " + System.nanoTime());
      try {
        while (!state.finished()) {
          boolean guardCheck = state.guarding(); // a fence now is a re-check after the first one
          apply(state.tick(System.nanoTime()), guardCheck);
          if (state.finished()) {
            break;
          }
          long wait = state.waitNanos(System.nanoTime());
          Input in = wait == Long.MAX_VALUE ? inputs.take() : inputs.poll(wait, TimeUnit.NANOSECONDS);
          if (in == null) {
            continue; // a deadline, keepalive or guard check is due: the next tick handles it
          }
          boolean wasArmed = state.armed();
          apply(state.receive(in.line(), in.readNanos()), false);
          if (in.line() == null && wasArmed && state.armed()) {
            log("input ended while armed (the daemon is gone): PostgreSQL will be fenced at the lease deadline, in "
                + state.waitNanos(System.nanoTime()) / 1_000_000L + " ms");
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return 1;
      } finally {
        if (device != null) {
          closeDevice(); // never leave the kernel timer running behind a watchdog that exits
        }
      }
      return 0;
    }

    private void apply(WatchdogState.Step step, boolean guardCheck) throws InterruptedException {
      step.problem().ifPresent(this::log);
      step.notice().ifPresent(Loop::say);
      if (step.fenceNow()) {
        String why = guardCheck ? "a PostgreSQL process appeared after the fence"
            : "the lease deadline passed without a refresh";
        PostgresFence.Outcome o = fence.fence(why);
        if (!guardCheck || o.found()) {
          log("FENCED: " + why + ": " + o.describe() + " in " + args.dataDir());
        }
        apply(state.fenced(System.nanoTime()), false);
      }
      switch (step.device()) {
        case OPEN -> openDevice();
        case KEEPALIVE -> writeDevice("1");
        case CLOSE -> closeDevice();
        case NONE -> { }
      }
    }

    private void openDevice() throws InterruptedException {
      try {
        // WRITE only: no O_CREAT (a missing device must not become a regular file), no O_TRUNC.
        device = FileChannel.open(Path.of(args.device()), StandardOpenOption.WRITE);
        log("kernel watchdog " + args.device() + " activated (timeout " + args.deviceTimeoutMs() + " ms)");
        writeDevice("1");
      } catch (IOException | RuntimeException e) {
        device = null;
        apply(state.deviceError("cannot open the kernel watchdog " + args.device() + ": " + e.getMessage()), false);
      }
    }

    private void writeDevice(String what) throws InterruptedException {
      if (device == null) {
        return;
      }
      try {
        device.write(ByteBuffer.wrap(what.getBytes(StandardCharsets.US_ASCII)));
      } catch (IOException e) {
        closeQuietly();
        apply(state.deviceError("cannot write to the kernel watchdog " + args.device() + ": " + e.getMessage()),
            false);
      }
    }

    /** Magic close: 'V' then close, so that the kernel stops the timer (unless the driver was loaded nowayout). */
    private void closeDevice() {
      if (device == null) {
        return;
      }
      try {
        device.write(ByteBuffer.wrap("V".getBytes(StandardCharsets.US_ASCII)));
        log("kernel watchdog " + args.device() + " disabled (magic close)");
      } catch (IOException e) {
        log("could not write the magic close to " + args.device() + ": " + e.getMessage()
            + ": the kernel may reset the machine");
      }
      closeQuietly();
    }

    private void closeQuietly() {
      try {
        device.close();
      } catch (IOException e) {
        // closed anyway
      }
      device = null;
    }

    private static void readInput(BlockingQueue<Input> inputs) {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII))) {
        String line;
        while ((line = r.readLine()) != null) {
          inputs.add(new Input(line, System.nanoTime()));
        }
      } catch (IOException e) {
        // a broken pipe is the end of input, like EOF
      }
      inputs.add(new Input(null, System.nanoTime()));
    }

    private static void say(String line) {
      System.out.println(line);
      System.out.flush();
    }

    private void log(String message) {
      System.err.println(Instant.now() + " " + who + ": " + message);
      System.err.flush();
    }
  }
}
