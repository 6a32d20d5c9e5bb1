package io.pgquorum.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Where the measured programs are. Defaults are Debian's packages; environment variables override them.
 *
 * @param pgquorumHome the checkout (bin/pgquorum lives under it)
 * @param pgBin PostgreSQL 15 server binaries ({@code PGQUORUM_BENCH_PG_BIN})
 * @param etcd the etcd server binary ({@code PGQUORUM_BENCH_ETCD})
 * @param patroni the patroni executable ({@code PGQUORUM_BENCH_PATRONI})
 */
public record Tools(Path pgquorumHome, Path pgBin, Path etcd, Path patroni) {

  /** Reads the defaults and overrides. */
  public static Tools detect(Path pgquorumHome) {
    return new Tools(pgquorumHome,
        Path.of(env("PGQUORUM_BENCH_PG_BIN", "/usr/lib/postgresql/15/bin")),
        Path.of(env("PGQUORUM_BENCH_ETCD", "/usr/bin/etcd")),
        Path.of(env("PGQUORUM_BENCH_PATRONI", "/usr/bin/patroni")));
  }

  /** Whether etcd can be run. */
  public boolean hasEtcd() {
    return Files.isExecutable(etcd);
  }

  /** Whether Patroni can be run. */
  public boolean hasPatroni() {
    return Files.isExecutable(patroni);
  }

  /** First line each tool prints for --version, for the report's machine description. */
  public Map<String, String> versions() {
    Map<String, String> v = new LinkedHashMap<>();
    v.put("PostgreSQL", firstLine(pgBin.resolve("postgres").toString(), "--version"));
    if (hasEtcd()) {
      v.put("etcd", firstLine(etcd.toString(), "--version"));
    }
    if (hasPatroni()) {
      v.put("Patroni", firstLine(patroni.toString(), "--version"));
    }
    return v;
  }

  private static String firstLine(String... command) {
    try {
      Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
      String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(10, TimeUnit.SECONDS);
      String line = text.lines().findFirst().orElse("").strip();
      return line.isEmpty() ? "unknown" : line;
    } catch (IOException e) {
      return "not runnable: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}
