package io.pgquorum.bench.failover;

import io.pgquorum.bench.Tools;
import io.pgquorum.bench.report.Result;
import io.pgquorum.jepsen.stack.PgClusterSpec.SyncMode;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One system at one group of settings, as the failover suite measures it.
 *
 * @param system {@link Result#PGQUORUM} or {@link Result#PATRONI}
 * @param name variant name in the results ("defaults", "aggressive")
 * @param timing ttl, loop_wait and retry_timeout requested at bootstrap
 * @param nodes cluster size
 * @param sync the replication mode the cluster bootstraps with ({@code synchronous_mode}, and
 *     {@code synchronous_mode_strict} for {@link SyncMode#STRICT})
 * @param electionTimeout pgquorum's {@code raft.election_timeout} on every node, when not its default
 */
public record Variant(String system, String name, Timing timing, int nodes, SyncMode sync,
    Optional<Duration> electionTimeout) {

  public Variant {
    if (sync == null) {
      throw new IllegalArgumentException("sync must be given (SyncMode.OFF for asynchronous replication)");
    }
  }

  /** A variant at the DCS's default election timeout. */
  public Variant(String system, String name, Timing timing, int nodes, SyncMode sync) {
    this(system, name, timing, nodes, sync, Optional.empty());
  }

  /**
   * The variants a comma-separated list names, in its order: {@code pgquorum-defaults}, {@code pgquorum-aggressive},
   * {@code patroni-defaults}, {@code patroni-aggressive}, or pgquorum at given whole seconds as
   * {@code pgquorum:TTL/LOOP_WAIT/RETRY_TIMEOUT} (named by its settings in the results, e.g. {@code 4/2/1}), optionally
   * with {@code @SECONDS} for {@code raft.election_timeout} (e.g. {@code pgquorum:4/1/1@0.25}); unset or blank:
   * {@code defaults}. For the suites an environment variable {@code variable} steers (a name it does not know
   * is refused naming that variable). Why: those suites pick pgquorum's default timing (issue 15), so a candidate
   * setting is measured before it becomes the default.
   */
  public static List<Variant> parseList(String variable, String spec, String defaults) {
    String names = spec == null || spec.isBlank() ? defaults : spec;
    List<Variant> out = new ArrayList<>();
    for (String name : names.split(",")) {
      out.add(switch (name.trim()) {
        case "pgquorum-defaults" -> pgquorumDefaults(3);
        case "pgquorum-aggressive" -> pgquorumAggressive(3);
        case "patroni-defaults" -> patroniDefaults(3);
        case "patroni-aggressive" -> patroniAggressive(3);
        default -> custom(variable, name.trim());
      });
    }
    return out;
  }

  private static Variant custom(String variable, String name) {
    String body = name.startsWith("pgquorum:") ? name.substring("pgquorum:".length()) : "";
    int at = body.indexOf('@');
    String election = at < 0 ? null : body.substring(at + 1);
    String[] parts = (at < 0 ? body : body.substring(0, at)).split("/");
    if (parts.length == 3) {
      try {
        Timing t = new Timing(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
        Optional<Duration> et = Optional.empty();
        String label = t.ttl() + "/" + t.loopWait() + "/" + t.retryTimeout();
        if (election != null) {
          BigDecimal seconds = new BigDecimal(election);
          et = Optional.of(Duration.ofMillis(seconds.movePointRight(3).longValueExact()));
          label += "@" + seconds.toPlainString();
        }
        return new Variant(Result.PGQUORUM, label, t, 3, SyncMode.OFF, et);
      } catch (NumberFormatException | ArithmeticException e) {
        // reported below, with the other malformed names
      }
    }
    throw new IllegalArgumentException(variable + ": unknown variant '" + name + "' (known: pgquorum-defaults, "
        + "pgquorum-aggressive, patroni-defaults, patroni-aggressive, pgquorum:TTL/LOOP_WAIT/RETRY_TIMEOUT in whole "
        + "seconds, optionally @ELECTION_TIMEOUT in seconds)");
  }

  /**
   * pgquorum's defaults: ttl 5, loop_wait 1, retry_timeout 1 (8, 1, 2 until 2026-12-06, when the soak suite held
   * 4/1/1 without a spurious failover; 4/1/1 that afternoon, until the replica-loss suite showed ttl 4 leaving the
   * primary's lease too little room for the DCS election after the Raft leader's replica died).
   */
  public static Variant pgquorumDefaults(int nodes) {
    return new Variant(Result.PGQUORUM, "defaults", new Timing(5, 1, 1), nodes, SyncMode.OFF);
  }

  /** The lowest values pgquorum's loader accepts: ttl 4, loop_wait 1, retry_timeout 1. */
  public static Variant pgquorumAggressive(int nodes) {
    return new Variant(Result.PGQUORUM, "aggressive", new Timing(4, 1, 1), nodes, SyncMode.OFF);
  }

  /** Patroni's defaults: ttl 30, loop_wait 10, retry_timeout 10. */
  public static Variant patroniDefaults(int nodes) {
    return new Variant(Result.PATRONI, "defaults", new Timing(30, 10, 10), nodes, SyncMode.OFF);
  }

  /** Patroni's documented minimums: ttl 20, loop_wait 1, retry_timeout 3. */
  public static Variant patroniAggressive(int nodes) {
    return new Variant(Result.PATRONI, "aggressive", new Timing(20, 1, 3), nodes, SyncMode.OFF);
  }

  /** The same settings under another name (a variant that differs in what is done to the running cluster). */
  public Variant withName(String newName) {
    return new Variant(system, newName, timing, nodes, sync, electionTimeout);
  }

  /** The same variant bootstrapping with another replication mode. */
  public Variant withSync(SyncMode mode) {
    return new Variant(system, name, timing, nodes, mode, electionTimeout);
  }

  /**
   * The results' config string: the node count, and the replication mode unless asynchronous (so that results of
   * both systems in the same mode pair up, and never with an asynchronous one).
   */
  public String config() {
    return nodes + " nodes" + (sync == SyncMode.OFF ? "" : ", " + modeName(sync));
  }

  /** How the results name a replication mode: "synchronous_mode on", "... on + strict", "... quorum", "... off". */
  public static String modeName(SyncMode mode) {
    return switch (mode) {
      case OFF -> "synchronous_mode off";
      case ON -> "synchronous_mode on";
      case QUORUM -> "synchronous_mode quorum";
      case STRICT -> "synchronous_mode on + strict";
    };
  }

  /** Starts a cluster of this variant under {@code dir}. */
  public HaCluster start(Tools tools, Path dir) throws IOException {
    return system.equals(Result.PGQUORUM)
        ? PgQuorumCluster.start(tools.pgquorumHome(), dir, nodes, timing, sync, electionTimeout)
        : PatroniCluster.start(tools, dir, nodes, timing, sync);
  }

  @Override
  public String toString() {
    return system + " " + name + " (" + timing + electionTimeout.map(d -> ", raft.election_timeout " + seconds(d))
        .orElse("") + ", " + config() + ")";
  }

  /** A duration as the configuration writes seconds: {@code 0.25}, {@code 1}. */
  static String seconds(Duration d) {
    return BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString();
  }
}
