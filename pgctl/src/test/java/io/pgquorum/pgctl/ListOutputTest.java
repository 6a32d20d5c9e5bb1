package io.pgquorum.pgctl;

import static io.pgquorum.pgctl.Snapshots.MIB;
import static io.pgquorum.pgctl.Snapshots.SYSID;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Golden tests of {@code list} and {@code topology} output, from hand-built snapshots. */
class ListOutputTest {

  @Test
  void prettyTableOfLeaderStreamingReplicaAndStoppedReplica() {
    CliRun r = CliRun.against(Snapshots.threeMembers(), "list");

    assertThat(r.status()).isZero();
    assertThat(r.err()).isEmpty();
    // pg2 is 2.5 MiB behind: rounded half to even, as patronictl's Python round() does, to 2.
    assertThat(r.out()).isEqualTo("""
        + Cluster: demo (7301234567890123456) ----+----+-----------+
        | Member | Host     | Role    | State     | TL | Lag in MB |
        +--------+----------+---------+-----------+----+-----------+
        | pg1    | 10.0.0.1 | Leader  | running   |  3 |           |
        | pg2    | 10.0.0.2 | Replica | streaming |  3 |         2 |
        | pg3    | 10.0.0.3 | Replica | stopped   |    |   unknown |
        +--------+----------+---------+-----------+----+-----------+
        """);
  }

  /**
   * Issue 17, item 12: a replica that says (in its member key) that it is off the leader's line of history shows
   * it in the state, and its lag is unknown rather than 0 (its position is ahead of the leader's, on another fork).
   */
  @Test
  void aReplicaOffTheLeadersTimelineShowsItAndHasNoLag() {
    long leaderLsn = 100 * MIB;
    ClusterSnapshot s = Snapshots.cluster().initialized(Snapshots.SYSID).leader("pg1").status(leaderLsn)
        .member("pg1", "postgres://10.0.0.1:5432/postgres", "primary", "running", leaderLsn, 2, Map.of())
        .member("pg2", "postgres://10.0.0.2:5432/postgres", "replica", "running", leaderLsn + MIB, 2,
            Map.of("replication_state", "in archive recovery", "diverged", "another fork"))
        .build();
    CliRun r = CliRun.against(s, "list");
    assertThat(r.status()).isZero();
    assertThat(r.out()).contains("| pg2    | 10.0.0.2 | Replica | in archive recovery (diverged timeline) |  2 |"
        + "   unknown |");
  }

  /** Issue 17, item 12: a replica stopped for a divergence it may not repair says so in its state. */
  @Test
  void aReplicaStoppedForADivergenceShowsItInItsState() {
    long leaderLsn = 100 * MIB;
    ClusterSnapshot s = Snapshots.cluster().initialized(Snapshots.SYSID).leader("pg1").status(leaderLsn)
        .member("pg1", "postgres://10.0.0.1:5432/postgres", "primary", "running", leaderLsn, 2, Map.of())
        .member("pg2", "postgres://10.0.0.2:5432/postgres", "replica", "stopped", leaderLsn - MIB, 2,
            Map.of("diverged", "this node's timeline diverged from leader pg1 and use_pg_rewind is off"))
        .build();
    CliRun r = CliRun.against(s, "list");
    assertThat(r.status()).isZero();
    assertThat(r.out()).contains("| pg2    | 10.0.0.2 | Replica | stopped (diverged timeline) |  2 |   unknown |");
  }

  /**
   * Issue 13: a member whose WAL archiving fails (archive_failing in its key) shows it in its state, and a line
   * under the table names it; the table keeps patronictl's layout otherwise.
   */
  @Test
  void aMemberWhoseArchivingFailsShowsItInItsStateAndTheFooter() {
    long leaderLsn = 100 * MIB;
    ClusterSnapshot s = Snapshots.cluster().initialized(Snapshots.SYSID).leader("pg1").status(leaderLsn)
        .member("pg1", "postgres://10.0.0.1:5432/postgres", "primary", "running", leaderLsn, 2,
            Map.of("archive_failing", true))
        .member("pg2", "postgres://10.0.0.2:5432/postgres", "replica", "running", leaderLsn, 2,
            Map.of("replication_state", "streaming"))
        .build();
    CliRun r = CliRun.against(s, "list");
    assertThat(r.status()).isZero();
    assertThat(r.out()).isEqualTo("""
        + Cluster: demo (7301234567890123456) --------------------+----+-----------+
        | Member | Host     | Role    | State                     | TL | Lag in MB |
        +--------+----------+---------+---------------------------+----+-----------+
        | pg1    | 10.0.0.1 | Leader  | running (archiving fails) |  2 |           |
        | pg2    | 10.0.0.2 | Replica | streaming                 |  2 |         0 |
        +--------+----------+---------+---------------------------+----+-----------+
         WAL archiving fails on: pg1
        """);
    CliRun json = CliRun.against(s, "list", "--format", "json");
    assertThat(json.out()).contains("\"State\": \"running (archiving fails)\"");
  }

  /**
   * Issue 14: a primary whose commits wait for a synchronous standby (sync_commits_blocked in its key) is named under
   * the table; a standby the sync key lists in another case is still the Sync Standby (names match
   * case-insensitively, as in PostgreSQL).
   */
  @Test
  void blockedCommitsAreSaidBelowTheTable() {
    long leaderLsn = 100 * MIB;
    ClusterSnapshot s = Snapshots.cluster().initialized(Snapshots.SYSID).leader("pg1").status(leaderLsn)
        .sync("PG2")
        .member("pg1", "postgres://10.0.0.1:5432/postgres", "primary", "running", leaderLsn, 2,
            Map.of("sync_commits_blocked", true))
        .member("pg2", "postgres://10.0.0.2:5432/postgres", "replica", "running", leaderLsn, 2,
            Map.of("replication_state", "streaming"))
        .build();
    CliRun r = CliRun.against(s, "list");
    assertThat(r.status()).isZero();
    assertThat(r.out()).isEqualTo("""
        + Cluster: demo (7301234567890123456) ---------+----+-----------+
        | Member | Host     | Role         | State     | TL | Lag in MB |
        +--------+----------+--------------+-----------+----+-----------+
        | pg1    | 10.0.0.1 | Leader       | running   |  2 |           |
        | pg2    | 10.0.0.2 | Sync Standby | streaming |  2 |         0 |
        +--------+----------+--------------+-----------+----+-----------+
         Commits blocked on: pg1 (waiting for a synchronous standby)
        """);
  }

  @Test
  void clusterNameArgumentEqualToTheScopeIsAccepted() {
    CliRun r = CliRun.against(Snapshots.threeMembers(), "list", "demo");

    assertThat(r.status()).isZero();
    assertThat(r.out()).startsWith("+ Cluster: demo (" + SYSID + ")");
  }

  @Test
  void uninitializedClusterWithABootingMemberOnItsOwnPort() {
    ClusterSnapshot s = Snapshots.cluster()
        .member("pg1", "postgres://127.0.0.1:5433/postgres", "uninitialized", "stopped", null, null, Map.of())
        .build();

    CliRun r = CliRun.against(s, "list");

    assertThat(r.status()).isZero();
    assertThat(r.out()).isEqualTo("""
        + Cluster: demo (uninitialized) ----+---------+----+-----------+
        | Member | Host           | Role    | State   | TL | Lag in MB |
        +--------+----------------+---------+---------+----+-----------+
        | pg1    | 127.0.0.1:5433 | Replica | stopped |    |   unknown |
        +--------+----------------+---------+---------+----+-----------+
        """);
  }

  @Test
  void emptyClusterShowsTheHeaderOnly() {
    CliRun r = CliRun.against(ClusterSnapshot.empty(1), "list");

    assertThat(r.status()).isZero();
    assertThat(r.out()).isEqualTo("""
        + Cluster: demo (uninitialized) ----+-----------+
        | Member | Host | Role | State | TL | Lag in MB |
        +--------+------+------+-------+----+-----------+
        """);
  }

  @Test
  void bootstrapInProgressShowsInitializing() {
    ClusterSnapshot s = Snapshots.cluster().initialized("").build();

    assertThat(CliRun.against(s, "list").out()).startsWith("+ Cluster: demo (initializing) ");
  }

  @Test
  void titleLongerThanTheTableWidensTheLastColumnInsteadOfCuttingTheTitle() {
    String longScope = "a-cluster-with-a-rather-long-name";
    CliRun r = CliRun.capture((out, err) -> PgCtl.run(new String[] {"list"},
        TestConfigs.node(longScope, "127.0.0.1:7001", java.util.List.of()), c -> ClusterSnapshot.empty(1),
        out, err));

    String[] lines = r.out().split("\n");
    assertThat(lines[0]).isEqualTo("+ Cluster: " + longScope + " (uninitialized) +");
    assertThat(lines).allSatisfy(line -> assertThat(line).hasSameSizeAs(lines[0]));
    // the widened column is right-aligned, header included
    assertThat(lines[1]).endsWith("| " + " ".repeat(13) + "Lag in MB |");
  }

  @Test
  void sharedHostShowsPortsAndSyncStandbyRoleAndSwitchoverAndMaintenanceLines() {
    ClusterSnapshot s = Snapshots.cluster()
        .initialized(SYSID)
        .config(Map.of("pause", true))
        .leader("pg1")
        .sync("pg2")
        .failover("pg1", "pg2", "2030-01-02T03:04:05+00:00")
        .member("pg1", "postgres://127.0.0.1:5432/postgres", "primary", "running", 50 * MIB, 12, Map.of())
        .member("pg2", "postgres://127.0.0.1:5432/postgres", "replica", "running", 50 * MIB, 12,
            Map.of("replication_state", "streaming"))
        .build();

    CliRun r = CliRun.against(s, "list");

    assertThat(r.out()).isEqualTo("""
        + Cluster: demo (7301234567890123456) ---+-----------+----+-----------+
        | Member | Host           | Role         | State     | TL | Lag in MB |
        +--------+----------------+--------------+-----------+----+-----------+
        | pg1    | 127.0.0.1:5432 | Leader       | running   | 12 |           |
        | pg2    | 127.0.0.1:5432 | Sync Standby | streaming | 12 |         0 |
        +--------+----------------+--------------+-----------+----+-----------+
         Maintenance mode: on
         Switchover scheduled at: 2030-01-02T03:04:05+00:00
                            from: pg1
                              to: pg2
        """);
  }

  @Test
  void tagsAndPendingRestartAddColumnsAndMultiLineCellsGetRulesBetweenRows() {
    ClusterSnapshot s = Snapshots.cluster()
        .initialized(SYSID)
        .leader("pg1")
        .member("pg1", "postgres://10.0.0.1:5432/postgres", "primary", "running", 10 * MIB, 1, Map.of())
        .member("pg2", "postgres://10.0.0.2:5432/postgres", "replica", "running", 9 * MIB, 1,
            Map.of("pending_restart", true, "tags", Map.of("nofailover", true, "clonefrom", true)))
        .build();

    CliRun r = CliRun.against(s, "list");

    assertThat(r.out()).isEqualTo("""
        + Cluster: demo (7301234567890123456) --+----+-----------+-----------------+------------------+
        | Member | Host     | Role    | State   | TL | Lag in MB | Pending restart | Tags             |
        +--------+----------+---------+---------+----+-----------+-----------------+------------------+
        | pg1    | 10.0.0.1 | Leader  | running |  1 |           |                 |                  |
        +--------+----------+---------+---------+----+-----------+-----------------+------------------+
        | pg2    | 10.0.0.2 | Replica | running |  1 |         1 | *               | clonefrom: true  |
        |        |          |         |         |    |           |                 | nofailover: true |
        +--------+----------+---------+---------+----+-----------+-----------------+------------------+
        """);
  }

  @Test
  void topologyPutsTheLeaderFirstAndIndentsCascadedReplicas() {
    ClusterSnapshot s = Snapshots.cluster()
        .initialized(SYSID)
        .leader("pg3")
        .member("pg1", "postgres://10.0.0.1:5432/postgres", "replica", "running", 10 * MIB, 2,
            Map.of("replication_state", "streaming"))
        .member("pg2", "postgres://10.0.0.2:5432/postgres", "replica", "running", 10 * MIB, 2,
            Map.of("replication_state", "streaming", "tags", Map.of("replicatefrom", "pg1")))
        .member("pg3", "postgres://10.0.0.3:5432/postgres", "primary", "running", 10 * MIB, 2, Map.of())
        .member("pg4", "postgres://10.0.0.4:5432/postgres", "replica", "running", 10 * MIB, 2,
            Map.of("replication_state", "streaming", "tags", Map.of("replicatefrom", "pg2")))
        .build();

    CliRun r = CliRun.against(s, "topology");

    assertThat(r.status()).isZero();
    assertThat(r.out()).isEqualTo("""
        + Cluster: demo (7301234567890123456) -------+----+-----------+--------------------+
        | Member    | Host     | Role    | State     | TL | Lag in MB | Tags               |
        +-----------+----------+---------+-----------+----+-----------+--------------------+
        | pg3       | 10.0.0.3 | Leader  | running   |  2 |           |                    |
        | + pg1     | 10.0.0.1 | Replica | streaming |  2 |         0 |                    |
        |   + pg2   | 10.0.0.2 | Replica | streaming |  2 |         0 | replicatefrom: pg1 |
        |     + pg4 | 10.0.0.4 | Replica | streaming |  2 |         0 | replicatefrom: pg2 |
        +-----------+----------+---------+-----------+----+-----------+--------------------+
        """);
  }

  @Test
  void topologyWithoutLeaderListsEveryMemberAsAReplicaAndKeepsMembersOfAReplicatefromCycle() {
    ClusterSnapshot s = Snapshots.cluster()
        .initialized(SYSID)
        .member("pg1", "postgres://10.0.0.1:5432/postgres", "replica", "running", 10 * MIB, 2,
            Map.of("tags", Map.of("replicatefrom", "pg2")))
        .member("pg2", "postgres://10.0.0.2:5432/postgres", "replica", "running", 10 * MIB, 2,
            Map.of("tags", Map.of("replicatefrom", "pg1")))
        .member("pg3", "postgres://10.0.0.3:5432/postgres", "replica", "stopped", null, null, Map.of())
        .build();

    CliRun r = CliRun.against(s, "topology");

    assertThat(r.out().lines().skip(3).limit(3).map(l -> l.substring(0, 11)))
        .containsExactly("| + pg3   |", "| + pg1   |", "|   + pg2 |");
  }

  @Test
  void tsvHasAHeaderRowAndEveryColumnIncludingTheClusterName() {
    CliRun r = CliRun.against(Snapshots.threeMembers(), "list", "--format", "tsv");

    assertThat(r.status()).isZero();
    assertThat(r.out()).isEqualTo(
        "Cluster\tMember\tHost\tRole\tState\tTL\tLag in MB\n"
        + "demo\tpg1\t10.0.0.1\tLeader\trunning\t3\t\n"
        + "demo\tpg2\t10.0.0.2\tReplica\tstreaming\t3\t2\n"
        + "demo\tpg3\t10.0.0.3\tReplica\tstopped\t\tunknown\n");
  }

  @Test
  void tsvWritesTagsAsFlowYaml() {
    ClusterSnapshot s = Snapshots.cluster()
        .member("pg1", "postgres://10.0.0.1:5432/postgres", "replica", "running", 1L, 1,
            Map.of("tags", Map.of("nofailover", true, "clonefrom", true)))
        .build();

    CliRun r = CliRun.against(s, "list", "-f", "tsv");

    assertThat(r.out().lines().toList().get(1))
        .isEqualTo("demo\tpg1\t10.0.0.1\tReplica\trunning\t1\tunknown\t{clonefrom: true, nofailover: true}");
  }

  @Test
  void jsonIsOneObjectPerMemberWithEmptyValuesDropped() {
    CliRun r = CliRun.against(Snapshots.threeMembers(), "list", "--format=json");

    assertThat(r.status()).isZero();
    assertThat(r.out()).isEqualTo("[{\"Cluster\": \"demo\", \"Member\": \"pg1\", \"Host\": \"10.0.0.1\", "
        + "\"Role\": \"Leader\", \"State\": \"running\", \"TL\": 3}, "
        + "{\"Cluster\": \"demo\", \"Member\": \"pg2\", \"Host\": \"10.0.0.2\", \"Role\": \"Replica\", "
        + "\"State\": \"streaming\", \"TL\": 3, \"Lag in MB\": 2}, "
        + "{\"Cluster\": \"demo\", \"Member\": \"pg3\", \"Host\": \"10.0.0.3\", \"Role\": \"Replica\", "
        + "\"State\": \"stopped\", \"Lag in MB\": \"unknown\"}]\n");
  }

  @Test
  void jsonKeepsTagsAsAnObject() throws Exception {
    ClusterSnapshot s = Snapshots.cluster()
        .member("pg1", "postgres://10.0.0.1:5432/postgres", "replica", "running", 1L, 1,
            Map.of("tags", Map.of("nofailover", true)))
        .build();

    String json = CliRun.against(s, "list", "-fjson").out();

    var parsed = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
    assertThat(parsed.get(0).get("Tags").get("nofailover").asBoolean()).isTrue();
  }

  @Test
  void yamlIsBlockStyleWithSortedKeys() {
    CliRun r = CliRun.against(Snapshots.threeMembers(), "list", "-f", "yaml");

    assertThat(r.status()).isZero();
    assertThat(r.out()).isEqualTo("""
        - Cluster: demo
          Host: 10.0.0.1
          Member: pg1
          Role: Leader
          State: running
          TL: 3
        - Cluster: demo
          Host: 10.0.0.2
          Lag in MB: 2
          Member: pg2
          Role: Replica
          State: streaming
          TL: 3
        - Cluster: demo
          Host: 10.0.0.3
          Lag in MB: unknown
          Member: pg3
          Role: Replica
          State: stopped
        """);
  }

  @Test
  void extendedAlwaysShowsTheOptionalColumns() {
    CliRun r = CliRun.against(Snapshots.threeMembers(), "list", "-e", "-f", "tsv");

    assertThat(r.out().lines().findFirst().orElseThrow())
        .isEqualTo("Cluster\tMember\tHost\tRole\tState\tTL\tLag in MB\tPending restart\tScheduled restart\tTags");
  }

  @Test
  void timestampOptionPrintsTheTimeFirst() {
    CliRun r = CliRun.against(Snapshots.threeMembers(), "list", "-t");

    assertThat(r.out().lines().findFirst().orElseThrow()).matches("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}");
    assertThat(r.out().lines().skip(1).findFirst().orElseThrow()).startsWith("+ Cluster: demo");
  }

  @Test
  void watchPrintsAFreshTableEachIntervalAndClearsATerminalFirst() {
    FakeOutside o = new FakeOutside();
    o.refreshes = 1;
    java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
    ClusterSnapshot second = Snapshots.cluster().initialized(SYSID).leader("pg2")
        .member("pg2", "postgres://10.0.0.2:5432/postgres", "primary", "running", 1L, 4, Map.of()).build();

    CliRun r = CliRun.capture((out, err) -> PgCtl.run(new String[] {"list", "-W", "-t"}, CliRun.DEMO,
        c -> reads.getAndIncrement() == 0 ? Snapshots.threeMembers() : second, o.services(),
        java.io.InputStream.nullInputStream(), out, err));

    assertThat(r.status()).isZero();
    String[] screens = r.out().split(java.util.regex.Pattern.quote(ListCommand.CLEAR), -1);
    assertThat(screens).hasSize(3);
    assertThat(screens[0]).isEmpty();
    assertThat(screens[1]).matches("(?s)\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\n\\+ Cluster: demo .*\\| pg3 .*");
    assertThat(screens[2]).contains("| pg2    | 10.0.0.2 | Leader | running |  4 |").doesNotContain("pg1");
    assertThat(o.waits).containsExactly(java.time.Duration.ofSeconds(2), java.time.Duration.ofSeconds(2));

    o.terminal = false;
    o.refreshes = 1;
    o.waits.clear();
    CliRun piped = CliRun.with(Snapshots.threeMembers(), o.services(), "", "topology", "--watch", "1.5");
    assertThat(piped.out()).doesNotContain(ListCommand.CLEAR);
    assertThat(piped.out().lines().filter(l -> l.startsWith("+ Cluster: demo"))).hasSize(2);
    assertThat(o.waits).containsExactly(java.time.Duration.ofMillis(1500), java.time.Duration.ofMillis(1500));
  }

  @Test
  void pendingRestartReasonAndScheduledRestartColumnsAsPatronictl() {
    Map<String, Object> reason = new java.util.LinkedHashMap<>();
    reason.put("shared_buffers", Map.of("old_value", "128MB", "new_value", "256MB"));
    reason.put("shared_preload_libraries", Map.of("old_value", "pg_stat_statements,auto_explain",
        "new_value", "pg_stat_statements,auto_explain,pg_cron"));
    ClusterSnapshot s = Snapshots.cluster()
        .initialized(SYSID)
        .leader("pg1")
        .member("pg1", "postgres://10.0.0.1:5432/postgres", "primary", "running", 10 * MIB, 1,
            Map.of("pending_restart", true, "pending_restart_reason", reason,
                "scheduled_restart", Map.of("schedule", "2030-01-01T00:00:00+00:00", "postgres_version", "15.9")))
        .member("pg2", "postgres://10.0.0.2:5432/postgres", "replica", "running", 10 * MIB, 1, Map.of())
        .build();

    CliRun r = CliRun.against(s, "list");

    List<String> lines = r.out().lines().toList();
    assertThat(lines.get(1)).isEqualTo("| Member | Host     | Role    | State   | TL | Lag in MB | Pending restart "
        + "| Pending restart reason                        | Scheduled restart                           |");
    assertThat(lines.get(3)).endsWith("| *               | shared_buffers: 128MB->256MB                  "
        + "| 2030-01-01T00:00:00+00:00 if version < 15.9 |");
    assertThat(lines.get(4)).isEqualTo("|        |          |         |         |    |           |                 "
        + "| shared_preload_libraries: [hidden - too long] |                                             |");
    assertThat(lines.get(5)).startsWith("+--------+"); // multi-line cells: a rule between rows, as patronictl
    assertThat(lines).hasSize(8);
    assertThat(CliRun.against(s, "list", "-f", "json").out()).contains("\"Pending restart reason\": "
        + "\"shared_buffers: 128MB->256MB\\nshared_preload_libraries: pg_stat_statements,auto_explain->"
        + "pg_stat_statements,auto_explain,pg_cron\"");
  }
}
