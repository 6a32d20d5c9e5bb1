package io.pgquorum.coordinator.postgres;

import io.pgquorum.coordinator.postgres.ProcessRunner.OnTimeout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which setting names a PostgreSQL server binary knows, asked of the binary itself, as Patroni does: a configuration
 * written for an old release (checkpoint_segments, say) must not stop PostgreSQL 15 from starting on every node at
 * once, so {@link ConfigWriter} leaves out what the server does not know.
 *
 * <p>How: {@code postgres --describe-config} lists the settings, once per binary (cached by path, size and
 * modification time, so an upgraded binary is asked again). It hides some settings the server does accept in a file
 * (application_name, trace_sort, zero_damaged_pages, ...: those marked not-in-sample), so a name it does not list
 * is only a candidate: {@code postgres -C <name>} against an empty configuration and an empty data directory
 * settles it (PostgreSQL answers "unrecognized configuration parameter" only for names it does not know), also
 * once per binary and name. A name with a dot is an extension's (or pgquorum's fencing token) and never asked
 * about: PostgreSQL accepts those as placeholders. When the binary cannot be asked, every name is kept: PostgreSQL's
 * own refusal then names the setting (see {@link PgCtlRunner}), which is no worse than before.
 */
final class ServerParameters {
  private static final Logger LOG = LoggerFactory.getLogger(ServerParameters.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final String UNRECOGNIZED = "unrecognized configuration parameter";

  /** What one binary knows: its --describe-config names and the verdicts on names it hides. */
  private record Known(Set<String> described, Map<String, Boolean> verdicts) {}

  /** By binary (path, size, mtime); empty when the binary could not describe its settings. */
  private static final Map<String, Optional<Known>> CACHE = new ConcurrentHashMap<>();

  private ServerParameters() {}

  /** Of {@code names} (lower case), those the {@code postgres} binary of {@code ctx} does not know, in order. */
  static Set<String> unknown(PgContext ctx, Collection<String> names) {
    Path binary = Path.of(ctx.bin("postgres"));
    Optional<Known> known = CACHE.computeIfAbsent(cacheKey(binary), k -> describe(ctx, binary));
    if (known.isEmpty()) {
      return Set.of();
    }
    Set<String> unknown = new LinkedHashSet<>();
    for (String name : names) {
      if (name.indexOf('.') >= 0 || known.get().described().contains(name)) {
        continue;
      }
      if (!known.get().verdicts().computeIfAbsent(name, n -> accepts(ctx, binary, n))) {
        unknown.add(name);
      }
    }
    return unknown;
  }

  private static String cacheKey(Path binary) {
    try {
      return binary + "|" + Files.size(binary) + "|" + Files.getLastModifiedTime(binary).toMillis();
    } catch (IOException e) {
      return binary.toString(); // not there: describe() says so once
    }
  }

  private static Optional<Known> describe(PgContext ctx, Path binary) {
    try {
      ProcessRunner.Result r = ctx.runner.run("postgres --describe-config", List.of(binary.toString(),
          "--describe-config"), Map.of(), TIMEOUT, OnTimeout.KILL_TREE);
      if (r.ok()) {
        // One setting per line: its name, a tab, then its context, group, type, ...
        Set<String> names = r.output().lines().filter(l -> l.indexOf('\t') > 0)
            .map(l -> l.substring(0, l.indexOf('\t')).toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        if (!names.isEmpty()) {
          return Optional.of(new Known(names, new ConcurrentHashMap<>()));
        }
      }
      LOG.warn("{} --describe-config failed (exit {}), so settings PostgreSQL does not know are not left out of its "
          + "configuration: {}", binary, r.exitCode(), r.tail());
    } catch (PostgresException e) {
      LOG.warn("cannot ask {} which settings it knows, so settings PostgreSQL does not know are not left out of "
          + "its configuration: {}", binary, e.getMessage());
    }
    return Optional.empty();
  }

  /** Whether the server accepts {@code name}: false only when it says it does not know it. */
  private static boolean accepts(PgContext ctx, Path binary, String name) {
    Path dir = null;
    try {
      // An empty data directory and configuration: only the name is checked, nothing is read or started.
      dir = Files.createTempDirectory("pgquorum-guc-");
      Path conf = Files.createFile(dir.resolve("empty.conf"));
      ProcessRunner.Result r = ctx.runner.run("postgres -C " + name, List.of(binary.toString(),
          "--config-file=" + conf, "-D", dir.toString(), "-C", name), Map.of(), TIMEOUT, OnTimeout.KILL_TREE);
      return r.ok() || !r.output().contains(UNRECOGNIZED);
    } catch (IOException | PostgresException e) {
      return true; // cannot tell: kept, and PostgreSQL's own refusal names it if it is wrong
    } finally {
      if (dir != null) {
        try {
          DataDirectory.deleteTree(dir);
        } catch (IOException ignored) {
          // a leftover empty temporary directory is harmless
        }
      }
    }
  }
}
