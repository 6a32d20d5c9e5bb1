package io.pgquorum.coordinator.ha.sync;

import io.pgquorum.coordinator.cluster.SyncState;
import io.pgquorum.coordinator.config.SyncMode;
import io.pgquorum.coordinator.config.SyncSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A primary "p" and its standbys as the property test needs them: WAL positions, which commits PostgreSQL has
 * acknowledged under the synchronous_standby_names in force (its semantics for FIRST, ANY and *), the {@code sync}
 * key, and the rules applied step by step. After every event and every step, {@link #violations()} asks the oracle:
 * could a node that {@link SyncPromotion} allows be promoted without a commit PostgreSQL acknowledged under
 * synchronous replication?
 */
final class SyncModel {
  static final String PRIMARY = "p";

  /** One standby. */
  static final class Node {
    boolean connected;
    boolean lagging;
    boolean nosync;
    int priority = 1;
    long lsn;
  }

  final Map<String, Node> nodes = new TreeMap<>();
  long wal;
  final List<Long> pending = new ArrayList<>();
  /** The last commit acknowledged while synchronous mode was on and the key existed: what must survive. */
  long protectedAck;
  SyncStandbyNames names = SyncStandbyNames.none();
  long lsnAtChange;
  Optional<SyncState> sync = Optional.empty();
  long revision;
  SyncSettings settings = SyncSettings.off();
  /** The mode whose rules took the last step: the on-mode structure holds only for what the on rules wrote. */
  SyncMode keyWrittenBy = SyncMode.OFF;
  final SyncRules.Planted bug;
  final List<String> log = new ArrayList<>();

  SyncModel(int standbys, SyncRules.Planted bug) {
    for (int i = 1; i <= standbys; i++) {
      nodes.put("s" + i, new Node());
    }
    this.bug = bug;
  }

  void commit() {
    wal++;
    pending.add(wal);
    release();
  }

  void replicate() {
    nodes.values().stream().filter(n -> n.connected && !n.lagging).forEach(n -> n.lsn = wal);
    release();
  }

  void catchUp(String name) {
    Node n = nodes.get(name);
    if (n.connected) {
      n.lsn = wal;
    }
    release();
  }

  void connect(String name, boolean on) {
    nodes.get(name).connected = on;
    release();
  }

  void mode(SyncMode mode) {
    settings = new SyncSettings(mode, settings.strict(), settings.nodeCount(), settings.maximumLag());
    if (mode == SyncMode.OFF) {
      protectedAck = 0; // the promise is withdrawn with the mode
    }
  }

  /** One HA cycle of the primary: the plan, applied one step at a time, stopping after {@code prefix} steps. */
  void cycle(int prefix) {
    SyncPlan plan = SyncRules.plan(view(), bug);
    int done = 0;
    for (SyncStep step : plan.steps()) {
      if (done++ >= prefix) {
        log.add("  (cycle interrupted)");
        return;
      }
      log.add("  " + step);
      keyWrittenBy = settings.mode();
      if (step instanceof SyncStep.Publish p) {
        sync = Optional.of(p.next().at(++revision));
      } else if (step instanceof SyncStep.Delete) {
        sync = Optional.empty();
      } else if (step instanceof SyncStep.SetStandbyNames s) {
        names = s.names();
        // The position PostgreSQL had flushed when the setting changed: what confirmation is measured against.
        lsnAtChange = wal;
      }
      release();
      List<String> v = violations();
      if (!v.isEmpty()) {
        return;
      }
    }
  }

  SyncView view() {
    List<StandbyReport> rows = reports();
    Set<String> already = new TreeSet<>(sync.map(SyncState::syncStandbys).orElse(List.of()));
    List<Standby> standbys = new ArrayList<>();
    Set<String> reportedSync = new TreeSet<>();
    rows.stream().filter(r -> r.state() == StandbyReport.SyncRole.SYNC || r.state() == StandbyReport.SyncRole.QUORUM)
        .forEach(r -> reportedSync.add(r.name()));
    nodes.forEach((name, n) -> standbys.add(new Standby(name, n.connected, n.nosync || n.priority <= 0, false,
        n.priority, n.lsn, reportedSync.contains(name))));
    List<String> pool = SyncPool.eligible(standbys, PRIMARY, wal, already, settings);
    return new SyncView(PRIMARY, settings, sync, names, SyncView.confirmed(rows, names, lsnAtChange), pool);
  }

  /** pg_stat_replication as PostgreSQL would show it under the current setting. */
  List<StandbyReport> reports() {
    List<StandbyReport> rows = new ArrayList<>();
    Set<String> syncNow = new TreeSet<>(chosenFirst());
    String anyOne = names.kind() == SyncStandbyNames.Kind.ANY_STANDBY
        ? nodes.entrySet().stream().filter(e -> e.getValue().connected).map(Map.Entry::getKey).findFirst().orElse("")
        : "";
    nodes.forEach((name, n) -> {
      if (!n.connected) {
        return;
      }
      StandbyReport.SyncRole role;
      if (names.kind() == SyncStandbyNames.Kind.ANY && names.lists(name)) {
        role = StandbyReport.SyncRole.QUORUM;
      } else if (syncNow.contains(name) || name.equals(anyOne)) {
        role = StandbyReport.SyncRole.SYNC;
      } else if (names.lists(name) || names.kind() == SyncStandbyNames.Kind.ANY_STANDBY) {
        role = StandbyReport.SyncRole.POTENTIAL;
      } else {
        role = StandbyReport.SyncRole.ASYNC;
      }
      rows.add(new StandbyReport(name, true, role, n.lsn));
    });
    return rows;
  }

  /** FIRST n: the first n connected standbys in list order (PostgreSQL's priority). */
  private List<String> chosenFirst() {
    if (names.kind() != SyncStandbyNames.Kind.FIRST) {
      return List.of();
    }
    return names.names().stream().filter(x -> nodes.containsKey(x) && nodes.get(x).connected).limit(names.count())
        .toList();
  }

  /** Releases every waiting commit the current setting allows, as PostgreSQL does (also at once after a change). */
  void release() {
    while (!pending.isEmpty() && acknowledged(pending.get(0))) {
      long c = pending.remove(0);
      if (settings.mode() != SyncMode.OFF && sync.isPresent()) {
        protectedAck = Math.max(protectedAck, c);
      }
    }
  }

  private boolean acknowledged(long commit) {
    return switch (names.kind()) {
      case NONE -> true;
      case ANY_STANDBY -> nodes.values().stream().anyMatch(n -> n.connected && n.lsn >= commit);
      case FIRST -> {
        List<String> chosen = chosenFirst();
        yield chosen.size() == names.count() && chosen.stream().allMatch(x -> nodes.get(x).lsn >= commit);
      }
      case ANY -> names.names().stream().filter(x -> nodes.containsKey(x) && nodes.get(x).connected
          && nodes.get(x).lsn >= commit).count() >= names.count();
    };
  }

  /** The oracle, checked after every event and step. Empty when all holds. */
  List<String> violations() {
    List<String> out = new ArrayList<>();
    if (settings.mode() == SyncMode.OFF) {
      return out;
    }
    List<String> all = new ArrayList<>(nodes.keySet());
    for (String c : all) {
      long lsn = nodes.get(c).lsn;
      List<String> others = all.stream().filter(x -> !x.equals(c)).toList();
      // Every subset of the other standbys answering (the primary is gone): the worst case for the candidate.
      for (int mask = 0; mask < (1 << others.size()); mask++) {
        Map<String, Long> reachable = new HashMap<>();
        for (int i = 0; i < others.size(); i++) {
          if ((mask & (1 << i)) != 0) {
            reachable.put(others.get(i), nodes.get(others.get(i)).lsn);
          }
        }
        SyncPromotion.Verdict verdict = SyncPromotion.mayPromote(settings, sync, c, lsn, reachable);
        if (verdict.allowed() && lsn < protectedAck) {
          out.add("lost acknowledged commits: " + c + " at " + lsn + " may be promoted (reachable " + reachable.keySet()
              + ", sync key " + sync.map(SyncModel::show).orElse("none") + ", names " + names + ") but commit "
              + protectedAck + " was acknowledged");
          return out;
        }
        if (settings.mode() == SyncMode.ON && verdict.allowed() && reachable.isEmpty() && sync.isPresent()
            && sync.get().quorum() == 0 && !sync.get().lists(c)) {
          out.add("promotable but not in the sync key: " + c);
        }
      }
    }
    // on mode, in a key its rules wrote: every standby the key names is one every commit waits for.
    if (settings.mode() == SyncMode.ON && keyWrittenBy == SyncMode.ON) {
      sync.filter(s -> s.quorum() == 0).ifPresent(s -> s.syncStandbys().stream().filter(x -> !names.waitsOn(x))
          .forEach(x -> out.add("sync key names " + x + " but " + names + " does not wait for it")));
    }
    return out;
  }

  static String show(SyncState s) {
    return "{leader " + s.leader().orElse("none") + ", sync_standby (" + String.join(",", s.syncStandbys())
        + "), quorum " + s.quorum() + "}";
  }

  String state() {
    StringBuilder b = new StringBuilder("wal=" + wal + " acked=" + protectedAck + " names=" + names + " sync="
        + sync.map(SyncModel::show).orElse("none"));
    nodes.forEach((name, n) -> b.append(" ").append(name).append("[").append(n.connected ? "up" : "down")
        .append(n.lagging ? ",lag" : "").append(n.nosync ? ",nosync" : "").append(",prio=").append(n.priority)
        .append(",lsn=").append(n.lsn).append("]"));
    return b.toString();
  }
}
