package io.pgquorum.coordinator.ha.sync;

import io.pgquorum.coordinator.cluster.SyncState;
import io.pgquorum.coordinator.config.SyncMode;
import io.pgquorum.coordinator.config.SyncSettings;
import io.pgquorum.testkit.datadriven.TestCase;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The command interpreter of the synchronous replication transcripts ({@code testdata/sync/README.md} has the
 * vocabulary). The primary is node1. Unknown commands and keys fail naming the file and line.
 */
final class SyncTranscript {
  private static final String LEADER = "node1";

  private record Row(boolean streaming, StandbyReport.SyncRole state, long lsn, boolean nosync, int priority,
      boolean cascading) {}

  private SyncSettings settings;
  private long primaryLsn;
  private final Map<String, Row> standbys = new TreeMap<>();
  private Optional<SyncState> sync;
  private SyncStandbyNames names;
  private long changedAt;
  private long revision;
  private SyncPlan last;

  SyncTranscript() {
    reset();
  }

  private void reset() {
    settings = new SyncSettings(SyncMode.ON, false, 1, -1);
    primaryLsn = 1000;
    standbys.clear();
    sync = Optional.empty();
    names = SyncStandbyNames.none();
    changedAt = 0;
    revision = 0;
    last = null;
  }

  String handle(TestCase t) {
    Set<String> used = new TreeSet<>();
    String out = switch (t.command()) {
      case "reset" -> {
        reset();
        yield "";
      }
      case "settings" -> settings(t, used);
      case "primary" -> {
        primaryLsn = t.getLong(use(used, "lsn"), primaryLsn);
        yield "";
      }
      case "standby" -> standby(t, used);
      case "sync" -> syncKey(t, used);
      case "names" -> names(t, used);
      case "changed-at" -> {
        changedAt = t.getLong(use(used, "lsn"), changedAt);
        yield "";
      }
      case "plan" -> plan();
      case "apply" -> apply();
      case "promote" -> promote(t, used);
      case "start" -> SyncRules.namesAtStart(settings, sync, LEADER)
          .map(n -> "start with synchronous_standby_names " + n.render())
          .orElse("start with the synchronous_standby_names last set");
      case "render" -> {
        used.add("kind");
        used.add("count");
        used.add("list");
        yield parseNames(t).render();
      }
      default -> throw t.fail("unknown command");
    };
    for (TestCase.Arg a : t.args()) {
      if (!used.contains(a.key())) {
        throw t.fail("unknown argument '" + a.key() + "'");
      }
    }
    return out;
  }

  private static String use(Set<String> used, String key) {
    used.add(key);
    return key;
  }

  private String settings(TestCase t, Set<String> used) {
    SyncMode mode = t.opt(use(used, "mode")).map(m -> SyncMode.valueOf(m.toUpperCase(Locale.ROOT)))
        .orElse(settings.mode());
    boolean strict = t.opt(use(used, "strict")).map(Boolean::parseBoolean).orElse(settings.strict());
    int count = (int) t.getLong(use(used, "count"), settings.nodeCount());
    long lag = t.getLong(use(used, "max-lag"), settings.maximumLag());
    settings = new SyncSettings(mode, strict, count, lag);
    return "";
  }

  private String standby(TestCase t, Set<String> used) {
    if (t.words().isEmpty()) {
      throw t.fail("needs a standby name");
    }
    String name = t.words().get(0);
    used.add(name);
    if (t.words().contains("gone")) {
      used.add("gone");
      standbys.remove(name);
      return "";
    }
    Row r = standbys.getOrDefault(name, new Row(true, StandbyReport.SyncRole.ASYNC, primaryLsn, false, 1, false));
    standbys.put(name, new Row(
        t.opt(use(used, "streaming")).map(v -> v.equals("yes")).orElse(r.streaming()),
        t.opt(use(used, "state")).map(StandbyReport.SyncRole::of).orElse(r.state()),
        t.getLong(use(used, "lsn"), r.lsn()),
        t.opt(use(used, "nosync")).map(Boolean::parseBoolean).orElse(r.nosync()),
        (int) t.getLong(use(used, "priority"), r.priority()),
        t.opt(use(used, "cascading")).map(v -> v.equals("yes")).orElse(r.cascading())));
    return "";
  }

  private String syncKey(TestCase t, Set<String> used) {
    if (t.words().contains("none")) {
      used.add("none");
      sync = Optional.empty();
      return "";
    }
    sync = Optional.of(new SyncState(Optional.of(t.get(use(used, "leader"), LEADER)), t.values(use(used,
        "standbys")), (int) t.getLong(use(used, "quorum"), 0), ++revision));
    return "";
  }

  private String names(TestCase t, Set<String> used) {
    used.add("kind");
    used.add("count");
    used.add("list");
    names = parseNames(t);
    return "";
  }

  private static SyncStandbyNames parseNames(TestCase t) {
    String kind = t.get("kind");
    List<String> list = t.values("list");
    return switch (kind) {
      case "none" -> SyncStandbyNames.none();
      case "star" -> SyncStandbyNames.anyStandby();
      case "first" -> t.has("count") ? new SyncStandbyNames(SyncStandbyNames.Kind.FIRST,
          (int) t.getLong("count", list.size()), list) : SyncStandbyNames.all(list);
      case "any" -> SyncStandbyNames.any((int) t.getLong("count", 1), list);
      default -> throw t.fail("kind must be none, star, first or any");
    };
  }

  private SyncView view() {
    List<StandbyReport> rows = new ArrayList<>();
    List<Standby> all = new ArrayList<>();
    standbys.forEach((name, r) -> {
      rows.add(new StandbyReport(name, r.streaming(), r.state(), r.lsn()));
      all.add(new Standby(name, r.streaming(), r.nosync() || r.priority() <= 0, r.cascading(), r.priority(),
          r.lsn(), r.state() == StandbyReport.SyncRole.SYNC || r.state() == StandbyReport.SyncRole.QUORUM));
    });
    Set<String> already = new TreeSet<>(sync.map(SyncState::syncStandbys).orElse(List.of()));
    List<String> pool = SyncPool.eligible(all, LEADER, primaryLsn, already, settings);
    return new SyncView(LEADER, settings, sync, names, SyncView.confirmed(rows, names, changedAt), pool);
  }

  private String plan() {
    SyncView v = view();
    last = SyncRules.plan(v);
    StringBuilder b = new StringBuilder();
    b.append("pool: (").append(String.join(",", v.pool())).append(")\n");
    b.append("confirmed: (").append(String.join(",", new TreeSet<>(v.confirmed()))).append(")\n");
    if (last.steps().isEmpty()) {
      b.append("(no steps)\n");
    }
    int i = 1;
    for (SyncStep s : last.steps()) {
      b.append(i++).append(". ").append(s).append("\n");
    }
    last.noticeText().ifPresent(n -> b.append("notice: ").append(n).append("\n"));
    return b.toString();
  }

  /** Performs the last plan's steps, as the executor would with every compare-and-set succeeding. */
  private String apply() {
    if (last == null) {
      return "no plan to apply";
    }
    for (SyncStep s : last.steps()) {
      if (s instanceof SyncStep.Publish p) {
        sync = Optional.of(p.next().at(++revision));
      } else if (s instanceof SyncStep.Delete) {
        sync = Optional.empty();
      } else if (s instanceof SyncStep.SetStandbyNames n) {
        names = n.names();
        changedAt = primaryLsn;
      }
    }
    last = null;
    return "sync: " + sync.map(SyncModel::show).orElse("none") + "\nnames: " + names;
  }

  private String promote(TestCase t, Set<String> used) {
    String candidate = t.get(use(used, "candidate"));
    long lsn = t.getLong(use(used, "lsn"), 0);
    Map<String, Long> reachable = new LinkedHashMap<>();
    for (String p : t.values(use(used, "reachable"))) {
      String[] kv = p.split(":");
      if (kv.length != 2) {
        throw t.fail("reachable takes name:lsn pairs, got " + p);
      }
      reachable.put(kv[0], Long.parseLong(kv[1]));
    }
    SyncPromotion.Verdict v = SyncPromotion.mayPromote(settings, sync, candidate, lsn, reachable);
    if (v.allowed()) {
      return "may promote " + candidate + " (votes " + v.votes() + ")";
    }
    String why = v.reason().orElseThrow();
    return "may not promote " + candidate + ": " + why;
  }
}
