package io.pgquorum.coordinator.sim;

import io.pgquorum.coordinator.cluster.LeaderLock;
import io.pgquorum.coordinator.ha.HaBug;
import io.pgquorum.dcs.planted.DcsBug;
import io.pgquorum.dcs.planted.PlantedBug;
import io.pgquorum.dcs.planted.PlantedBugs;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The interaction language over a {@link SimCluster}: one command per line, its output the transcript shows.
 * <pre>
 * options bug=flapping-leader            planted bugs and fixed execution settings, before add-nodes
 * options sync=on|quorum|off [strict=true] [sync-nodes=2] [catch-up=4]
 *                                        synchronous_mode (and _strict, synchronous_node_count) of the bootstrap's
 *                                        configuration; catch-up: writes of WAL a lagging standby receives per tick
 * add-nodes 3                            machines n1..n3 with empty data directories, daemons started
 * cycle [1 2]                            one HA cycle of each (live) node now, every decision printed
 * advance 9s                             run 9 s of virtual time; decisions that changed, and every effect
 * stabilize [max=120s]                   run until one primary holds the lock and every other node streams
 * kill-postgres 1 | kill-daemon 1 | start-daemon 1 | stop-daemon 1 | restart-daemon 1
 *                                        (stop and restart are clean: a synchronous standby leaves its duty
 *                                        first, its loop cycling until it has, then the daemon exits)
 * pause-daemon 1 | resume-daemon 1       SIGSTOP / SIGCONT of the daemon (its DCS member pauses with it)
 * stall-loop 1 12s                       the daemon's HA loop blocks for 12 s (a GC pause of its thread, a hung
 *                                        probe); its lease guard, lease keeper and DCS member go on
 * pause-daemon 1 mid-cycle               SIGSTOP just after its loop read the cluster snapshot: on SIGCONT that
 *                                        cycle goes on at once with the stale snapshot, before the lease guard's
 *                                        next check (the race's other outcome: the guard checks first)
 * partition 1 | 2 3                      cut every link between the groups; heal restores all links
 * drift 1 1.05 | drift dcs 0.95          a machine's (or the DCS leader's) clock rate from now on
 * status                                 every node, and the leader key
 * </pre>
 * The simulator generates the same commands, so a failing schedule shrinks to a transcript that replays here.
 */
final class Interaction implements AutoCloseable {
  private final SimOptions options;
  private SimCluster cluster;
  private final boolean verboseCycles;

  Interaction(SimOptions options, boolean record) {
    this.options = options;
    this.verboseCycles = record;
  }

  SimCluster cluster() {
    return cluster;
  }

  /** Runs one command line; returns what it printed. */
  String run(String line) {
    List<String> words = new ArrayList<>(List.of(line.trim().split("\\s+")));
    String cmd = words.remove(0);
    if (cmd.equals("options")) {
      configure(words);
      return "";
    }
    if (cmd.equals("add-nodes")) {
      if (cluster == null) {
        cluster = new SimCluster(options);
        if (verboseCycles) {
          cluster.record(false);
        }
      }
      cluster.addNodes(Integer.parseInt(words.get(0)), null);
      return status();
    }
    if (cluster == null) {
      throw new IllegalArgumentException(cmd + ": add-nodes first");
    }
    switch (cmd) {
      case "cycle" -> {
        cluster.record(true);
        for (SimNode n : targets(words)) {
          cluster.cycleNow(n);
        }
        cluster.record(false);
        return cluster.takeOutput();
      }
      case "advance" -> cluster.runUntil(cluster.time.now() + duration(words.get(0)));
      case "stabilize" -> {
        return stabilize(words.isEmpty() ? 120 * SimOptions.S : duration(words.get(0).replace("max=", "")));
      }
      case "kill-postgres" -> target(words).ifPresent(n -> n.pg.kill());
      // Daemon commands do nothing when they do not apply (a start of a running daemon), so that a shrunk
      // schedule stays runnable whatever was removed before them.
      case "kill-daemon" -> fault(words, "daemon killed", n -> n.daemonUp, SimNode::killDaemon);
      // A daemon still in its clean stop starts again once the stop ends (as an operator's start after the exit).
      case "start-daemon" -> fault(words, n -> n.stopping ? "daemon starts again once its clean stop ends"
          : "daemon started", n -> !n.daemonUp || n.stopping, n -> {
            if (n.stopping) {
              n.startAfterStop();
            } else {
              n.startDaemon();
            }
          });
      case "stop-daemon" -> fault(words, n -> stopped(n, "daemon stopped"), n -> n.daemonUp && !n.stopping,
          SimNode::stopDaemon);
      case "restart-daemon" -> fault(words, n -> stopped(n, "daemon restarted"), n -> n.daemonUp && !n.stopping,
          n -> n.stopDaemon(true));
      case "pause-daemon" -> fault(words, words.contains("mid-cycle") ? "daemon paused mid-cycle" : "daemon paused",
          SimNode::active, n -> {
            n.paused = true;
            if (words.contains("mid-cycle")) {
              n.pausedMidCycle = true;
              n.dcs.freezeAfterRead();
            }
          });
      case "stall-loop" -> fault(words, "HA loop stalled for " + words.get(words.size() - 1), SimNode::active,
          n -> n.loopStalledUntil = cluster.time.now() + duration(words.get(words.size() - 1)));
      case "resume-daemon" -> {
        SimNode n = node(words);
        boolean midCycle = n.daemonUp && n.paused && n.pausedMidCycle;
        fault(words, "daemon resumed", m -> m.daemonUp && m.paused, m -> {
          m.paused = false;
          m.pausedMidCycle = false;
          m.cycleAt = Math.min(m.cycleAt, cluster.time.now());
        });
        if (midCycle) {
          cluster.cycleNow(n);
        }
      }
      case "check-recovery" -> {
        String out = stabilize(duration(words.get(0)));
        if (stableState(true).isEmpty()) {
          cluster.violation("recovery: no stable primary within " + words.get(0) + " after the faults healed");
        }
        cluster.flushCommandEffects();
        return out + cluster.takeOutput();
      }
      case "check-stable" -> {
        // Holder and epoch, not the key's revision (every refresh changes that).
        Optional<String> before = cluster.leaderKey().map(l -> l.name() + " token " + l.fencingToken());
        cluster.runUntil(cluster.time.now() + duration(words.get(0)));
        Optional<String> after = cluster.leaderKey().map(l -> l.name() + " token " + l.fencingToken());
        if (stableState(false).isEmpty() || !before.equals(after)) {
          cluster.violation("stability: roles changed within " + words.get(0) + " of a stable cluster without a "
              + "fault (leader " + before.orElse("none") + " -> " + after.orElse("none") + ")");
        } else {
          cluster.line("still stable");
        }
      }
      case "partition-dcs" -> {
        // "primary": the lock holder's node alone on one side, resolved now (a generated schedule aims at it).
        boolean aimed = words.equals(List.of("primary"));
        Optional<SimNode> holder = aimed ? target(words) : Optional.empty();
        if (!aimed || holder.isPresent()) {
          List<List<Integer>> groups = holder.isPresent() ? List.of(List.of(holder.get().index),
              cluster.nodes().stream().filter(n -> n != holder.get()).map(n -> n.index).toList()) : groups(words);
          cluster.partitionDcs(groups);
          cluster.line("DCS partitioned " + groups.stream().map(g -> String.join(" ",
              g.stream().map(String::valueOf).toList())).collect(java.util.stream.Collectors.joining(" | ")));
        }
      }
      case "partition" -> {
        cluster.partition(groups(words));
        cluster.line("partitioned " + line.substring(line.indexOf(' ') + 1).trim());
      }
      case "heal" -> {
        cluster.heal();
        cluster.line("network healed");
      }
      case "drift" -> {
        double rate = Double.parseDouble(words.get(1));
        DriftingClock c = words.get(0).equals("dcs") ? cluster.dcsClock : cluster.node(index(words.get(0))).clock;
        c.setRate(rate);
        cluster.line((words.get(0).equals("dcs") ? "dcs" : "n" + words.get(0)) + " clock rate " + rate);
      }
      case "request-switchover", "request-failover" -> {
        // request-switchover [to=nN] [in=<duration>] (from the current leader) | request-failover to=nN
        boolean switchover = cmd.equals("request-switchover");
        Optional<String> to = words.stream().filter(w -> w.startsWith("to=")).map(w -> w.substring(3)).findFirst();
        Optional<String> at = words.stream().filter(w -> w.startsWith("in=")).map(w -> cluster.time.wallClock()
            .instant().plusNanos(duration(w.substring(3))).atOffset(java.time.ZoneOffset.UTC).toString()).findFirst();
        Optional<String> leader = switchover ? cluster.leaderKey().map(l -> l.name()) : Optional.empty();
        boolean written = cluster.requestFailover(leader, to, at);
        cluster.line((switchover ? "switchover" : "failover") + " requested: leader " + leader.orElse("-")
            + ", candidate " + to.orElse("any") + at.map(t -> ", at " + t).orElse("") + (written ? "" : " (NOT "
            + "written)"));
      }
      case "status" -> {
        return status();
      }
      case "maintenance" -> {
        boolean on = words.get(0).equals("on");
        if (!on && !words.get(0).equals("off")) {
          throw new IllegalArgumentException("maintenance on|off");
        }
        setPause(on);
        cluster.line("maintenance mode " + words.get(0) + " (pause " + (on ? "set" : "removed")
            + " in the config key)");
      }
      default -> throw new IllegalArgumentException("unknown command: " + cmd);
    }
    cluster.flushCommandEffects();
    return cluster.takeOutput();
  }

  /** What pgctl pause/resume do: the config key with {@code pause} set or removed, by compare-and-set. */
  private void setPause(boolean on) {
    String key = "/service/" + SimNode.SCOPE + "/config";
    io.pgquorum.dcs.api.Dcs operator = cluster.dcs.client("operator");
    io.pgquorum.dcs.api.KeyValue kv = operator.get(key).orElseThrow(() -> new IllegalStateException("no config key"));
    try {
      com.fasterxml.jackson.databind.node.ObjectNode doc = (com.fasterxml.jackson.databind.node.ObjectNode)
          new com.fasterxml.jackson.databind.ObjectMapper().readTree(kv.value());
      if (on) {
        doc.put("pause", true);
      } else {
        doc.remove("pause");
      }
      if (!operator.put(key, doc.toString(), io.pgquorum.dcs.api.Precondition.modRevision(kv.modRevision()), null)
          .succeeded()) {
        throw new IllegalStateException("the config key changed while maintenance mode was set");
      }
    } catch (java.io.IOException e) {
      throw new IllegalStateException("the config key is not JSON", e);
    }
  }

  private void configure(List<String> words) {
    List<PlantedBug> bugs = new ArrayList<>(options.bugs.ofType(PlantedBug.class));
    for (String w : words) {
      String[] kv = w.split("=", 2);
      switch (kv[0]) {
        case "bug" -> bugs.add(bug(kv[1]));
        case "seed" -> options.executionSeed = Long.parseLong(kv[1]);
        case "task" -> {
          options.taskMin = duration(kv[1]);
          options.taskMax = options.taskMin;
        }
        case "writes" -> options.writes = Boolean.parseBoolean(kv[1]);
        case "wake" -> options.wakeOnKeys = switch (kv[1]) {
          case "keys" -> true;
          case "leader" -> false;
          default -> throw new IllegalArgumentException("wake is keys or leader, got '" + kv[1] + "'");
        };
        case "tasks" -> {
          String[] range = kv[1].split("\\.\\.");
          options.taskMin = duration(range[0]);
          options.taskMax = duration(range[1]);
        }
        case "guard-delay" -> options.guardDelayMax = duration(kv[1]);
        case "jitter" -> options.cycleJitterMax = duration(kv[1]);
        case "lost-replies" -> options.lostReplyRate = Double.parseDouble(kv[1]);
        case "replication-tick" -> options.replicationTick = duration(kv[1]);
        case "write-tick" -> options.writeTick = duration(kv[1]);
        case "beyond-drift-bound" -> options.beyondDriftBound = Boolean.parseBoolean(kv[1]);
        case "sync" -> bootstrapKey("synchronous_mode", switch (kv[1]) {
          case "on" -> Boolean.TRUE;
          case "off" -> Boolean.FALSE;
          case "quorum" -> "quorum";
          default -> throw new IllegalArgumentException("sync=on|quorum|off, not " + kv[1]);
        });
        case "strict" -> bootstrapKey("synchronous_mode_strict", Boolean.parseBoolean(kv[1]));
        case "failsafe" -> bootstrapKey("failsafe_mode", switch (kv[1]) {
          case "on" -> Boolean.TRUE;
          case "off" -> Boolean.FALSE;
          default -> throw new IllegalArgumentException("failsafe=on|off, not " + kv[1]);
        });
        case "sync-nodes" -> bootstrapKey("synchronous_node_count", Integer.parseInt(kv[1]));
        case "catch-up" -> options.catchUpWrites = Long.parseLong(kv[1]);
        case "ttl", "loop-wait", "retry-timeout" -> timing(kv[0], new java.math.BigDecimal(kv[1]));
        default -> throw new IllegalArgumentException("unknown option " + kv[0]);
      }
    }
    options.bugs = PlantedBugs.of(bugs.toArray(new PlantedBug[0]));
  }

  /** One timing setting (seconds, fractions to the millisecond) of the configuration the first node bootstraps with. */
  private void timing(String key, java.math.BigDecimal seconds) {
    bootstrapKey(key.replace('-', '_'), seconds.scale() <= 0 ? (Object) seconds.longValueExact()
        : seconds.doubleValue());
    io.pgquorum.coordinator.config.DynamicConfig d = options.dyn;
    java.time.Duration v = java.time.Duration.ofMillis(seconds.movePointRight(3).longValueExact());
    options.dyn = d.withTiming(key.equals("ttl") ? v : d.ttl(), key.equals("loop-wait") ? v : d.loopWait(),
        key.equals("retry-timeout") ? v : d.retryTimeout());
  }

  /** Node numbers in groups separated by {@code |}. */
  private static List<List<Integer>> groups(List<String> words) {
    List<List<Integer>> groups = new ArrayList<>();
    groups.add(new ArrayList<>());
    for (String w : words) {
      if (w.equals("|")) {
        groups.add(new ArrayList<>());
      } else {
        groups.get(groups.size() - 1).add(Integer.parseInt(w));
      }
    }
    return groups;
  }

  /** One key of the dynamic configuration the first node bootstraps with (sync, failsafe, timing), in its raw map. */
  private void bootstrapKey(String key, Object value) {
    if (cluster != null) {
      throw new IllegalArgumentException(key + ": a bootstrap setting, give it before add-nodes");
    }
    io.pgquorum.coordinator.config.DynamicConfig d = options.dyn;
    java.util.Map<String, Object> raw = new java.util.LinkedHashMap<>(d.raw());
    raw.put(key, value);
    options.dyn = d.withRaw(raw);
  }

  static PlantedBug bug(String id) {
    for (HaBug b : HaBug.values()) {
      if (b.id().equals(id)) {
        return b;
      }
    }
    for (DcsBug b : DcsBug.values()) {
      if (b.id().equals(id)) {
        return b;
      }
    }
    throw new IllegalArgumentException("no planted bug " + id);
  }

  private void fault(List<String> words, String what, java.util.function.Predicate<SimNode> applies,
      java.util.function.Consumer<SimNode> f) {
    fault(words, n -> what, applies, f);
  }

  /** As above, with the line said once the fault was applied (a clean stop may be held back: it says why). */
  private void fault(List<String> words, java.util.function.Function<SimNode, String> what,
      java.util.function.Predicate<SimNode> applies, java.util.function.Consumer<SimNode> f) {
    Optional<SimNode> target = target(words);
    if (target.isEmpty() || !applies.test(target.get())) {
      return;
    }
    SimNode n = target.get();
    f.accept(n);
    cluster.flushCommandEffects();
    cluster.line(n.name + ": " + what.apply(n));
  }

  /** A clean stop's line: done, or held while the node leaves its synchronous duty (its decision says so). */
  private static String stopped(SimNode n, String done) {
    return n.stopping ? "daemon asked to stop, still running: " + n.lastMessage : done;
  }

  private static int index(String w) {
    return Integer.parseInt(w.startsWith("n") ? w.substring(1) : w);
  }

  private SimNode node(List<String> words) {
    return cluster.node(index(words.get(0)));
  }

  /**
   * A fault's node: a number, or a role resolved when the command runs: {@code primary} (the leader key's holder)
   * or {@code sync-standby} (the first standby the sync key names), so that a generated schedule can aim at a
   * moment's roles. Empty (the command does nothing, as a daemon command that does not apply) when nobody has the
   * role now.
   */
  private Optional<SimNode> target(List<String> words) {
    String w = words.get(0);
    Optional<String> name = switch (w) {
      case "primary" -> cluster.leaderKey().map(l -> l.name());
      case "sync-standby" -> cluster.snapshot().sync().flatMap(s -> s.syncStandbys().stream().findFirst());
      default -> Optional.of(cluster.node(index(w)).name);
    };
    Optional<SimNode> n = name.map(cluster::node);
    if (n.isEmpty()) {
      cluster.line("no " + w + " now");
    }
    return n;
  }

  private List<SimNode> targets(List<String> words) {
    if (words.isEmpty()) {
      return cluster.nodes();
    }
    return words.stream().map(w -> cluster.node(index(w))).toList();
  }

  static long duration(String s) {
    if (s.endsWith("ms")) {
      return Long.parseLong(s.substring(0, s.length() - 2)) * SimOptions.MS;
    }
    if (s.endsWith("s")) {
      return (long) (Double.parseDouble(s.substring(0, s.length() - 1)) * SimOptions.S);
    }
    throw new IllegalArgumentException("a duration needs a unit (ms, s): " + s);
  }

  /** Runs until {@link #stableState(boolean)} holds (settled), in steps of 100 ms, at most {@code max}. */
  String stabilize(long max) {
    long start = cluster.time.now();
    Optional<String> stable = stableState(true);
    while (stable.isEmpty() && cluster.time.now() - start < max && !cluster.history.stopped()) {
      cluster.runUntil(cluster.time.now() + 100 * SimOptions.MS);
      stable = stableState(true);
    }
    cluster.line(stable.map(s -> "stable: " + s).orElse("NOT stable after " + SimTime.show(max)));
    return cluster.takeOutput();
  }

  /**
   * The cluster at rest: the leader key's holder runs the primary with the key's token, every other live daemon's
   * PostgreSQL streams from it, and no task runs. Empty when not. {@code settling}: the search for the first moment
   * at rest after faults, where a holder still on failsafe does not count yet (see {@link #healthyLeader}); not at the
   * end of a quiet period, where one failsafe round after a lost DCS reply is no change of roles.
   */
  Optional<String> stableState(boolean settling) {
    Optional<SimNode> leader = healthyLeader(settling);
    if (leader.isEmpty()) {
      return Optional.empty();
    }
    StringBuilder replicas = new StringBuilder();
    for (SimNode n : cluster.nodes()) {
      if (n.stopping) {
        // A clean stop still under way (a synchronous standby leaving its duty) ends soon: not settled yet.
        return Optional.empty();
      }
      if (n == leader.get() || !n.daemonUp || n.loopStalled()) {
        // A stalled loop, like a stopped daemon, does nothing until it runs again: the others are the cluster.
        continue;
      }
      if (!streamsFrom(n, leader.get())) {
        return Optional.empty();
      }
      replicas.append(' ').append(n.name);
    }
    return Optional.of(leader.get().name + " primary (token " + leader.get().pg.token + ", timeline "
        + leader.get().pg.timeline + ")" + (replicas.length() == 0 ? "" : "; streaming:" + replicas));
  }

  /**
   * The lock holder, when it is up and running PostgreSQL as primary with the lock's token, and (settling) neither on
   * failsafe nor holding a key last written before the links healed: a primary that ran on its members' promises, or
   * whose failsafe round failed once a partition also cut it from members, has not refreshed its lock since the DCS
   * went away, and until a write of its own after the heal that lock may still run out and be taken again (a new
   * token), the fault's tail (seed 1275000137473).
   */
  private Optional<SimNode> healthyLeader(boolean settling) {
    Optional<LeaderLock> key = cluster.leaderKey();
    if (key.isEmpty()) {
      return Optional.empty();
    }
    SimNode leader = cluster.node(key.get().name());
    if (leader == null || !leader.active() || !leader.pg.isPrimary() || leader.pg.token != key.get().fencingToken()
        || settling && (leader.loop.failsafe().active() || !cluster.leaderWrittenSinceHeal())) {
      return Optional.empty();
    }
    return Optional.of(leader);
  }

  private static boolean streamsFrom(SimNode n, SimNode leader) {
    return n.active() && n.queuedTask == null && n.pg.running && !n.pg.isPrimary() && n.pg.streaming
        && n.pg.upstream.map(u -> u.name().equals(leader.name)).orElse(false);
  }

  String status() {
    StringBuilder b = new StringBuilder();
    for (SimNode n : cluster.nodes()) {
      b.append(n.describe()).append('\n');
    }
    b.append("leader key: ").append(cluster.leaderKey().map(l -> l.name() + " token=" + l.fencingToken())
        .orElse("none")).append('\n');
    if (options.dyn.synchronous().enabled()) {
      b.append("sync key: ").append(cluster.snapshot().sync().map(s -> "leader=" + s.leader().orElse("-")
          + " sync_standby=(" + String.join(",", s.syncStandbys()) + ") quorum=" + s.quorum()).orElse("none"))
          .append('\n');
    }
    cluster.takeOutput();
    return b.toString();
  }

  @Override
  public void close() {
    if (cluster != null) {
      cluster.close();
    }
  }
}
