package io.pgquorum.pgctl;

import static io.pgquorum.pgctl.Snapshots.MIB;
import static io.pgquorum.pgctl.Snapshots.SYSID;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.HistoryEntry;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Golden tests of history, dsn and version from hand-built snapshots and scripted REST answers. */
class ReadCommandsTest {
  private static final String TS1 = "2026-12-03T10:00:01.123456+00:00";
  private static final String TS2 = "2026-12-03T11:30:00.654321+00:00";

  private static ClusterSnapshot withHistory() {
    return Snapshots.cluster().initialized(SYSID).leader("pg2")
        .history(new HistoryEntry(1, 50331800, "no recovery target specified", Optional.of(TS1), Optional.of("pg2")),
            new HistoryEntry(2, 117440672, "no recovery target specified", Optional.of(TS2), Optional.of("pg1")),
            new HistoryEntry(3, 134217888, "at restore point \"before upgrade\"", Optional.empty(),
                Optional.empty()))
        .member("pg1", "postgres://10.0.0.1:5432/postgres", "replica", "running", 10 * MIB, 4,
            Map.of("replication_state", "streaming"))
        .member("pg2", "postgres://10.0.0.2:5433/postgres", "primary", "running", 10 * MIB, 4, Map.of())
        .member("pg3", "postgres://[fd00::3]:5432/postgres", "replica", "running", 10 * MIB, 4, Map.of())
        .build();
  }

  @Test
  void historyIsPatronictlsTableWithEmptyCellsForMissingFields() {
    CliRun r = CliRun.against(withHistory(), "history");

    assertThat(r.err()).isEmpty();
    assertThat(r.status()).isZero();
    assertThat(r.out()).isEqualTo("""
        +----+-----------+-----------------------------------+----------------------------------+------------+
        | TL |       LSN | Reason                            | Timestamp                        | New Leader |
        +----+-----------+-----------------------------------+----------------------------------+------------+
        |  1 |  50331800 | no recovery target specified      | 2026-12-03T10:00:01.123456+00:00 | pg2        |
        |  2 | 117440672 | no recovery target specified      | 2026-12-03T11:30:00.654321+00:00 | pg1        |
        |  3 | 134217888 | at restore point "before upgrade" |                                  |            |
        +----+-----------+-----------------------------------+----------------------------------+------------+
        """);
  }

  @Test
  void historyOfAClusterThatNeverSwitchedIsTheHeaderOnly() {
    CliRun r = CliRun.against(Snapshots.threeMembers(), "history", "demo");

    assertThat(r.status()).isZero();
    assertThat(r.out()).isEqualTo("""
        +----+-----+--------+-----------+------------+
        | TL | LSN | Reason | Timestamp | New Leader |
        +----+-----+--------+-----------+------------+
        """);
  }

  @Test
  void historyInTheMachineFormatsKeepsEveryColumn() {
    assertThat(CliRun.against(withHistory(), "history", "-f", "tsv").out()).isEqualTo(
        "TL\tLSN\tReason\tTimestamp\tNew Leader\n"
        + "1\t50331800\tno recovery target specified\t" + TS1 + "\tpg2\n"
        + "2\t117440672\tno recovery target specified\t" + TS2 + "\tpg1\n"
        + "3\t134217888\tat restore point \"before upgrade\"\t\t\n");
    assertThat(CliRun.against(withHistory(), "history", "--format=json").out()).isEqualTo(
        "[{\"TL\": 1, \"LSN\": 50331800, \"Reason\": \"no recovery target specified\", \"Timestamp\": \"" + TS1
        + "\", \"New Leader\": \"pg2\"}, {\"TL\": 2, \"LSN\": 117440672, \"Reason\": \"no recovery target "
        + "specified\", \"Timestamp\": \"" + TS2 + "\", \"New Leader\": \"pg1\"}, {\"TL\": 3, \"LSN\": 134217888, "
        + "\"Reason\": \"at restore point \\\"before upgrade\\\"\", \"Timestamp\": \"\", \"New Leader\": \"\"}]\n");
    assertThat(CliRun.against(withHistory(), "history", "-f", "yaml").out()).startsWith("""
        - LSN: 50331800
          New Leader: pg2
          Reason: no recovery target specified
          TL: 1
          Timestamp: '2026-12-03T10:00:01.123456+00:00'
        """);
  }

  @Test
  void dsnOfTheLeaderByDefaultOfARoleOrOfAMember() {
    assertThat(CliRun.against(withHistory(), "dsn").out()).isEqualTo("host=10.0.0.2 port=5433\n");
    assertThat(CliRun.against(withHistory(), "dsn", "demo", "-r", "replica").out())
        .isEqualTo("host=10.0.0.1 port=5432\n");
    assertThat(CliRun.against(withHistory(), "dsn", "--role=primary").out()).isEqualTo("host=10.0.0.2 port=5433\n");
    assertThat(CliRun.against(withHistory(), "dsn", "-m", "pg3").out()).isEqualTo("host=fd00::3 port=5432\n");
  }

  @Test
  void dsnErrorsAreOneLineAndExitOne() {
    CliRun none = CliRun.against(withHistory(), "dsn", "-r", "standby-leader");
    assertThat(none.status()).isEqualTo(1);
    assertThat(none.out()).isEmpty();
    assertThat(none.err()).isEqualTo("Error: Can not find a suitable member\n");

    assertThat(CliRun.against(withHistory(), "dsn", "-m", "pg9").err())
        .isEqualTo("Error: Can not find a suitable member\n");
    CliRun both = CliRun.against(withHistory(), "dsn", "-m", "pg1", "-r", "replica");
    assertThat(both.status()).isEqualTo(1);
    assertThat(both.err()).isEqualTo("Error: --role and --member are mutually exclusive options\n");
    CliRun noLeader = CliRun.against(Snapshots.cluster().member("pg1", "postgres://10.0.0.1:5432/postgres",
        "replica", "running", 1L, 1, Map.of()).build(), "dsn");
    assertThat(noLeader.err()).isEqualTo("Error: Can not find a suitable member\n");
  }

  @Test
  void versionAsksEachMembersApiAndSaysWhyOneFailed() {
    FakeOutside outside = new FakeOutside();
    outside.answers.put("GET http://127.0.0.1:8008/patroni", new MemberApi.Response(200,
        "{\"state\": \"running\", \"server_version\": 150010, \"patroni\": {\"version\": \"0.1.0\", \"scope\": "
        + "\"demo\"}}"));
    ClusterSnapshot s = Snapshots.cluster().initialized(SYSID).leader("pg1")
        .member("pg1", "postgres://10.0.0.1:5432/postgres", "primary", "running", 1L, 1, Map.of())
        .member("pg2", "postgres://10.0.0.2:5432/postgres", "replica", "running", 1L, 1,
            Map.of("api_url", "http://10.0.0.2:8008/patroni"))
        .build();

    CliRun all = CliRun.with(s, outside.services(), "", "version", "demo");

    assertThat(all.status()).isZero();
    assertThat(all.out()).matches("pgctl version \\S+\n\npg1: pgquorum 0\\.1\\.0 PostgreSQL 15\\.10\n"
        + "pg2: failed to get version: ConnectException \\(http://10\\.0\\.0\\.2:8008/patroni\\)\n");

    CliRun one = CliRun.with(s, outside.services(), "", "version", "demo", "pg1");
    assertThat(one.out()).endsWith("\n\npg1: pgquorum 0.1.0 PostgreSQL 15.10\n");
    assertThat(outside.requests).containsExactly("GET http://127.0.0.1:8008/patroni",
        "GET http://10.0.0.2:8008/patroni", "GET http://127.0.0.1:8008/patroni");
  }

  @Test
  void versionOfAStoppedMemberHasNoPostgresPartAndGarbageIsNamed() {
    FakeOutside outside = new FakeOutside();
    outside.answers.put("GET http://127.0.0.1:8008/patroni",
        new MemberApi.Response(503, "{\"state\": \"stopped\", \"patroni\": {\"version\": \"0.1.0\"}}"));
    ClusterSnapshot s = Snapshots.cluster()
        .member("pg1", "postgres://10.0.0.1:5432/postgres", "replica", "stopped", null, null, Map.of()).build();
    assertThat(CliRun.with(s, outside.services(), "", "version", "demo").out()).endsWith("\npg1: pgquorum 0.1.0\n");

    outside.answers.put("GET http://127.0.0.1:8008/patroni", new MemberApi.Response(502, "<html>bad gateway"));
    assertThat(CliRun.with(s, outside.services(), "", "version", "demo").out())
        .endsWith("\npg1: failed to get version: the answer is not JSON\n");
  }

  @Test
  void pgVersionFormatsAsPatronictl() {
    assertThat(ToolCommands.pgVersion(150010)).isEqualTo("15.10");
    assertThat(ToolCommands.pgVersion(100000)).isEqualTo("10.0");
    assertThat(ToolCommands.pgVersion(90624)).isEqualTo("9.6.24");
  }
}
