package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.cluster.Member;
import io.pgquorum.coordinator.config.StandbyCluster;
import io.pgquorum.coordinator.ha.PgStateBuilder.Condition;
import io.pgquorum.coordinator.postgres.PgState;
import io.pgquorum.testkit.datadriven.TestCase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The command interpreter of one decision transcript (the vocabulary is in {@link DeciderTranscriptTest} and in
 * {@code testdata/decider/README.md}): each command changes one part of a {@link DeciderScenario}, {@code decide}
 * prints the decision. Unknown commands, keys and values fail naming the file and line, so a typo never
 * silently leaves a default in place.
 */
final class DeciderTranscript {
  private DeciderScenario scenario = new DeciderScenario();
  private final Consumer<Decision> decisions;

  /** {@code decisions} sees every decision the transcript makes (for the message-coverage check). */
  DeciderTranscript(Consumer<Decision> decisions) {
    this.decisions = decisions;
  }

  /** One directive: its input lines (if any) are further commands, applied first. */
  String handle(TestCase t) {
    String[] lines = t.input().isEmpty() ? new String[0] : t.input().split("\n");
    if (!t.command().equals("reset") && !t.command().equals("decide") && !t.command().equals("needs-peers")) {
      if (lines.length > 0) {
        throw t.fail("only reset, decide and needs-peers take further commands on the lines below them");
      }
      set(reparse(t, t.directive(), t.line()));
      return "";
    }
    if (!t.args().isEmpty()) {
      throw t.fail("takes no arguments; put the changes on the lines below it");
    }
    if (t.command().equals("reset")) {
      scenario = new DeciderScenario();
    }
    for (int i = 0; i < lines.length; i++) {
      if (!lines[i].startsWith("#")) {
        set(reparse(t, lines[i], t.line() + i + 1));
      }
    }
    return switch (t.command()) {
      case "decide" -> render(scenario.decide());
      case "needs-peers" -> "needs peer views: " + (scenario.needsPeerViews() ? "yes" : "no");
      default -> "";
    };
  }

  private void set(TestCase c) {
    Set<String> used = new HashSet<>();
    switch (c.command()) {
      case "reset" -> scenario = new DeciderScenario();
      case "dcs" -> scenario.withDcsReachable(oneOf(c, used, "reachable", "unreachable").equals("reachable"));
      case "cluster" -> cluster(c, used);
      case "member" -> member(c, used);
      case "pg" -> pg(c, used);
      case "task" -> task(c, used);
      case "lease" -> lease(c, used);
      case "watchdog" -> scenario.withMayHoldLease(oneOf(c, used, "running", "required-but-down").equals("running"));
      case "shutdown" -> scenario.withShutdownRequested(oneOf(c, used, "requested", "none").equals("requested"));
      case "peer" -> peer(c, used);
      case "config" -> config(c, used);
      case "tags" -> tags(c, used);
      case "replica-methods" -> scenario.withCloneWithoutLeader(
          oneOf(c, used, "no_leader", "need-leader").equals("no_leader"));
      case "planted-bugs" -> plantedBugs(c, used);
      case "clock" -> clock(c, used);
      case "memory" -> memory(c, used);
      case "request" -> request(c, used);
      case "hooks" -> hooks(c, used);
      case "backrest" -> backrest(c, used);
      case "backups" -> backups(c, used);
      case "backups-key" -> backupsKey(c, used);
      case "restore-key" -> restoreKey(c, used);
      case "failsafe-key" -> failsafeKey(c, used);
      case "failsafe" -> failsafe(c, used);
      case "dcs-leadership" -> dcsLeadership(c, used);
      case "failover" -> failover(c, used);
      case "standby" -> standby(c, used);
      case "wall-clock" -> scenario.withWallClock(java.time.Instant.parse(opt(c, used, "at")
          .orElseThrow(() -> c.fail("wall-clock at=<ISO-8601 instant>"))));
      default -> throw c.fail("unknown command (known: reset, decide, needs-peers, dcs, cluster, member, pg, "
          + "task, lease, watchdog, shutdown, peer, config, tags, replica-methods, planted-bugs, clock, memory, "
          + "request, hooks, failover, wall-clock, backrest, backups, backups-key, restore-key, failsafe-key, "
          + "failsafe, dcs-leadership)");
    }
    for (TestCase.Arg a : c.args()) {
      if (!used.contains(a.key())) {
        throw c.fail("does not understand '" + a + "'");
      }
    }
  }

  private void cluster(TestCase c, Set<String> used) {
    ClusterBuilder k = scenario.cluster();
    opt(c, used, "initialize").ifPresent(v -> {
      String owner = opt(c, used, "owner").orElse("node2");
      switch (v) {
        case "none" -> k.withoutInitialize();
        case "bootstrapping" -> k.withBootstrapInProgress(owner);
        default -> k.withInitialize(v, owner);
      }
    });
    opt(c, used, "leader").ifPresent(v -> {
      if (v.equals("none")) {
        k.withoutLeader();
      } else {
        long token = Long.parseLong(opt(c, used, "token").orElse("7"));
        k.withLeader(v, token, Duration.ofNanos(nanos(c, opt(c, used, "ttl").orElse("8s"))));
        scenario.pg().withLockToken(token);
      }
    });
    opt(c, used, "optime").ifPresent(v -> {
      if (v.equals("none")) {
        k.withoutStatus();
      } else {
        k.withOptime(lsn(c, v));
      }
    });
    if (c.has("history")) {
      k.withHistory(history(c, used));
    }
    if (c.has("slots")) {
      k.withStatusSlots(slots(c, used));
    }
    // sync=none, or sync=<leader>:(<standby>,...) with sync_rev=<revision> (default 11) and sync_quorum=<n>
    // (default 0; quorum mode's votes).
    opt(c, used, "sync").ifPresent(v -> {
      if (v.equals("none")) {
        k.withSync(Optional.empty());
        return;
      }
      int colon = v.indexOf(':');
      if (colon < 0 || !v.endsWith(")") || v.charAt(colon + 1) != '(') {
        throw c.fail("sync is none or <leader>:(<standby>,...), got '" + v + "'");
      }
      String inner = v.substring(colon + 2, v.length() - 1);
      long rev = Long.parseLong(opt(c, used, "sync_rev").orElse("11"));
      int quorum = Integer.parseInt(opt(c, used, "sync_quorum").orElse("0"));
      k.withSync(Optional.of(new io.pgquorum.coordinator.cluster.SyncState(Optional.of(v.substring(0, colon))
          .filter(x -> !x.equals("none")), inner.isEmpty() ? List.of() : list(inner), quorum, rev)));
    });
    opt(c, used, "config").ifPresent(v ->
        k.withConfigKey(choice(c, v, "present", "absent").equals("present"), scenario.policy().dynamic()));
  }

  /**
   * {@code history=(<ended timeline>@<lsn>[#<epoch>],...)}: timeline switches, oldest first; in the cluster's key
   * optionally with the fencing token of the promotion onto the next timeline.
   */
  private List<long[]> history(TestCase c, Set<String> used) {
    used.add("history");
    List<long[]> entries = new ArrayList<>();
    for (String e : c.values("history")) {
      String[] p = e.split("@");
      if (p.length != 2) {
        throw c.fail("history entries are <ended timeline>@<lsn>[#<epoch>], got '" + e + "'");
      }
      String[] epoch = p[1].split("#");
      entries.add(epoch.length == 2 ? new long[] {Long.parseLong(p[0]), lsn(c, epoch[0]), Long.parseLong(epoch[1])}
          : new long[] {Long.parseLong(p[0]), lsn(c, p[1])});
    }
    return entries;
  }

  /**
   * {@code recovery=(<name>:<value>,...)}: a running replica's recovery settings as pg_settings shows them
   * (restore_command, archive_cleanup_command, primary_slot_name, recovery_min_apply_delay in ms); {@code -} is ''.
   */
  private java.util.Map<String, String> recovery(TestCase c, Set<String> used) {
    used.add("recovery");
    java.util.Map<String, String> out = new java.util.TreeMap<>();
    for (String e : c.values("recovery")) {
      int colon = e.indexOf(':');
      if (colon <= 0) {
        throw c.fail("recovery settings are <name>:<value>, got '" + e + "'");
      }
      String v = e.substring(colon + 1);
      out.put(e.substring(0, colon), v.equals("-") ? "" : v);
    }
    return out;
  }

  /** {@code slots=(<name>@<lsn>,...)}: replication slots and their positions. */
  private java.util.Map<String, Long> slots(TestCase c, Set<String> used) {
    used.add("slots");
    java.util.Map<String, Long> slots = new java.util.TreeMap<>();
    for (String e : c.values("slots")) {
      String[] p = e.split("@");
      if (p.length != 2) {
        throw c.fail("slots are <name>@<lsn>, got '" + e + "'");
      }
      slots.put(p[0], lsn(c, p[1]));
    }
    return slots;
  }

  private void member(TestCase c, Set<String> used) {
    String name = firstWord(c, used);
    if (c.words().contains("gone")) {
      used.add("gone");
      scenario.cluster().withoutMember(name);
      return;
    }
    // Fields not given keep the member's previous values (a new member: running replica without tags), so a case
    // can stop a member or change its tags in one short line.
    Optional<Member> before = scenario.cluster().member(name);
    String url = opt(c, used, "conn_url").orElse(before.map(m -> m.connUrl().isEmpty() ? "none" : m.connUrl())
        .orElse("none"));
    String state = opt(c, used, "state").orElse(before.map(Member::state).orElse("running"));
    String role = opt(c, used, "role").orElse(before.map(Member::role).orElse("replica"));
    Map<String, Object> tags = new TreeMap<>(before.map(Member::tags).orElse(Map.of()));
    opt(c, used, "clonefrom").ifPresent(v -> tags.put("clonefrom", Boolean.parseBoolean(choice(c, v, "true",
        "false"))));
    opt(c, used, "nostream").ifPresent(v -> tags.put("nostream", Boolean.parseBoolean(choice(c, v, "true",
        "false"))));
    opt(c, used, "nosync").ifPresent(v -> tags.put("nosync", Boolean.parseBoolean(choice(c, v, "true",
        "false"))));
    opt(c, used, "replicatefrom").ifPresent(v -> {
      if (v.equals("none")) {
        tags.remove("replicatefrom");
      } else {
        tags.put("replicatefrom", v);
      }
    });
    int timeline = opt(c, used, "timeline").map(v -> v.equals("none") ? 0 : Integer.parseInt(v))
        .orElse(before.map(Member::timeline).orElse(1));
    // ssn=: the synchronous_standby_names a primary's key publishes (Member.SYNCHRONOUS_STANDBY_NAMES; none: not).
    Map<String, Object> raw = new TreeMap<>(before.map(Member::raw).orElse(Map.of()));
    opt(c, used, "ssn").ifPresent(v -> {
      if (v.equals("none")) {
        raw.remove(Member.SYNCHRONOUS_STANDBY_NAMES);
      } else {
        raw.put(Member.SYNCHRONOUS_STANDBY_NAMES, v);
      }
    });
    scenario.cluster().withMember(name, url.equals("none") ? "" : url, state, role, tags, timeline, raw);
  }

  private void pg(TestCase c, Set<String> used) {
    PgStateBuilder p = scenario.pg();
    if (!c.words().isEmpty()) {
      String w = firstWord(c, used);
      try {
        p.withCondition(Condition.valueOf(w.toUpperCase(Locale.ROOT).replace('-', '_')));
      } catch (IllegalArgumentException e) {
        throw c.fail("unknown condition '" + w + "' (missing, empty, not-empty, bootstrap-incomplete, stopped, "
            + "starting, primary, replica, unknown)");
      }
    }
    opt(c, used, "lsn").ifPresent(v -> p.withLsn(lsn(c, v)));
    opt(c, used, "timeline").ifPresent(v -> p.withTimeline(Integer.parseInt(v)));
    opt(c, used, "upstream").ifPresent(v -> p.withUpstream(noneOr(v)));
    opt(c, used, "streaming").ifPresent(v -> p.withStreaming(choice(c, v, "yes", "no").equals("yes")));
    opt(c, used, "sysid").ifPresent(v -> p.withSystemIdentifier(noneOr(v)));
    opt(c, used, "reason").ifPresent(p::withUnknownReason);
    opt(c, used, "ssn").ifPresent(v -> p.withStandbyNames(v.equals("none") ? "" : v));
    opt(c, used, "synchronous_commit").ifPresent(v -> p.withSynchronousCommit(
        choice(c, v, "on", "remote_write", "remote_apply", "local", "off")));
    opt(c, used, "pending_restart").ifPresent(v -> p.withPendingRestart(choice(c, v, "yes", "no").equals("yes")));
    opt(c, used, "token").ifPresent(v -> p.withFencingToken(Long.parseLong(v)));
    opt(c, used, "epoch").ifPresent(v -> p.withTimelineEpoch(v.equals("none") ? OptionalLong.empty()
        : OptionalLong.of(Long.parseLong(v))));
    if (c.has("history")) {
      p.withTimelineHistory(history(c, used));
    }
    if (c.has("slots")) {
      p.withSlots(slots(c, used));
    }
    if (c.has("recovery")) {
      p.withRecoverySettings(recovery(c, used));
    }
    if (p.condition() == Condition.UNKNOWN && !c.has("reason")) {
      throw c.fail("an unknown PostgreSQL state needs reason=\"...\" (what the probe could not do)");
    }
  }

  /**
   * A row of the primary's pg_stat_replication: {@code standby <m> flush=<lsn> write=<lsn> replay=<lsn>
   * sync_state=sync|potential|async state=streaming|catchup} (fields not given keep their values; new: streaming,
   * async, 0; write and replay not given are the flush position), or {@code standby <m> gone}.
   */
  private void standby(TestCase c, Set<String> used) {
    String name = firstWord(c, used);
    if (c.words().contains("gone")) {
      used.add("gone");
      scenario.pg().withStandby(name, null);
      return;
    }
    PgState.Standby before = scenario.pg().standby(name)
        .orElse(new PgState.Standby(name, "127.0.0.1", "streaming", "async", 0));
    long flush = opt(c, used, "flush").map(v -> lsn(c, v)).orElse(before.flushLsn());
    scenario.pg().withStandby(name, new PgState.Standby(name, before.clientAddr(),
        opt(c, used, "state").orElse(before.state()),
        opt(c, used, "sync_state").map(v -> choice(c, v, "sync", "potential", "async", "quorum"))
            .orElse(before.syncState()),
        flush, opt(c, used, "write").map(v -> lsn(c, v)).orElse(flush),
        opt(c, used, "replay").map(v -> lsn(c, v)).orElse(flush)));
  }

  private void task(TestCase c, Set<String> used) {
    if (c.words().contains("none")) {
      used.add("none");
      scenario.withRunningTask(Optional.empty()).withFailedTask(Optional.empty());
    }
    // Task names have spaces ("start primary"): written with hyphens.
    opt(c, used, "running").ifPresent(v -> scenario.withRunningTask(noneOr(v).map(n -> task(c, n.replace('-', ' ')))));
    opt(c, used, "failed").ifPresent(v -> scenario.withFailedTask(noneOr(v)));
    // A copy PostgreSQL refused: refused=<method|unknown|none> skip=a,b remaining=a,b|none message="..."
    opt(c, used, "refused").ifPresent(v -> scenario.withRefusedCopy(noneOr(v).map(m ->
        new io.pgquorum.coordinator.postgres.RefusedCopy(m.equals("unknown") ? Optional.empty() : Optional.of(m),
            opt(c, used, "message").orElse("requested timeline 2 is not a child of this server's history"),
            list(opt(c, used, "skip").orElse(m)), list(opt(c, used, "remaining").orElse("none"))))));
  }

  private static List<String> list(String commaSeparated) {
    return commaSeparated.equals("none") ? List.of() : List.of(commaSeparated.split(","));
  }

  private static Task task(TestCase c, String label) {
    for (Task t : Task.values()) {
      if (t.label().equals(label)) {
        return t;
      }
    }
    throw c.fail("no task '" + label + "' (tasks: bootstrap, clone, rejoin, start-primary, promote, restart, "
        + "reinitialize)");
  }

  private void lease(TestCase c, Set<String> used) {
    if (c.has("valid-for")) {
      scenario.withLease(OptionalLong.of(nanos(c, opt(c, used, "valid-for").get())));
      return;
    }
    String w = oneOf(c, used, "expired", "none");
    scenario.withLease(w.equals("expired") ? OptionalLong.of(0) : OptionalLong.empty());
  }

  private void peer(TestCase c, Set<String> used) {
    String name = firstWord(c, used);
    List<String> words = c.words();
    String state = words.size() < 2 ? "" : words.get(1);
    used.add(state);
    OptionalLong wal = opt(c, used, "lsn").map(v -> OptionalLong.of(lsn(c, v))).orElse(OptionalLong.empty());
    int timeline = Integer.parseInt(opt(c, used, "timeline").orElse("1"));
    int priority = Integer.parseInt(opt(c, used, "failover_priority").orElse("1"));
    OptionalLong epoch = opt(c, used, "epoch").map(v -> OptionalLong.of(Long.parseLong(v)))
        .orElse(OptionalLong.empty());
    switch (state) {
      case "primary", "replica" -> scenario.withPeer(new PeerView(name, true, Optional.of(state), true, wal, timeline,
          priority, priority <= 0, epoch));
      case "stopped" -> scenario.withPeer(new PeerView(name, true, Optional.empty(), false, wal, timeline, priority,
          priority <= 0));
      case "unreachable" -> scenario.withPeer(PeerView.unreachable(name));
      case "gone" -> scenario.withoutPeer(name);
      default -> throw c.fail("a peer is primary, replica, stopped, unreachable or gone");
    }
  }

  /** {@code failover leader=<name> member=<name> at=<ISO time>} (each optional), or {@code failover none}. */
  private void failover(TestCase c, Set<String> used) {
    if (c.words().contains("none")) {
      used.add("none");
      scenario.cluster().withFailover(Optional.empty());
      return;
    }
    scenario.cluster().withFailover(Optional.of(new io.pgquorum.coordinator.cluster.Failover(
        opt(c, used, "leader"), opt(c, used, "member"), opt(c, used, "at"), 9)));
  }

  private void config(TestCase c, Set<String> used) {
    opt(c, used, "ttl").ifPresent(v -> scenario.withTtl(Integer.parseInt(v)));
    opt(c, used, "loop_wait").ifPresent(v -> scenario.withLoopWait(Integer.parseInt(v)));
    opt(c, used, "maximum_lag_on_failover").ifPresent(v -> scenario.withMaximumLagOnFailover(Long.parseLong(v)));
    opt(c, used, "primary_start_timeout").ifPresent(v -> scenario.withPrimaryStartTimeout(Integer.parseInt(v)));
    opt(c, used, "use_slots").ifPresent(v ->
        scenario.withUseSlots(Boolean.parseBoolean(choice(c, v, "true", "false"))));
    opt(c, used, "synchronous_mode").ifPresent(v -> scenario.withSyncKey("synchronous_mode",
        choice(c, v, "on", "off", "true", "false", "quorum")));
    opt(c, used, "synchronous_mode_strict").ifPresent(v -> scenario.withSyncKey("synchronous_mode_strict",
        Boolean.parseBoolean(choice(c, v, "true", "false"))));
    opt(c, used, "failsafe_mode").ifPresent(v -> scenario.withSyncKey("failsafe_mode",
        Boolean.parseBoolean(choice(c, v, "true", "false"))));
    opt(c, used, "raft_leadership_off_primary").ifPresent(v -> scenario.withSyncKey("raft_leadership_off_primary",
        Boolean.parseBoolean(choice(c, v, "true", "false"))));
    opt(c, used, "synchronous_node_count").ifPresent(v -> scenario.withSyncKey("synchronous_node_count",
        Long.parseLong(v)));
    // member_slots_ttl=<duration as the config spells it>, e.g. 30min or 0
    opt(c, used, "member_slots_ttl").ifPresent(v -> scenario.withSyncKey("member_slots_ttl", v));
    // permanent_slots=(<name>,...): Patroni's slots key with those physical slots; logical_slots=(<name>,...): with
    // those logical ones (database postgres, plugin test_decoding). Given together, the key holds both.
    Optional<String> physical = opt(c, used, "permanent_slots");
    Optional<String> logical = opt(c, used, "logical_slots");
    if (physical.isPresent() || logical.isPresent()) {
      java.util.Map<String, Object> slots = new java.util.TreeMap<>();
      for (String n : physical.orElse("").replaceAll("[()]", "").split(",")) {
        if (!n.isBlank()) {
          slots.put(n.strip(), java.util.Map.of("type", "physical"));
        }
      }
      for (String n : logical.orElse("").replaceAll("[()]", "").split(",")) {
        if (!n.isBlank()) {
          slots.put(n.strip(), java.util.Map.of("type", "logical", "database", "postgres", "plugin",
              "test_decoding"));
        }
      }
      scenario.withSyncKey("slots", slots);
    }
    opt(c, used, "pause").ifPresent(v -> scenario.withPause(Boolean.parseBoolean(choice(c, v, "true", "false"))));
    // standby_cluster=<host>:<port> (streams from a remote primary), =archive (restore_command only), =none.
    opt(c, used, "standby_cluster").ifPresent(v -> {
      if (v.equals("none")) {
        scenario.withStandbyCluster(Optional.empty());
      } else if (v.equals("archive")) {
        scenario.withStandbyCluster(Optional.of(new StandbyCluster(Optional.empty(), 5432, Optional.empty(),
            Optional.of("cp /archive/%f %p"), Optional.empty(), Optional.empty(), List.of("restore"))));
      } else {
        int colon = v.lastIndexOf(':');
        if (colon < 0) {
          throw c.fail("standby_cluster must be <host>:<port>, archive or none");
        }
        scenario.withStandbyCluster(Optional.of(new StandbyCluster(Optional.of(v.substring(0, colon)),
            Integer.parseInt(v.substring(colon + 1)), Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), List.of("basebackup"))));
      }
    });
    // The section's other keys, on the section set above (a value without spaces; none removes the key):
    // standby_slot=<primary_slot_name>, standby_restore=<restore_command>, standby_cleanup=<archive_cleanup_command>,
    // standby_delay=<recovery_min_apply_delay>.
    for (String key : List.of("standby_slot", "standby_restore", "standby_cleanup", "standby_delay")) {
      opt(c, used, key).ifPresent(v -> {
        StandbyCluster s = scenario.standbyCluster()
            .orElseThrow(() -> c.fail(key + " needs a standby_cluster section first"));
        Optional<String> val = v.equals("none") ? Optional.empty() : Optional.of(v);
        scenario.withStandbyCluster(Optional.of(new StandbyCluster(s.host(), s.port(),
            key.equals("standby_slot") ? val : s.primarySlotName(),
            key.equals("standby_restore") ? val : s.restoreCommand(),
            key.equals("standby_cleanup") ? val : s.archiveCleanupCommand(),
            key.equals("standby_delay") ? val : s.recoveryMinApplyDelay(), s.createReplicaMethods())));
      });
    }
  }

  private void tags(TestCase c, Set<String> used) {
    boolean nofailover = opt(c, used, "nofailover").map(v -> Boolean.parseBoolean(choice(c, v, "true", "false")))
        .orElse(scenario.nofailover());
    int priority = opt(c, used, "failover_priority").map(Integer::parseInt).orElse(scenario.failoverPriority());
    scenario.withTags(nofailover, priority);
    opt(c, used, "replicatefrom").ifPresent(v -> scenario.withReplicatefrom(
        v.equals("none") ? Optional.empty() : Optional.of(v)));
    opt(c, used, "nostream").ifPresent(v -> scenario.withNostream(Boolean.parseBoolean(choice(c, v, "true",
        "false"))));
  }

  /** {@code hooks callbacks=on_start,on_stop pre_promote=true before_stop=false} or {@code hooks none}. */
  private void hooks(TestCase c, Set<String> used) {
    if (c.words().contains("none")) {
      used.add("none");
      scenario.withHooks(Hooks.NONE);
      return;
    }
    Hooks h = scenario.hooks();
    java.util.Set<io.pgquorum.coordinator.config.CallbackAction> callbacks = new java.util.HashSet<>(h.callbacks());
    opt(c, used, "callbacks").ifPresent(v -> {
      callbacks.clear();
      for (String name : v.split(",")) {
        if (!name.equals("none")) {
          callbacks.add(List.of(io.pgquorum.coordinator.config.CallbackAction.values()).stream()
              .filter(a -> a.key().equals(name)).findFirst()
              .orElseThrow(() -> c.fail("unknown callback '" + name + "'")));
        }
      }
    });
    boolean pre = opt(c, used, "pre_promote").map(v -> Boolean.parseBoolean(choice(c, v, "true", "false")))
        .orElse(h.prePromote());
    boolean before = opt(c, used, "before_stop").map(v -> Boolean.parseBoolean(choice(c, v, "true", "false")))
        .orElse(h.beforeStop());
    scenario.withHooks(new Hooks(callbacks, pre, before));
  }

  private void plantedBugs(TestCase c, Set<String> used) {
    List<HaBug> bugs = new ArrayList<>();
    for (String w : c.words()) {
      used.add(w);
      if (w.equals("none")) {
        continue;
      }
      bugs.add(List.of(HaBug.values()).stream().filter(b -> b.id().equals(w)).findFirst()
          .orElseThrow(() -> c.fail("unknown planted bug '" + w + "'")));
    }
    scenario.withPlantedBugs(bugs);
  }

  /** {@code backrest stanza=off|needed|running|failed|created [retry-in=30s] [failure=text]}. */
  private void backrest(TestCase c, Set<String> used) {
    String v = opt(c, used, "stanza").orElseThrow(() -> c.fail("backrest stanza=off|needed|running|failed|created"));
    BackrestView.Stanza stanza = BackrestView.Stanza.valueOf(choice(c, v, "off", "needed", "running", "failed",
        "created").toUpperCase(java.util.Locale.ROOT));
    OptionalLong retry = opt(c, used, "retry-in").map(r -> OptionalLong.of(scenario.nowNanos() + nanos(c, r)))
        .orElse(OptionalLong.empty());
    scenario.withBackrest(new BackrestView(stanza, retry, opt(c, used, "failure")));
  }

  /**
   * {@code backups full=<schedule> diff= incr= catch-up=<duration> check=on|off after-promotion=incr|diff|full|off
   * running=yes|no} or {@code backups none}; a schedule's spaces written as '-' ({@code weekly-sun-01:00}). Fields
   * not given keep their values (defaults: the section's).
   */
  private void backups(TestCase c, Set<String> used) {
    if (c.words().contains("none")) {
      used.add("none");
      scenario.withBackups(Optional.empty(), false);
      return;
    }
    BackrestView.BackupPlan p = scenario.backupPlan().orElse(new BackrestView.BackupPlan(
        new io.pgquorum.backrest.BackupSchedules(schedule("weekly sun 01:00"), schedule("daily 01:00"),
            schedule("off")), Duration.ofHours(1), io.pgquorum.backrest.BackrestSettings.AfterPromotion.DEFAULT));
    io.pgquorum.backrest.BackupSchedules s = p.schedules();
    s = new io.pgquorum.backrest.BackupSchedules(opt(c, used, "full").map(v -> schedule(v)).orElse(s.full()),
        opt(c, used, "diff").map(v -> schedule(v)).orElse(s.diff()),
        opt(c, used, "incr").map(v -> schedule(v)).orElse(s.incr()));
    Duration catchUp = opt(c, used, "catch-up").map(v -> Duration.ofNanos(nanos(c, v))).orElse(p.catchUp());
    boolean check = opt(c, used, "check").map(v -> choice(c, v, "on", "off").equals("on"))
        .orElse(p.afterPromotion().check());
    Optional<io.pgquorum.backrest.BackupType> after = opt(c, used, "after-promotion")
        .map(v -> choice(c, v, "incr", "diff", "full", "off"))
        .map(v -> v.equals("off") ? Optional.<io.pgquorum.backrest.BackupType>empty()
            : Optional.of(io.pgquorum.backrest.BackupType.of(v)))
        .orElse(p.afterPromotion().backup());
    boolean running = opt(c, used, "running").map(v -> choice(c, v, "yes", "no").equals("yes"))
        .orElse(scenario.backupRunning());
    scenario.withBackups(Optional.of(new BackrestView.BackupPlan(s, catchUp,
        new io.pgquorum.backrest.BackrestSettings.AfterPromotion(check, after))), running);
  }

  private static io.pgquorum.backrest.Schedule schedule(String v) {
    return io.pgquorum.backrest.Schedule.parse(v.replace('-', ' '));
  }

  /**
   * {@code backups-key slot=<ISO instant>|none type=<type> timeline=<n> state=<state> trigger=<t> member=<m>
   * rev=<n>} or {@code backups-key none}: the {@code backups} key (one run, the last).
   */
  private void backupsKey(TestCase c, Set<String> used) {
    if (c.words().contains("none")) {
      used.add("none");
      scenario.withBackupsKey(io.pgquorum.coordinator.cluster.BackupRecord.NONE);
      return;
    }
    Optional<String> slot = opt(c, used, "slot").filter(v -> !v.equals("none"));
    String type = opt(c, used, "type").orElse("full");
    long tl = Long.parseLong(opt(c, used, "timeline").orElse("1"));
    String state = opt(c, used, "state").orElse("done");
    String trigger = opt(c, used, "trigger").orElse("schedule");
    String member = opt(c, used, "member").orElse("node2");
    long rev = Long.parseLong(opt(c, used, "rev").orElse("5"));
    scenario.withBackupsKey(new io.pgquorum.coordinator.cluster.BackupRecord(slot, slot.map(x -> type), tl,
        Optional.of(new io.pgquorum.coordinator.cluster.BackupRecord.Run(trigger, type, member, state,
            "2030-01-01T00:00:00Z", Optional.empty(), Optional.empty())), rev));
  }

  /**
   * {@code restore-key id=<id> kind=<kind> target=<value> phase=<phase> ready=<a,b> detail="..." rev=<n>} or
   * {@code restore-key none}: the {@code restore} key.
   */
  /**
   * The {@code failsafe} key: {@code failsafe-key members=(node1,node2)} (each with the api_url the members' keys
   * carry), or {@code failsafe-key none}.
   */
  private void failsafeKey(TestCase c, Set<String> used) {
    if (c.words().contains("none")) {
      used.add("none");
      scenario.withFailsafeKey(Optional.empty());
      return;
    }
    if (!c.has("members")) {
      throw c.fail("failsafe-key members=(<member>,...) or none");
    }
    used.add("members");
    java.util.Map<String, String> members = new java.util.TreeMap<>();
    for (String n : c.values("members")) {
      members.put(n.strip(), "http://127.0.0.1:8008/patroni");
    }
    scenario.withFailsafeKey(Optional.of(members));
  }

  /**
   * What the loop samples of failsafe mode: {@code failsafe promise=<leader> for=<duration>} (a promise given, ending
   * that long from now; {@code promise=none}) with the slot positions its request sent ({@code slots=(n1@5000,...)},
   * optional), {@code started=<duration>-ago} (the daemon's start; default long ago), {@code held-lease=yes|no}
   * (whether this daemon has held the leader lease since it started; default no).
   */
  private void failsafe(TestCase c, Set<String> used) {
    FailsafePromise.Local l = scenario.failsafeLocal();
    Optional<FailsafePromise> promise = l.promise();
    Optional<String> p = opt(c, used, "promise");
    if (p.isPresent()) {
      promise = p.get().equals("none") ? Optional.empty() : Optional.of(new FailsafePromise(p.get(),
          scenario.nowNanos() + nanos(c, opt(c, used, "for").orElseThrow(() -> c.fail("promise needs for="))),
          c.has("slots") ? slots(c, used) : java.util.Map.of()));
    }
    long started = l.startedNanos();
    Optional<String> s = opt(c, used, "started");
    if (s.isPresent()) {
      started = agoNanos(c, s.get(), "started is <duration>-ago");
    }
    boolean held = opt(c, used, "held-lease").map(v -> choice(c, v, "yes", "no").equals("yes"))
        .orElse(l.heldLease());
    scenario.withFailsafeLocal(new FailsafePromise.Local(promise, started, held));
  }

  /**
   * What the loop samples of its DCS member's Raft role: {@code dcs-leadership leader targets=(m2,m3)} (this member
   * leads and heard from those voters recently; {@code targets=()} none), with {@code hand-off-failed=29s-ago} when its
   * last hand-off failed that long ago, or {@code dcs-leadership follower}.
   */
  private void dcsLeadership(TestCase c, Set<String> used) {
    if (oneOf(c, used, "leader", "follower").equals("follower")) {
      scenario.withDcsLeadership(DcsLeadership.UNKNOWN);
      return;
    }
    used.add("targets");
    List<String> targets = c.has("targets") ? c.values("targets").stream().map(String::strip)
        .filter(t -> !t.isEmpty()).toList() : List.of();
    OptionalLong failedAt = opt(c, used, "hand-off-failed")
        .map(v -> OptionalLong.of(agoNanos(c, v, "hand-off-failed is <duration>-ago"))).orElse(OptionalLong.empty());
    scenario.withDcsLeadership(new DcsLeadership(true, targets, failedAt));
  }

  /** The scenario's clock {@code <duration>} ago, for a value written {@code <duration>-ago}; else fails with form. */
  private long agoNanos(TestCase c, String value, String form) {
    if (!value.endsWith("-ago")) {
      throw c.fail(form + ", got '" + value + "'");
    }
    return scenario.nowNanos() - nanos(c, value.substring(0, value.length() - "-ago".length()));
  }

  private void restoreKey(TestCase c, Set<String> used) {
    if (c.words().contains("none")) {
      used.add("none");
      scenario.withRestoreKey(Optional.empty());
      return;
    }
    String id = opt(c, used, "id").orElse("r1");
    String kind = opt(c, used, "kind").orElse("lsn");
    Optional<String> target = opt(c, used, "target");
    String phase = opt(c, used, "phase").orElse("stopping");
    java.util.List<String> ready = opt(c, used, "ready").filter(v -> !v.equals("none"))
        .map(v -> java.util.List.of(v.split(","))).orElse(java.util.List.of());
    Optional<String> detail = opt(c, used, "detail");
    long rev = Long.parseLong(opt(c, used, "rev").orElse("30"));
    scenario.withRestoreKey(Optional.of(new io.pgquorum.coordinator.cluster.RestoreRecord(id, kind, target, false,
        Optional.empty(), "2030-01-01T00:00:00Z", phase, ready, detail, 0, rev)));
  }

  private void clock(TestCase c, Set<String> used) {
    opt(c, used, "at").ifPresent(v -> scenario.withClockAt(nanos(c, v)));
    opt(c, used, "advance").ifPresent(v -> scenario.withClockAdvanced(nanos(c, v)));
  }

  private void memory(TestCase c, Set<String> used) {
    HaMemory m = c.words().contains("none") ? HaMemory.NONE : scenario.memory();
    used.add("none");
    OptionalLong since = m.primaryStartSinceNanos();
    int unprobeable = m.unprobeableCycles();
    Optional<String> start = opt(c, used, "primary-start");
    if (start.isPresent()) {
      String v = start.get();
      since = v.equals("none") ? OptionalLong.empty()
          : OptionalLong.of(agoNanos(c, v, "primary-start is <duration>-ago or none"));
    }
    unprobeable = opt(c, used, "unprobeable").map(Integer::parseInt).orElse(unprobeable);
    Optional<HaMemory.TaskRetry> retry = m.retry();
    Optional<String> failures = opt(c, used, "task-failures");
    if (failures.isPresent()) {
      int n = Integer.parseInt(failures.get());
      // The next attempt is due now; the last error is kept if one is remembered.
      retry = n == 0 ? Optional.empty() : Optional.of(new HaMemory.TaskRetry(n, scenario.nowNanos(),
          retry.map(HaMemory.TaskRetry::lastFailure).orElse(""),
          scenario.snapshot().flatMap(k -> k.leader()).map(l -> l.name()).orElse("")));
    }
    Optional<io.pgquorum.coordinator.ha.sync.SyncMark> mark = m.syncMark();
    Optional<String> markAt = opt(c, used, "sync-mark");
    if (markAt.isPresent()) {
      // sync-mark=<lsn>: the primary saw its current synchronous_standby_names first at that position.
      mark = markAt.get().equals("none") ? Optional.empty() : Optional.of(new io.pgquorum.coordinator.ha.sync.SyncMark(
          io.pgquorum.coordinator.ha.sync.SyncStandbyNames.parse(scenario.pg().standbyNames()), lsn(c, markAt.get())));
    }
    boolean handedOver = opt(c, used, "handed-over").map(v -> choice(c, v, "yes", "no").equals("yes"))
        .orElse(m.handedOver());
    // epoch-upstream=<host:port>|none: the upstream the replica streamed from since its epoch was last known.
    Optional<String> epochUpstream = opt(c, used, "epoch-upstream")
        .map(v -> v.equals("none") ? Optional.<String>empty() : Optional.of(v)).orElse(m.epochUpstream());
    // gone-slots=(<slot>@<duration>-ago,...)|none: slots the leader keeps for members gone since then.
    java.util.Map<String, Long> gone = m.goneSlots();
    Optional<String> goneSlots = opt(c, used, "gone-slots");
    if (goneSlots.isPresent()) {
      gone = new java.util.TreeMap<>();
      for (String e : goneSlots.get().replaceAll("[()]", "").split(",")) {
        if (e.isBlank() || e.equals("none")) {
          continue;
        }
        String[] parts = e.strip().split("@");
        if (parts.length != 2 || !parts[1].endsWith("-ago")) {
          throw c.fail("gone-slots entries are <slot>@<duration>-ago, got '" + e + "'");
        }
        gone.put(parts[0], scenario.nowNanos() - nanos(c, parts[1].substring(0, parts[1].length() - 4)));
      }
    }
    scenario.withMemory(new HaMemory(since, unprobeable, retry, m.scheduledRestart(), m.callbacks(), handedOver,
        mark, epochUpstream, m.leavingSync(), gone, m.catchUp(), m.failsafe()));
  }

  /**
   * An operator's request the loop takes this cycle (id 1; consumed by the next decide, as the loop takes it once):
   * {@code request restart role= version= pending=yes timeout= at=<duration from now>}, {@code request
   * cancel-restart}, {@code request reinitialize from-leader=yes force=yes}, {@code request reload}, {@code request
   * none}.
   */
  private void request(TestCase c, Set<String> used) {
    String kind = firstWord(c, used);
    LocalRequest r;
    switch (kind) {
      case "restart" -> {
        LocalRequest.RestartConditions cond = new LocalRequest.RestartConditions(opt(c, used, "role"),
            opt(c, used, "version").map(v -> OptionalInt.of(Integer.parseInt(v))).orElse(OptionalInt.empty()),
            opt(c, used, "pending").map(v -> choice(c, v, "yes", "no").equals("yes")).orElse(false),
            opt(c, used, "timeout").map(v -> OptionalInt.of(Integer.parseInt(v))).orElse(OptionalInt.empty()));
        Optional<LocalRequest.ScheduledRestart> at = opt(c, used, "at").map(v -> new LocalRequest.ScheduledRestart(
            "in-" + v, scenario.nowNanos() + nanos(c, v), cond));
        r = new LocalRequest.Restart(1, cond, at);
      }
      case "cancel-restart" -> r = new LocalRequest.CancelRestart(1);
      case "reinitialize" -> r = new LocalRequest.Reinitialize(1,
          opt(c, used, "force").map(v -> choice(c, v, "yes", "no").equals("yes")).orElse(false),
          opt(c, used, "from-leader").map(v -> choice(c, v, "yes", "no").equals("yes")).orElse(false));
      case "reload" -> r = new LocalRequest.Reload(0);
      case "none" -> r = null;
      default -> throw c.fail("a request is restart, cancel-restart, reinitialize, reload or none");
    }
    scenario.withRequest(Optional.ofNullable(r));
  }

  private String render(Decision d) {
    decisions.accept(d);
    return DecisionPrinter.print(d, scenario.nowNanos(), scenario.plantedBugs());
  }

  // ---- parsing ----

  private static final Pattern DURATION = Pattern.compile("(\\d+)(ns|us|ms|s|m)");
  private static final Pattern TOKEN = Pattern.compile("[^\\s\"]*(\"[^\"]*\")?[^\\s\"]*");

  /** A command line as a TestCase, with {@code key="free text"} values (the runner's own split has no quotes). */
  private static TestCase reparse(TestCase outer, String line, int lineNo) {
    List<String> words = new ArrayList<>();
    Matcher m = TOKEN.matcher(line.strip());
    while (m.find()) {
      if (!m.group().isEmpty()) {
        words.add(m.group());
      }
    }
    if (words.isEmpty()) {
      throw outer.fail("empty command at line " + lineNo);
    }
    List<TestCase.Arg> args = new ArrayList<>();
    for (String w : words.subList(1, words.size())) {
      int eq = w.indexOf('=');
      if (eq < 0) {
        args.add(new TestCase.Arg(w, List.of()));
        continue;
      }
      String v = w.substring(eq + 1);
      if (v.startsWith("\"") && v.endsWith("\"") && v.length() >= 2) {
        args.add(new TestCase.Arg(w.substring(0, eq), List.of(v.substring(1, v.length() - 1))));
      } else if (v.startsWith("(") && v.endsWith(")")) {
        String inner = v.substring(1, v.length() - 1);
        args.add(new TestCase.Arg(w.substring(0, eq), inner.isEmpty() ? List.of() : List.of(inner.split(","))));
      } else {
        args.add(new TestCase.Arg(w.substring(0, eq), List.of(v)));
      }
    }
    return new TestCase(outer.file(), lineNo, words.get(0), args, "", "");
  }

  private static Optional<String> opt(TestCase c, Set<String> used, String key) {
    if (c.has(key)) {
      used.add(key);
    }
    return c.opt(key);
  }

  private static String firstWord(TestCase c, Set<String> used) {
    if (c.words().isEmpty()) {
      throw c.fail("needs a name or condition first");
    }
    String w = c.words().get(0);
    used.add(w);
    return w;
  }

  private static String oneOf(TestCase c, Set<String> used, String... choices) {
    String w = firstWord(c, used);
    return choice(c, w, choices);
  }

  private static String choice(TestCase c, String v, String... choices) {
    if (!List.of(choices).contains(v)) {
      throw c.fail("'" + v + "' is not one of " + List.of(choices));
    }
    return v;
  }

  private static Optional<String> noneOr(String v) {
    return v.equals("none") ? Optional.empty() : Optional.of(v);
  }

  /** A WAL position: bytes, or PostgreSQL's {@code X/Y} notation (hexadecimal halves). */
  static long lsn(TestCase c, String v) {
    try {
      int slash = v.indexOf('/');
      if (slash < 0) {
        return Long.parseLong(v);
      }
      return (Long.parseLong(v.substring(0, slash), 16) << 32) | Long.parseLong(v.substring(slash + 1), 16);
    } catch (NumberFormatException e) {
      throw c.fail("'" + v + "' is not a WAL position (bytes, or X/Y)");
    }
  }

  static long nanos(TestCase c, String v) {
    Matcher m = DURATION.matcher(v);
    if (!m.matches()) {
      throw c.fail("'" + v + "' is not a duration (e.g. 300s, 1500ms, 1ns)");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ns" -> n;
      case "us" -> n * 1_000L;
      case "ms" -> n * 1_000_000L;
      case "s" -> n * 1_000_000_000L;
      default -> n * 60_000_000_000L;
    };
  }
}
