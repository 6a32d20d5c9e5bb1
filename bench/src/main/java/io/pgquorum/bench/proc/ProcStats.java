package io.pgquorum.bench.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * Reads a process's resident memory and CPU time from Linux's {@code /proc}. The parsers are separate pure
 * functions so they can be tested on fixed text.
 */
public final class ProcStats {
  private static volatile long clockTicks;

  private ProcStats() {}

  /** Resident set size in KiB ({@code VmRSS} of {@code /proc/PID/status}), empty when the process is gone. */
  public static OptionalLong rssKib(long pid) {
    try {
      return parseVmRssKib(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
    } catch (IOException e) {
      return OptionalLong.empty();
    }
  }

  /**
   * Proportional set size in KiB ({@code Pss} of {@code /proc/PID/smaps_rollup}): each shared page counted as its
   * share among the processes mapping it, so two JVMs of one node (daemon and watchdog) sharing class data or
   * libraries are not counted twice as in RSS. Empty when the process is gone or its smaps are not readable.
   */
  public static OptionalLong pssKib(long pid) {
    try {
      return parseKibField(Files.readString(Path.of("/proc", Long.toString(pid), "smaps_rollup")), "Pss:");
    } catch (IOException e) {
      return OptionalLong.empty();
    }
  }

  /** User plus system CPU time in clock ticks (fields 14 and 15 of {@code /proc/PID/stat}), empty when gone. */
  public static OptionalLong cpuTicks(long pid) {
    try {
      return parseCpuTicks(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
    } catch (IOException e) {
      return OptionalLong.empty();
    }
  }

  /**
   * utime + stime + cutime + cstime in clock ticks (fields 14 to 17): the process's own CPU plus that of its
   * children that have exited and been waited for (for a postmaster: the backends that came and went).
   */
  public static OptionalLong cpuTicksWithReapedChildren(long pid) {
    try {
      return parseCpuTicksWithReapedChildren(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
    } catch (IOException e) {
      return OptionalLong.empty();
    }
  }

  /** utime + stime + cutime + cstime from the text of {@code /proc/PID/stat}. */
  public static OptionalLong parseCpuTicksWithReapedChildren(String stat) {
    long own = parseCpuTicks(stat).getAsLong();
    String[] w = stat.substring(stat.lastIndexOf(')') + 1).trim().split("\\s+");
    if (w.length < 15) {
      throw new IllegalArgumentException("too few fields in /proc stat text: '" + stat.strip() + "'");
    }
    return OptionalLong.of(own + Long.parseLong(w[13]) + Long.parseLong(w[14]));
  }

  /** The {@code VmRSS} value in KiB from the text of {@code /proc/PID/status}; empty for kernel threads. */
  /** The first {@code field} line's value in kB ({@code "Pss:   1234 kB"}), empty when there is none. */
  public static OptionalLong parseKibField(String text, String field) {
    for (String line : text.split("\n")) {
      if (line.startsWith(field)) {
        String[] words = line.substring(field.length()).trim().split("\\s+");
        if (words.length != 2 || !words[1].equals("kB")) {
          throw new IllegalArgumentException("unexpected " + field + " line: '" + line + "'");
        }
        return OptionalLong.of(Long.parseLong(words[0]));
      }
    }
    return OptionalLong.empty();
  }

  /** {@code VmRSS} of a {@code /proc/PID/status} text (kernel threads have none: empty). */
  public static OptionalLong parseVmRssKib(String status) {
    return parseKibField(status, "VmRSS:");
  }

  /**
   * utime + stime from the text of {@code /proc/PID/stat}. The command name (field 2) is in parentheses and may
   * itself hold spaces and parentheses, so fields are counted from the last ')'.
   */
  public static OptionalLong parseCpuTicks(String stat) {
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      throw new IllegalArgumentException("no command name in /proc stat text: '" + stat.strip() + "'");
    }
    // After ')': field 3 (state) is word 0, so utime (field 14) is word 11 and stime (field 15) word 12.
    String[] w = stat.substring(close + 1).trim().split("\\s+");
    if (w.length < 13) {
      throw new IllegalArgumentException("too few fields in /proc stat text: '" + stat.strip() + "'");
    }
    return OptionalLong.of(Long.parseLong(w[11]) + Long.parseLong(w[12]));
  }

  /** Direct children of a process (every thread's {@code children} list; falls back to ProcessHandle). */
  public static List<Long> children(long pid) {
    List<Long> out = new ArrayList<>();
    Path tasks = Path.of("/proc", Long.toString(pid), "task");
    try (var ts = Files.list(tasks)) {
      for (Path t : (Iterable<Path>) ts::iterator) {
        try {
          for (String w : Files.readString(t.resolve("children")).trim().split("\\s+")) {
            if (!w.isEmpty() && !out.contains(Long.parseLong(w))) {
              out.add(Long.parseLong(w));
            }
          }
        } catch (IOException e) {
          // the thread ended while we listed: its children moved to another thread or are gone
        }
      }
      return out;
    } catch (IOException e) {
      return ProcessHandle.of(pid).map(h -> h.children().map(ProcessHandle::pid).toList()).orElse(List.of());
    }
  }

  /** The process and all its descendants, parents before children. */
  public static List<Long> tree(long pid) {
    List<Long> out = new ArrayList<>();
    out.add(pid);
    for (int i = 0; i < out.size(); i++) {
      out.addAll(children(out.get(i)));
    }
    return out;
  }

  /** The command line's first word ({@code /proc/PID/cmdline}), or "" when gone. */
  public static String command(long pid) {
    List<String> words = commandLine(pid);
    return words.isEmpty() ? "" : words.get(0);
  }

  /** The whole command line ({@code /proc/PID/cmdline}), word by word; empty when gone. */
  public static List<String> commandLine(long pid) {
    try {
      String c = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"));
      return c.isEmpty() ? List.of() : List.of(c.split("\0"));
    } catch (IOException e) {
      return List.of();
    }
  }

  /** Clock ticks per second ({@code getconf CLK_TCK}; 100, Linux's value, if that cannot run). */
  public static long clockTicksPerSecond() {
    if (clockTicks == 0) {
      long v = 100;
      try {
        Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
          v = Long.parseLong(out);
        }
      } catch (IOException | NumberFormatException e) {
        // keep 100
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      clockTicks = v;
    }
    return clockTicks;
  }
}
