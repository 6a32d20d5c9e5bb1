package io.pgquorum.pgctl;

import static io.pgquorum.pgctl.Snapshots.MIB;
import static io.pgquorum.pgctl.Snapshots.SYSID;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pgctl query} with a scripted SQL runner: target selection, credentials, formats and error rows. */
class QueryCommandTest {
  private static final String TIME = "\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}";

  private static final SqlRunner.Rows ROWS = new SqlRunner.Rows(List.of("name", "n", "ok", "note"),
      List.of(Arrays.asList("pg1", 1, true, null), Arrays.asList("pg2", 22, false, "a b")));

  private static ClusterSnapshot cluster() {
    return Snapshots.cluster().initialized(SYSID).leader("pg1")
        .member("pg1", "postgres://10.0.0.1:5432/postgres", "primary", "running", 10 * MIB, 2, Map.of())
        .member("pg2", "postgres://10.0.0.2:5433/postgres", "replica", "running", 10 * MIB, 2, Map.of())
        .build();
  }

  private static FakeOutside outside() {
    FakeOutside o = new FakeOutside();
    o.results.put("10.0.0.1", Optional.of(ROWS));
    o.results.put("10.0.0.2", Optional.of(ROWS));
    return o;
  }

  @Test
  void tsvByDefaultOnTheLeaderAsLibpqWouldConnect() {
    FakeOutside o = outside();
    o.env = Map.of("PGUSER", "alice", "PGPASSWORD", "s3cret");

    CliRun r = CliRun.with(cluster(), o.services(), "", "query", "-c", "select 1");

    assertThat(r.err()).isEmpty();
    assertThat(r.status()).isZero();
    assertThat(r.out()).isEqualTo("name\tn\tok\tnote\npg1\t1\tTrue\tNone\npg2\t22\tFalse\ta b\n");
    assertThat(o.connections).containsExactly(
        new SqlRunner.Target("10.0.0.1", 5432, "alice", Optional.of("s3cret"), "alice"));
  }

  @Test
  void optionsChooseMemberUserDatabaseAndDelimiter() {
    FakeOutside o = outside();
    o.env = Map.of("PGDATABASE", "fromenv");

    CliRun r = CliRun.with(cluster(), o.services(), "", "query", "demo", "-m", "pg2", "-U", "bob", "-d", "app",
        "--delimiter", ";", "--command=select 1");

    assertThat(r.out()).startsWith("name;n;ok;note\npg1;1;True;None\n");
    assertThat(o.connections).containsExactly(new SqlRunner.Target("10.0.0.2", 5433, "bob", Optional.empty(),
        "app"));
    CliRun env = CliRun.with(cluster(), o.services(), "", "query", "-r", "replica", "-U", "bob", "-c", "select 1");
    assertThat(env.status()).isZero();
    assertThat(o.connections.get(1)).isEqualTo(new SqlRunner.Target("10.0.0.2", 5433, "bob", Optional.empty(),
        "fromenv"));
  }

  @Test
  void prettyJsonAndYaml() {
    FakeOutside o = outside();
    assertThat(CliRun.with(cluster(), o.services(), "", "query", "-c", "x", "--format", "pretty").out())
        .isEqualTo("""
            +------+----+-------+------+
            | name | n  | ok    | note |
            +------+----+-------+------+
            | pg1  | 1  | True  | None |
            | pg2  | 22 | False | a b  |
            +------+----+-------+------+
            """);
    assertThat(CliRun.with(cluster(), o.services(), "", "query", "-c", "x", "--format", "json").out())
        .isEqualTo("[{\"name\": \"pg1\", \"n\": 1, \"ok\": true, \"note\": null}, "
            + "{\"name\": \"pg2\", \"n\": 22, \"ok\": false, \"note\": \"a b\"}]\n");
    assertThat(CliRun.with(cluster(), o.services(), "", "query", "-c", "x", "--format", "yaml").out())
        .startsWith("- n: 1\n  name: pg1\n  note: null\n  ok: true\n");
  }

  @Test
  void sqlFromAFile(@TempDir Path dir) throws Exception {
    FakeOutside o = outside();
    Path file = dir.resolve("q.sql");
    Files.writeString(file, "select 1;");
    CliRun r = CliRun.with(cluster(), o.services(), "", "query", "-f", file.toString());
    assertThat(r.status()).isZero();
    assertThat(r.out()).startsWith("name\tn");

    CliRun missing = CliRun.with(cluster(), o.services(), "", "query", "-f", dir.resolve("nope.sql").toString());
    assertThat(missing.status()).isEqualTo(2);
    assertThat(missing.err()).contains("Error: invalid value for -f/--file: '" + dir.resolve("nope.sql") + "'");
  }

  @Test
  void aServerErrorIsARowWithItsSqlstateAndExitsZero() {
    FakeOutside o = new FakeOutside();
    o.sqlFailure = new SQLException("ERROR: relation \"nope\" does not exist", "42P01");

    CliRun r = CliRun.with(cluster(), o.services(), "", "query", "-c", "select * from nope");

    assertThat(r.status()).isZero();
    assertThat(r.out()).matches(TIME + "\tERROR, SQLSTATE: 42P01\n");
    CliRun pretty = CliRun.with(cluster(), o.services(), "", "query", "-c", "x", "--format", "pretty");
    assertThat(pretty.out().lines().toList().get(1)).matches("\\| Field 1 +\\| Field 2 +\\|");
    assertThat(CliRun.with(cluster(), o.services(), "", "query", "-c", "x", "--format", "json").out())
        .isEqualTo("[{}]\n");
  }

  @Test
  void aConnectionFailureShowsTheDriversMessageOnOneLine() {
    CliRun r = CliRun.with(cluster(), new FakeOutside().services(), "", "query", "-c", "select 1");

    assertThat(r.status()).isZero();
    assertThat(r.out()).matches(TIME + "\tERROR, SQLSTATE: Connection to 10\\.0\\.0\\.9:5432 refused\\. Check it\\.\n");
  }

  @Test
  void noSuitableMemberIsARowNamingWhatWasAsked() {
    FakeOutside o = outside();
    o.results.put("10.0.0.2", Optional.empty()); // not in recovery: no replica there after all
    assertThat(CliRun.with(cluster(), o.services(), "", "query", "-c", "x", "-m", "pg9").out())
        .matches(TIME + "\tNo connection to member pg9 is available\n");
    assertThat(CliRun.with(cluster(), o.services(), "", "query", "-c", "x", "-r", "replica").out())
        .matches(TIME + "\tNo connection to role replica is available\n");
    ClusterSnapshot leaderless = Snapshots.cluster()
        .member("pg2", "postgres://10.0.0.2:5433/postgres", "replica", "running", 1L, 2, Map.of()).build();
    assertThat(CliRun.with(leaderless, o.services(), "", "query", "-c", "x").out())
        .matches(TIME + "\tNo connection is available\n");
  }

  @Test
  void mutuallyExclusiveOptionsAndMissingSql() {
    FakeOutside o = outside();
    CliRun both = CliRun.with(cluster(), o.services(), "", "query", "-c", "x", "-f", "y.sql");
    assertThat(both.status()).isEqualTo(1);
    assertThat(both.err()).isEqualTo("Error: --file and --command are mutually exclusive options\n");
    assertThat(CliRun.with(cluster(), o.services(), "", "query").err())
        .isEqualTo("Error: You need to specify either --command or --file\n");
    assertThat(CliRun.with(cluster(), o.services(), "", "query", "-c", "x", "-m", "pg1", "-r", "any").err())
        .isEqualTo("Error: --role and --member are mutually exclusive options\n");
    assertThat(o.connections).isEmpty();
  }

  @Test
  void passwordIsAskedOnATerminalAndRefusedWithoutOne() {
    FakeOutside o = outside();
    CliRun asked = CliRun.with(cluster(), o.services(), "hunter2\n", "query", "-c", "x", "-U", "bob", "--password");
    assertThat(asked.status()).isZero();
    assertThat(asked.out()).startsWith("Password: name\tn");
    assertThat(asked.out()).doesNotContain("hunter2");
    assertThat(o.connections.get(0).password()).hasValue("hunter2");

    o.terminal = false;
    CliRun refused = CliRun.with(cluster(), o.services(), "hunter2\n", "query", "-c", "x", "--password");
    assertThat(refused.status()).isEqualTo(1);
    assertThat(refused.err()).isEqualTo("Error: query --password asks for the password and standard input is not "
        + "a terminal; run it from a terminal, or give the password in PGPASSWORD or the password file\n");
    assertThat(o.connections).hasSize(1);
  }

  @Test
  void watchRepeatsTheQueryAtTheIntervalWithoutClearing() {
    FakeOutside o = outside();
    o.refreshes = 2;

    CliRun r = CliRun.with(cluster(), o.services(), "", "query", "-c", "x", "-w", "0.5");

    assertThat(r.out()).isEqualTo("name\tn\tok\tnote\npg1\t1\tTrue\tNone\npg2\t22\tFalse\ta b\n".repeat(3));
    assertThat(o.waits).containsExactly(Duration.ofMillis(500), Duration.ofMillis(500), Duration.ofMillis(500));
    FakeOutside w = outside();
    CliRun two = CliRun.with(cluster(), w.services(), "", "query", "-c", "x", "-W");
    assertThat(two.status()).isZero();
    assertThat(w.waits).containsExactly(Duration.ofSeconds(2));
  }
}
