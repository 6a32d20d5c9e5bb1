package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.config.StandbyCluster;
import io.pgquorum.coordinator.postgres.PgState;
import io.pgquorum.coordinator.postgres.Upstream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Standby-cluster rules beyond the bootstrap and the holder's cycle (which stay in {@link Decider}): whom a member
 * follows while the standby cluster has no standby leader, and whether a running server still has the recovery
 * settings the {@code standby_cluster} section asks for. Pure, as the decider. Public for the test that checks
 * {@link #staleSettings} against a real PostgreSQL's probe.
 */
public final class StandbyRules {
  private StandbyRules() {}

  /**
   * Patroni's {@code _get_node_to_follow} in a standby cluster without a lock holder: every member follows the
   * remote meanwhile (not while paused: a paused cluster re-points nobody without a leader), so the cluster keeps
   * up with the remote until a new standby leader is elected. Empty when this is no standby cluster, while paused,
   * and for an archive-only remote when {@code running} (Patroni's "continue following the old known standby
   * leader": its restore_command goes on fetching from the archive; a stopped member is started with it).
   */
  static Optional<Upstream> remoteWhileUnlocked(ClusterSnapshot c, HaPolicy policy, boolean running) {
    if (!c.isUnlocked() || policy.dynamic().paused()) {
      return Optional.empty();
    }
    return policy.dynamic().standbyCluster().map(Upstream::remote).filter(r -> r.streams() || !running);
  }

  /**
   * The step that points a running replica at the remote while the standby cluster has no standby leader
   * ({@link #remoteWhileUnlocked}), when it does not stream from the remote yet or lacks the section's settings;
   * empty otherwise (not a replica, a paused or archive-only cluster, nothing to change).
   */
  static Optional<Action> followRemoteWhileUnlocked(ClusterSnapshot c, HaPolicy policy, PgState pg) {
    if (!pg.isReplica() || policy.tags().nostream()) {
      return Optional.empty();
    }
    return remoteWhileUnlocked(c, policy, true)
        .filter(r -> !pg.upstream().equals(Optional.of(r.address()))
            || !staleSettings(r.remote().orElseThrow(), pg, true, policy.dynamic().useSlots()).isEmpty())
        .map(Action.Follow::new);
  }

  /**
   * How a start that follows the remote checks for divergence (Patroni's {@code _handle_rewind_or_reinitialize}
   * with the remote member): against a streaming remote, {@link Divergence#fromRemote}; not against an archive
   * (nothing to compare with), nor against a list of hosts (which of them is the primary is libpq's to find, and
   * the check connects to one host).
   */
  static Divergence divergenceCheck(Upstream remote, HaPolicy policy) {
    if (!remote.streams() || remote.host().contains(",")) {
      return Divergence.NOT_CHECKED;
    }
    return Divergence.fromRemote(policy);
  }

  /**
   * The names of the recovery settings {@code section} asks for that the running server {@code pg} does not run
   * with (as its probe read them from pg_settings; a setting not probed is not judged). {@code followsRemote}: the
   * server follows the remote (the standby leader, or a member while there is none) and gets the section's slot and
   * apply delay too; otherwise it follows a member of this cluster and gets only the section's archive commands
   * (see {@code ConfigWriter#replicaSettings}). A key the section leaves out is not judged (the node's own
   * recovery_conf or backrest section may give it), except the slot, which only the section gives a follower of the
   * remote. PostgreSQL 13+ reads all of these on a reload ({@code pg_settings.context} is {@code sighup}).
   */
  public static List<String> staleSettings(StandbyCluster section, PgState pg, boolean followsRemote,
      boolean useSlots) {
    Map<String, String> now = pg.recoverySettings();
    List<String> stale = new ArrayList<>();
    section.restoreCommand().filter(v -> differs(now, "restore_command", v)).ifPresent(v -> stale.add(
        "restore_command"));
    section.archiveCleanupCommand().filter(v -> differs(now, "archive_cleanup_command", v))
        .ifPresent(v -> stale.add("archive_cleanup_command"));
    if (!followsRemote) {
      return stale;
    }
    section.recoveryMinApplyDelay().flatMap(StandbyRules::millis)
        .filter(ms -> differs(now, "recovery_min_apply_delay", ms))
        .ifPresent(ms -> stale.add("recovery_min_apply_delay"));
    String slot = useSlots && section.streams() ? section.primarySlotName().orElse("") : "";
    if (differs(now, "primary_slot_name", slot)) {
      stale.add("primary_slot_name");
    }
    return stale;
  }

  private static boolean differs(Map<String, String> now, String key, String wanted) {
    return now.containsKey(key) && !now.get(key).equals(wanted);
  }

  private static final Pattern TIME = Pattern.compile("\\s*(\\d+)\\s*(ms|s|min|h|d)?\\s*");

  /**
   * {@code recovery_min_apply_delay} as PostgreSQL's pg_settings shows it (milliseconds), from the section's
   * spelling (an integer with PostgreSQL's time units, milliseconds without one); empty for a spelling this does
   * not read (then it is not judged stale: the validation of the section names the key).
   */
  static Optional<String> millis(String value) {
    Matcher m = TIME.matcher(value.toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      return Optional.empty();
    }
    long n = Long.parseLong(m.group(1));
    long factor = switch (m.group(2) == null ? "ms" : m.group(2)) {
      case "s" -> 1_000L;
      case "min" -> 60_000L;
      case "h" -> 3_600_000L;
      case "d" -> 86_400_000L;
      default -> 1L;
    };
    return Optional.of(Long.toString(n * factor));
  }
}
