package io.pgquorum.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * The machine and software versions a run measured, so a reader can tell whether two result files compare.
 *
 * @param when start of the run (UTC)
 * @param cpu CPU model from /proc/cpuinfo
 * @param cores processors the JVM sees
 * @param memoryMib total memory from /proc/meminfo
 * @param kernel kernel release
 * @param java JVM vendor and version
 * @param versions versions of the other software measured (PostgreSQL, etcd, Patroni, pgquorum)
 */
public record Machine(String when, String cpu, int cores, long memoryMib, String kernel, String java,
    Map<String, String> versions) {

  public Machine {
    versions = Map.copyOf(versions);
  }

  /** Reads the local machine; versions are filled in by the caller (they need the tools' own output). */
  public static Machine local(Map<String, String> versions) {
    return new Machine(Instant.now().toString(), readCpuModel(), Runtime.getRuntime().availableProcessors(),
        readMemoryMib(), read("/proc/sys/kernel/osrelease").strip(),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"), versions);
  }

  private static String readCpuModel() {
    for (String line : read("/proc/cpuinfo").split("\n")) {
      if (line.startsWith("model name")) {
        return line.substring(line.indexOf(':') + 1).strip();
      }
    }
    return "unknown";
  }

  private static long readMemoryMib() {
    for (String line : read("/proc/meminfo").split("\n")) {
      if (line.startsWith("MemTotal:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
      }
    }
    return 0;
  }

  private static String read(String file) {
    try {
      return Files.readString(Path.of(file));
    } catch (IOException e) {
      return "";
    }
  }
}
