package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.TimeUnits;
import io.pgquorum.coordinator.postgres.Upstream;
import io.pgquorum.dcs.planted.PlantedBugs;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A {@link Decision} as a transcript prints it: stable (sets sorted, durations in whole units) and generic over
 * {@link Action} types, so a new action prints without changes here.
 */
final class DecisionPrinter {
  private DecisionPrinter() {}

  /**
   * The message ({@code (not logged)} after it when the loop only publishes it), the actions in order, the message
   * instead when a gate fails, then what is remembered and which planted bugs are on, if any.
   */
  static String print(Decision d, long nowNanos, PlantedBugs bugs) {
    StringBuilder b = new StringBuilder(d.message()).append(d.logged() ? "" : " (not logged)").append('\n');
    if (d.actions().isEmpty()) {
      b.append("(no actions)\n");
    }
    for (int i = 0; i < d.actions().size(); i++) {
      b.append(i + 1).append(". ").append(action(d.actions().get(i))).append('\n');
    }
    d.ifGateFails().ifPresent(m -> b.append("if a gate fails: ").append(m).append('\n'));
    HaMemory m = d.memory();
    // The replica's epoch upstream (TimelineEpochs) is left out: every streaming replica on timeline 1 remembers its
    // upstream, which would add a memory line to most transcripts; TimelineEpochsTest checks it.
    if (!m.withEpochUpstream(Optional.empty()).equals(HaMemory.NONE)) {
      b.append("memory:");
      m.primaryStartSinceNanos().ifPresent(s -> b.append(" primary-start=")
          .append(duration(nowNanos - s)).append("-ago"));
      if (m.unprobeableCycles() > 0) {
        b.append(" unprobeable=").append(m.unprobeableCycles());
      }
      m.retry().ifPresent(r -> b.append(" task-failures=").append(r.failures()).append(" next-attempt=")
          .append(r.notBeforeNanos() > nowNanos ? "in-" + duration(r.notBeforeNanos() - nowNanos) : "now"));
      m.scheduledRestart().ifPresent(r -> b.append(" scheduled-restart=").append(r.at()).append(" due=")
          .append(r.dueNanos() > nowNanos ? "in-" + duration(r.dueNanos() - nowNanos)
              : duration(nowNanos - r.dueNanos()) + "-ago"));
      CallbackMemory cb = m.callbacks();
      cb.announced().ifPresent(r -> b.append(" announced=").append(r));
      cb.pending().ifPresent(p -> b.append(" pending=").append(p.key()).append(cb.pendingPrimary()
          ? "-once-primary" : ""));
      cb.noRaceBeforeNanos().ifPresent(t -> b.append(" no-race-for=").append(duration(t - nowNanos)));
      if (m.handedOver()) {
        b.append(" handed-over=yes");
      }
      m.syncMark().ifPresent(k -> b.append(" sync-mark=").append(k.lsn()).append(" (for ").append(k.names())
          .append(")"));
      m.leavingSync().ifPresent(l -> {
        b.append(" leaving-sync-since=").append(duration(nowNanos - l.sinceNanos())).append("-ago");
        l.seenNanos().ifPresent(t -> b.append(" nosync-seen=").append(duration(nowNanos - t)).append("-ago"));
      });
      m.goneSlots().forEach((slot, since) -> b.append(" gone-slot=").append(slot).append('@')
          .append(duration(nowNanos - since)).append("-ago"));
      m.catchUp().ifPresent(p -> b.append(" catch-up-from=").append(p.source()).append(" target=")
          .append(p.target()).append(" since=").append(duration(nowNanos - p.sinceNanos())).append("-ago"));
      m.failsafe().ifPresent(f -> b.append(" failsafe-peers=(").append(String.join(",", f.peers().keySet()))
          .append(") failsafe-ttl=").append(duration(f.storedTtl().toNanos())));
      b.append('\n');
    }
    for (HaBug bug : bugs.ofType(HaBug.class)) {
      b.append("planted bug ").append(bug.id()).append(" (breaks ").append(bug.breaks()).append(")\n");
    }
    return b.toString();
  }

  /** {@code refresh-lock fencing-token=7}: the record's name and components, kebab-case, generic over actions. */
  static String action(Action a) {
    StringBuilder b = new StringBuilder(kebab(a.getClass().getSimpleName()));
    for (RecordComponent rc : a.getClass().getRecordComponents()) {
      Object v;
      try {
        v = rc.getAccessor().invoke(a);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
      if ((a instanceof Action.SyncSlots || a instanceof Action.SyncLogicalSlots) && v instanceof java.util.Map<?, ?> m
          && m.isEmpty()) {
        continue; // a primary's slots move as their members stream: nothing to advance, nothing to say
      }
      b.append(' ').append(kebab(rc.getName())).append('=').append(value(v));
    }
    return b.toString();
  }

  private static String value(Object v) {
    if (v == null) {
      return "none"; // a clone without an upstream (no leader)
    }
    if (v instanceof java.util.OptionalInt o) {
      return o.isPresent() ? Integer.toString(o.getAsInt()) : "none";
    }
    if (v instanceof Optional<?> o) {
      return o.map(DecisionPrinter::value).orElse("none");
    }
    if (v instanceof Upstream u) {
      if (u.remote().isPresent()) {
        return "remote@" + (u.streams() ? u.address() : "archive");
      }
      return u.name() + "@" + u.host() + ":" + u.port();
    }
    if (v instanceof Duration d) {
      return duration(d.toNanos());
    }
    if (v instanceof Collection<?> c) {
      Set<String> sorted = new TreeSet<>();
      c.forEach(x -> sorted.add(value(x)));
      return "(" + String.join(",", sorted) + ")";
    }
    if (v instanceof io.pgquorum.coordinator.config.PermanentSlots.Slot slot) {
      return slot.name() + ":" + slot.database().orElse("") + "/" + slot.plugin().orElse("");
    }
    if (v instanceof LeaseTerms t) {
      // What a confirmed lock write lets this node count on: min(stored ttl, configured ttl) - retry_timeout.
      return t.ignoresDrift() ? "configured-ttl-" + duration(t.configuredTtl().toNanos()) + "-without-margin"
          : "min(stored-ttl," + duration(t.configuredTtl().toNanos()) + ")-" + duration(t.margin().toNanos());
    }
    if (v instanceof FencingToken.Held h) {
      return "held:" + h.token();
    }
    if (v instanceof FencingToken.Acquired) {
      return "acquired-in-this-plan";
    }
    if (v instanceof DynamicConfig d) {
      return "(ttl=" + TimeUnits.seconds(d.ttl()) + ",loop_wait=" + TimeUnits.seconds(d.loopWait())
          + ",retry_timeout=" + TimeUnits.seconds(d.retryTimeout()) + ",...)";
    }
    if (v instanceof Divergence d) {
      if (d.equals(Divergence.NOT_CHECKED)) {
        return "not-checked";
      }
      return (d.knownFork() ? "known-fork-" : "") + (d.rewind() ? "pg_rewind-then-" : "no-pg_rewind-then-")
          + (d.reclone() ? "reclone" : "fail")
          + (d.required() ? "" : ",start-if-unreachable");
    }
    if (v instanceof io.pgquorum.coordinator.cluster.BackupRecord r) {
      // The claim as written, and the revision it is conditioned on (0: the key must be absent).
      return "at-rev-" + r.modRevision() + ":" + io.pgquorum.coordinator.cluster.ClusterCodec.encodeBackups(r);
    }
    if (v instanceof io.pgquorum.coordinator.cluster.RestoreRecord r) {
      return "at-rev-" + r.modRevision() + ":" + io.pgquorum.coordinator.cluster.ClusterCodec.encodeRestore(r);
    }
    if (v instanceof io.pgquorum.coordinator.config.BackrestBootstrap b) {
      return "(" + b.type() + b.target().map(t -> " " + t).orElse("") + (b.targetExclusive() ? " exclusive" : "")
          + b.set().map(x -> " set " + x).orElse("") + ")";
    }
    if (v instanceof io.pgquorum.coordinator.cluster.SyncState st) {
      return "(leader=" + st.leader().orElse("none") + ",sync_standby=(" + String.join(",", st.syncStandbys())
          + "),quorum=" + st.quorum() + ")";
    }
    if (v instanceof io.pgquorum.coordinator.ha.sync.SyncStandbyNames n) {
      return "'" + n.render() + "'";
    }
    if (v instanceof Enum<?> e) {
      return e.name().toLowerCase(Locale.ROOT);
    }
    String s = String.valueOf(v);
    return s.contains(" ") ? "\"" + s + "\"" : s;
  }

  private static String kebab(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }

  static String duration(long nanos) {
    if (nanos % 1_000_000_000L == 0) {
      return nanos / 1_000_000_000L + "s";
    }
    return nanos % 1_000_000L == 0 ? nanos / 1_000_000L + "ms" : nanos + "ns";
  }
}
