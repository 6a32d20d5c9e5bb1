package io.pgquorum.coordinator.postgres;

import static io.pgquorum.coordinator.postgres.PgTestSupport.execute;
import static io.pgquorum.coordinator.postgres.PgTestSupport.queryString;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.config.Credentials;
import io.pgquorum.coordinator.config.CustomMethod;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.coordinator.postgres.PgState.DataDirState;
import io.pgquorum.testkit.FreePorts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Patroni's contracts for custom methods (replica creation, bootstrap, post_bootstrap) with small shell scripts
 * that record what they were given, and what a user sees when a tool fails.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalPostgresMethodsTest {
  private static final String BIN = "/usr/lib/postgresql/15/bin";
  private static final Duration WAIT = Duration.ofSeconds(30);

  private PgTestSupport support;
  private NodeConfig src;
  private Upstream srcUp;

  @BeforeAll
  void setUp() throws Exception {
    support = new PgTestSupport();
    TestNodes.Builder b = support.node("src");
    Path post = script("post.sh", "printf '%s\\n' \"$@\" > " + file("post.args") + "\n"
        + "printf '%s\\n' \"$PGPASSFILE\" > " + file("post.env") + "\n"
        + "exec " + BIN + "/psql -X -q -w \"$1\" -c 'CREATE TABLE from_post_bootstrap (x int)'\n");
    b.postBootstrap = java.util.Optional.of(post.toString());
    src = b.build();
    LocalPostgres pg = new LocalPostgres(src, () -> TestNodes.dynamic(false, Map.of()));
    pg.bootstrap();
    pg.startPrimary(1);
    srcUp = new Upstream("src", "127.0.0.1", src.postgresql().listen().port());
  }

  @AfterAll
  void tearDown() throws Exception {
    try {
      support.assertNoSecretsLogged();
    } finally {
      support.close();
    }
  }

  private String file(String name) {
    return support.base.resolve(name).toString();
  }

  private Path script(String name, String body) throws IOException {
    Path p = support.base.resolve(name);
    Files.writeString(p, "#!/bin/sh\n" + body, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
    return p;
  }

  /** Shell that sets $datadir and $connstring from Patroni's parameters. */
  private static final String PARSE_ARGS = "for a in \"$@\"; do case \"$a\" in --datadir=*) datadir=${a#--datadir=};;"
      + " --connstring=*) connstring=${a#--connstring=};; esac; done\n";

  @Test
  void postBootstrapGetsAUrlWithoutPasswordAndThePasswordFile() throws Exception {
    // The bootstrap's private server: its socket in a private temporary directory, no TCP listener.
    assertThat(Files.readAllLines(support.base.resolve("post.args"))).singleElement().asString()
        .matches("postgres://postgres@%2F.*pgquorum-boot-[0-9]+:" + srcUp.port() + "/postgres");
    assertThat(Files.readAllLines(support.base.resolve("post.env")))
        .containsExactly(src.postgresql().pgpass().toString());
    assertThat(queryString(src, "SELECT count(*) FROM pg_tables WHERE tablename = 'from_post_bootstrap'"))
        .isEqualTo("1");
  }

  @Test
  void customReplicaMethodsFollowPatronisContractAndAFailedOneIsCleanedUp() throws Exception {
    Path broken = script("broken.sh", PARSE_ARGS + "touch \"$datadir/junk\"\necho broken on purpose\nexit 7\n");
    Path copy = script("copy.sh", PARSE_ARGS + "printf '%s\\n' \"$@\" > " + file("copy.args") + "\n"
        + "exec " + BIN + "/pg_basebackup -D \"$datadir\" -d \"$connstring\" -X stream -c fast -w --no-sync\n");
    TestNodes.Builder b = support.node("custom-copy");
    b.createReplicaMethods.addAll(List.of("broken", "mycopy"));
    b.replicaMethods.put("broken", TestNodes.method("broken", broken.toString(), false, Map.of()));
    b.replicaMethods.put("mycopy", TestNodes.method("mycopy", copy + " --first 'two words'", false,
        Map.of("foo", "bar baz", "alpha", "1")));
    NodeConfig n = b.build();
    LocalPostgres pg = new LocalPostgres(n, () -> TestNodes.dynamic(false, Map.of()));

    pg.cloneReplica(srcUp);

    Path data = n.postgresql().dataDir();
    assertThat(Files.readAllLines(support.base.resolve("copy.args"))).containsExactly("--first", "two words",
        "--scope=" + TestNodes.SCOPE, "--datadir=" + data, "--role=replica",
        "--connstring=postgres://replicator@127.0.0.1:" + srcUp.port() + "/postgres", "--alpha=1",
        "--foo=bar baz");
    assertThat(data.resolve("junk")).as("the failed method's leftovers").doesNotExist();
    assertThat(data.resolve("standby.signal")).exists();

    pg.startReplica(srcUp);
    execute(src, "CREATE TABLE IF NOT EXISTS custom_copy (x int)");
    execute(src, "INSERT INTO custom_copy VALUES (42)");
    await().atMost(WAIT).until(() -> "42".equals(queryString(n, "SELECT max(x) FROM custom_copy")));
    assertThat(pg.probe().replicationState()).contains("streaming");
    pg.stop(StopMode.FAST);
  }

  @Test
  void whenEveryMethodFailsTheErrorListsEachAndTheDirectoryIsLeftAsFound() throws Exception {
    Path broken = script("broken2.sh", PARSE_ARGS + "touch \"$datadir/junk\"\necho broken on purpose\nexit 7\n");
    TestNodes.Builder b = support.node("all-fail");
    b.createReplicaMethods.addAll(List.of("broken", "basebackup"));
    b.replicaMethods.put("broken", TestNodes.method("broken", broken.toString(), false, Map.of()));
    NodeConfig n = b.build();
    LocalPostgres pg = new LocalPostgres(n, () -> TestNodes.dynamic(false, Map.of()));
    Upstream nowhere = new Upstream("ghost", "127.0.0.1", FreePorts.next());

    assertThatThrownBy(() -> pg.cloneReplica(nowhere)).isInstanceOf(PostgresException.class)
        .hasMessageStartingWith("clone replica from ghost (127.0.0.1:" + nowhere.port() + ") failed")
        .hasMessageContaining("- broken: replica method broken failed (exit 7)")
        .hasMessageContaining("broken on purpose")
        .hasMessageContaining("- basebackup: pg_basebackup failed (exit 1)")
        .hasMessageContaining("Connection refused")
        .satisfies(e -> assertNoSecrets(e.getMessage()));
    assertThat(pg.probe().dataDir()).as("as the clone found it").isEqualTo(DataDirState.MISSING);
  }

  /**
   * Issue 17 item 3: a method that creates its target itself (here with mkdir, as restore tools that refuse an
   * existing directory do) failed with "File exists" on every retry, because the directory was created first.
   * Methods get the target as the clone found it: missing here.
   */
  @Test
  void aMethodThatCreatesItsTargetGetsNoDirectoryMadeForIt() throws Exception {
    Path fresh = script("fresh.sh", PARSE_ARGS + "mkdir \"$datadir\" || exit 1\n"
        + "exec " + BIN + "/pg_basebackup -D \"$datadir\" -d \"$connstring\" -X stream -c fast -w --no-sync\n");
    TestNodes.Builder b = support.node("fresh-target");
    b.createReplicaMethods.add("fresh");
    b.replicaMethods.put("fresh", TestNodes.method("fresh", fresh.toString(), false, Map.of()));
    NodeConfig n = b.build();
    LocalPostgres pg = new LocalPostgres(n, () -> TestNodes.dynamic(false, Map.of()));
    assertThat(pg.probe().dataDir()).isEqualTo(DataDirState.MISSING);

    pg.cloneReplica(srcUp);

    assertThat(pg.probe().dataDir()).isEqualTo(DataDirState.INITIALIZED);
    pg.startReplica(srcUp);
    await().atMost(WAIT).until(() -> pg.probe().replicationState().filter("streaming"::equals).isPresent());
    pg.stop(StopMode.FAST);
  }

  /**
   * keep_data (Patroni: "do not clean PGDATA before calling restore"): a failed keep_data method's work stays for
   * the next keep_data method (a delta restore resumes it), while a method without keep_data starts from the
   * directory as the clone found it; when the last method tried keeps its data, nothing is wiped.
   */
  @Test
  void keepDataMethodsFindWhatTheLastOneLeftAndOthersAFreshTarget() throws Exception {
    Path partial = script("partial.sh", PARSE_ARGS + "mkdir -p \"$datadir\" && echo half > \"$datadir/partial\"\n"
        + "exit 3\n");
    Path looks = script("looks.sh", PARSE_ARGS + "ls -A \"$datadir\" > " + file("looks.seen") + " 2>&1\nexit 4\n");
    Path needsFresh = script("needs-fresh.sh", PARSE_ARGS + "if [ -e \"$datadir\" ]; then echo exists > "
        + file("needs-fresh.seen") + "; else echo missing > " + file("needs-fresh.seen") + "; fi\nexit 5\n");
    TestNodes.Builder b = support.node("keep-data");
    b.createReplicaMethods.addAll(List.of("partial", "looks", "fresh", "partial"));
    b.replicaMethods.put("partial", TestNodes.method("partial", partial.toString(), true, Map.of()));
    b.replicaMethods.put("looks", TestNodes.method("looks", looks.toString(), true, Map.of()));
    b.replicaMethods.put("fresh", TestNodes.method("fresh", needsFresh.toString(), false, Map.of()));
    NodeConfig n = b.build();
    LocalPostgres pg = new LocalPostgres(n, () -> TestNodes.dynamic(false, Map.of()));

    assertThatThrownBy(() -> pg.cloneReplica(srcUp)).isInstanceOf(PostgresException.class)
        .hasMessageContaining("- partial: replica method partial failed (exit 3)")
        .hasMessageContaining("- looks: replica method looks failed (exit 4)")
        .hasMessageContaining("- fresh: replica method fresh failed (exit 5)")
        .hasMessageContaining("keeps what method partial left (keep_data)");

    assertThat(Files.readAllLines(support.base.resolve("looks.seen"))).as("the keep_data method after partial")
        .containsExactly("partial");
    assertThat(Files.readAllLines(support.base.resolve("needs-fresh.seen"))).as("a method without keep_data")
        .containsExactly("missing");
    assertThat(n.postgresql().dataDir().resolve("partial")).as("the last method kept its data: not wiped")
        .hasContent("half");
  }

  /**
   * no_leader (Patroni: may run "even if there is no running leader or replicas", with an empty connection
   * string): without an upstream only such methods run, in the configured order, and the copy is left a stopped
   * standby with nothing to follow, which starts.
   */
  @Test
  void withoutALeaderOnlyNoLeaderMethodsRun() throws Exception {
    TestNodes.Builder backupNode = support.node("backup-of-src");
    new LocalPostgres(backupNode.build(), () -> TestNodes.dynamic(false, Map.of())).cloneReplica(srcUp);
    Path needsLeader = script("needs-leader.sh", "touch " + file("needs-leader.ran") + "\nexit 1\n");
    Path restore = script("restore-backup.sh", PARSE_ARGS + "printf '%s\\n' \"$@\" > " + file("restore-backup.args")
        + "\nexec cp -a " + backupNode.dataDir() + " \"$datadir\"\n");
    TestNodes.Builder b = support.node("no-leader");
    b.createReplicaMethods.addAll(List.of("basebackup", "needsleader", "restore"));
    b.replicaMethods.put("needsleader", TestNodes.method("needsleader", needsLeader.toString(), false, Map.of()));
    b.replicaMethods.put("restore", new CustomMethod("restore", restore.toString(), false, false, true, false,
        Map.of(), Map.of()));
    NodeConfig n = b.build();
    LocalPostgres pg = new LocalPostgres(n, () -> TestNodes.dynamic(false, Map.of()));

    pg.cloneReplica(null);

    assertThat(support.base.resolve("needs-leader.ran")).as("a method without no_leader").doesNotExist();
    assertThat(Files.readAllLines(support.base.resolve("restore-backup.args"))).containsExactly(
        "--scope=" + TestNodes.SCOPE, "--datadir=" + n.postgresql().dataDir(), "--role=replica", "--connstring=");
    pg.startReplica(null);
    PgState s = pg.probe();
    assertThat(s.isReplica()).isTrue();
    assertThat(s.upstream()).isEmpty();
    pg.stop(StopMode.FAST);
  }

  @Test
  void withoutALeaderAndNoNoLeaderMethodTheErrorSaysSo() throws Exception {
    TestNodes.Builder b = support.node("no-leader-none");
    LocalPostgres pg = new LocalPostgres(b.build(), () -> TestNodes.dynamic(false, Map.of()));

    assertThatThrownBy(() -> pg.cloneReplica(null)).isInstanceOf(PostgresException.class)
        .hasMessageContaining("no_leader");
    assertThat(pg.probe().dataDir()).isEqualTo(DataDirState.MISSING);
  }

  /**
   * The reproduction from issue 10: a mistyped data_dir naming a home directory (only dot files) was read as
   * empty, cloned into, and pg_basebackup's clean-up took .ssh/authorized_keys with it.
   */
  @Test
  void aDataDirectoryHoldingOnlyDotFilesIsNeitherClonedIntoNorEmptied() throws Exception {
    TestNodes.Builder b = support.node("home-like");
    Path data = PgTestSupport.homeLike(b.dataDir());
    LocalPostgres pg = new LocalPostgres(b.build(), () -> TestNodes.dynamic(false, Map.of()));
    PgState.DataDirState before = pg.probe().dataDir();

    Throwable clone = org.assertj.core.api.Assertions.catchThrowable(() -> pg.cloneReplica(srcUp));

    assertThat(data.resolve(".ssh").resolve("authorized_keys")).as("the user's file after the clone attempt")
        .hasContent("ssh-ed25519 AAAA alice@laptop");
    assertThat(data.resolve(".bashrc")).exists();
    assertThat(data.resolve("PG_VERSION")).as("nothing was cloned into it").doesNotExist();
    assertThat(before).as("a directory with files is not empty").isNotIn(DataDirState.EMPTY, DataDirState.MISSING);
    assertThat(clone).isInstanceOf(PostgresException.class)
        .hasMessageContaining("postgresql.data_dir " + data + " is not empty and holds no PostgreSQL cluster");
    assertThatThrownBy(pg::bootstrap).isInstanceOf(PostgresException.class)
        .hasMessageStartingWith("bootstrap: postgresql.data_dir " + data + " is not empty");
    assertThatThrownBy(() -> pg.moveDataDirectoryAside("diverged timelines")).isInstanceOf(PostgresException.class)
        .hasMessageContaining("holds no PostgreSQL cluster");
    try (var entries = Files.list(data)) {
      assertThat(entries.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(".ssh", ".bashrc");
    }
  }

  @Test
  void aWrongPasswordIsReportedWithoutAnyPassword() throws Exception {
    TestNodes.Builder b = support.node("bad-password");
    b.replication = Credentials.of(TestNodes.REPLICATION, "Wrong-pw-000");
    LocalPostgres pg = new LocalPostgres(b.build(), () -> TestNodes.dynamic(false, Map.of()));

    assertThatThrownBy(() -> pg.cloneReplica(srcUp))
        .hasMessageContaining("pg_basebackup failed")
        .hasMessageContaining("password authentication failed for user \"replicator\"")
        .hasMessageNotContaining("Wrong-pw-000")
        .satisfies(e -> assertNoSecrets(e.getMessage()));
  }

  @Test
  void secretsAScriptPrintsAreMaskedInTheError() throws Exception {
    Path leaky = script("leaky.sh", "cat \"$PGPASSFILE\"\nexit 2\n");
    TestNodes.Builder b = support.node("leaky");
    b.createReplicaMethods.add("leaky");
    b.replicaMethods.put("leaky", TestNodes.method("leaky", leaky.toString(), false, Map.of()));
    LocalPostgres pg = new LocalPostgres(b.build(), () -> TestNodes.dynamic(false, Map.of()));

    assertThatThrownBy(() -> pg.cloneReplica(srcUp))
        .hasMessageContaining("replica method leaky failed (exit 2)")
        .hasMessageContaining("*:*:*:replicator:" + Redactor.MASK)
        .satisfies(e -> assertNoSecrets(e.getMessage()));
  }

  @Test
  void aServerThatCannotStartNamesTheOperationTheRejectedSettingAndShowsItsLog() throws Exception {
    TestNodes.Builder b = support.node("bad-param");
    java.util.concurrent.atomic.AtomicReference<Map<String, String>> dynamic = new java.util.concurrent.atomic
        .AtomicReference<>(Map.of());
    LocalPostgres pg = new LocalPostgres(b.build(), () -> TestNodes.dynamic(false, dynamic.get()));
    pg.bootstrap();
    dynamic.set(Map.of("work_mem", "lots"));

    assertThatThrownBy(() -> pg.startPrimary(1)).isInstanceOf(PostgresException.class)
        .hasMessageStartingWith("start primary failed (pg_ctl exit 1): PostgreSQL rejected the setting work_mem = "
            + "'lots' (parameters of the dynamic configuration): invalid value for parameter \"work_mem\": "
            + "\"lots\". Fix or remove it")
        .hasMessageContaining("configuration file")
        .satisfies(e -> assertNoSecrets(e.getMessage()));
    assertThat(pg.probe().running()).isFalse();
  }

  @Test
  void aBootstrapWhoseServerCannotStartNamesTheSettingAndLeavesNothingRunning() throws Exception {
    TestNodes.Builder b = support.node("bad-local-param").parameter("shared_buffers", "lots");
    NodeConfig n = b.build();
    LocalPostgres pg = new LocalPostgres(n, () -> TestNodes.dynamic(false, Map.of()));

    assertThatThrownBy(pg::bootstrap).isInstanceOf(PostgresException.class)
        .hasMessageStartingWith("bootstrap: private start of the new cluster failed (pg_ctl exit 1): PostgreSQL "
            + "rejected the setting shared_buffers = 'lots' (postgresql.parameters): invalid value for parameter "
            + "\"shared_buffers\": \"lots\"");
    assertThat(PostmasterPid.running(n.postgresql().dataDir())).isEmpty();
    assertThat(pg.probe().dataDir()).as("marked: never started for clients")
        .isEqualTo(DataDirState.BOOTSTRAP_INCOMPLETE);
    pg.moveDataDirectoryAside("test");
    assertThat(pg.probe().dataDir()).isEqualTo(DataDirState.MISSING);
  }

  @Test
  void aCustomBootstrapOfAClusterWithOtherPasswordsEndsWithTheConfiguredOnes() throws Exception {
    Path pw = support.base.resolve("other.pw");
    Files.writeString(pw, "another-clusters-password\n");
    // Another cluster's copy: its superuser has another password, and its pg_hba.conf asks for it.
    Path restore = script("other.sh", PARSE_ARGS + BIN + "/initdb -D \"$datadir\" -U postgres -N --pwfile=" + pw
        + " --auth-local=scram-sha-256 --auth-host=scram-sha-256 >/dev/null || exit 1\n");
    TestNodes.Builder b = support.node("from-other");
    b.bootstrapMethod = java.util.Optional.of("other");
    b.bootstrapMethods.put("other", TestNodes.method("other", restore.toString(), false, Map.of()));
    NodeConfig n = b.build();
    LocalPostgres pg = new LocalPostgres(n, () -> TestNodes.dynamic(false, Map.of()));

    pg.bootstrap();
    assertThat(PostmasterPid.running(n.postgresql().dataDir())).as("left stopped").isEmpty();
    pg.startPrimary(2);

    assertThat(pg.probe().isPrimary()).isTrue();
    assertThat(queryString(n, "SELECT count(*) FROM pg_roles WHERE rolname IN ('replicator', 'rewinder')"))
        .isEqualTo("2");
    pg.stop(StopMode.FAST);
  }

  @Test
  void settingsRenamedSincePostgresql12AreConvertedAsPatroniDoes() throws Exception {
    TestNodes.Builder b = support.node("renamed");
    NodeConfig n = b.build();
    // A configuration written for PostgreSQL 12: PostgreSQL 15 refuses to start with wal_keep_segments.
    LocalPostgres pg = new LocalPostgres(n, () -> TestNodes.dynamic(false, Map.of("wal_keep_segments", "4",
        "wal_level", "hot_standby")));
    pg.bootstrap();
    pg.startPrimary(1);
    assertThat(queryString(n, "SHOW wal_keep_size")).isEqualTo("64MB");
    assertThat(queryString(n, "SHOW wal_level")).isEqualTo("replica");
    pg.stop(StopMode.FAST);
  }

  /**
   * Issue 17: settings PostgreSQL 15 does not know at all (removed long ago, like checkpoint_segments) are left
   * out with one warning naming them, as Patroni drops what {@code postgres --describe-config} does not list;
   * PostgreSQL would refuse to start, on every node at once. Settings the server knows but hides from
   * --describe-config (trace_sort) and extension settings (with a dot) are kept.
   */
  @Test
  void settingsPostgresqlDoesNotKnowAreLeftOutWithOneWarning() throws Exception {
    TestNodes.Builder b = support.node("unknown-settings").parameter("replacement_sort_tuples", "150000")
        .parameter("trace_sort", "on").parameter("pgq_test.custom", "kept");
    NodeConfig n = b.build();
    LocalPostgres pg = new LocalPostgres(n, () -> TestNodes.dynamic(false, Map.of("checkpoint_segments", "16",
        "work_mem", "8MB")));
    pg.bootstrap();
    pg.startPrimary(1);
    assertThat(queryString(n, "SHOW work_mem")).isEqualTo("8MB");
    assertThat(queryString(n, "SHOW trace_sort")).isEqualTo("on");
    assertThat(queryString(n, "SHOW pgq_test.custom")).isEqualTo("kept");
    assertThat(queryString(n, "SELECT count(*) FROM pg_settings WHERE name IN ('checkpoint_segments', "
        + "'replacement_sort_tuples')")).isEqualTo("0");
    List<String> warnings = support.logLines().stream().filter(l -> l.contains("checkpoint_segments")).toList();
    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0)).contains("checkpoint_segments (parameters)")
        .contains("replacement_sort_tuples (postgresql.parameters)").doesNotContain("trace_sort")
        .doesNotContain("pgq_test").doesNotContain("150000");
    pg.stop(StopMode.FAST);
  }

  @Test
  void customBootstrapMethodWithRecoverySettings() throws Exception {
    Path pw = support.base.resolve("su.pw");
    Files.writeString(pw, TestNodes.SUPERUSER_PASSWORD + "\n");
    Path restore = script("restore.sh", PARSE_ARGS + "printf '%s\\n' \"$@\" > " + file("restore.args") + "\n"
        + BIN + "/initdb -D \"$datadir\" -U postgres -N --pwfile=" + pw + " >/dev/null || exit 1\n"
        + "touch \"$datadir/standby.signal\"\n");
    TestNodes.Builder b = support.node("restored");
    b.bootstrapMethod = java.util.Optional.of("restore");
    // restore_command fails at once: archive recovery replays the local WAL, ends, and picks timeline 2.
    b.bootstrapMethods.put("restore", new CustomMethod("restore", restore.toString(), false, false, false, false,
        Map.of("restore_command", "/bin/false"), Map.of("label", "nightly")));
    NodeConfig n = b.build();
    LocalPostgres pg = new LocalPostgres(n, () -> TestNodes.dynamic(false, Map.of()));
    Path data = n.postgresql().dataDir();

    pg.bootstrap(); // waits for the end of recovery, privately

    assertThat(Files.readAllLines(support.base.resolve("restore.args")))
        .containsExactly("--scope=" + TestNodes.SCOPE, "--datadir=" + data, "--label=nightly");
    assertThat(data.resolve("standby.signal")).as("keep_existing_recovery_conf is off").doesNotExist();
    assertThat(data.resolve("recovery.signal")).as("the recovery the method asked for has ended").doesNotExist();
    assertThat(pg.probe().timeline()).as("archive recovery ended on a new timeline").isEqualTo(2);

    pg.startPrimary(3);
    PgState s = pg.probe();
    assertThat(s.isPrimary()).isTrue();
    assertThat(s.timeline()).isEqualTo(2);
    assertThat(s.fencingToken()).hasValue(3);
    assertThat(queryString(n, "SHOW restore_command")).as("recovery settings are gone after bootstrap").isEmpty();
    assertThat(data.resolve(ConfigWriter.BOOTSTRAP_PENDING)).doesNotExist();
    pg.stop(StopMode.FAST);
  }

  @Test
  void slotSyncCreatesMissingDropsOnlyItsOwnAndKeepsOthers() throws Exception {
    LocalPostgres pg = new LocalPostgres(src, () -> TestNodes.dynamic(true, Map.of()));
    execute(src, "SELECT pg_create_physical_replication_slot('backup_tool')");
    try {
      pg.syncReplicationSlots(java.util.Set.of("Member-A", "member_b"));
      assertThat(slots()).containsExactly("backup_tool", "member_a", "member_b");

      pg.syncReplicationSlots(java.util.Set.of("member_b"));
      assertThat(slots()).as("only the slot pgquorum created and no longer wants is dropped")
          .containsExactly("backup_tool", "member_b");

      pg.syncReplicationSlots(java.util.Set.of());
      assertThat(slots()).containsExactly("backup_tool");
    } finally {
      execute(src, "SELECT pg_drop_replication_slot('backup_tool')");
    }
  }

  /**
   * The moves a replica cut off from the DCS makes with the slot positions a primary on failsafe sent: forward only,
   * never past the server's position, and nothing created or dropped.
   */
  @Test
  void slotAdvanceOnlyMovesExistingSlotsForward() throws Exception {
    LocalPostgres pg = new LocalPostgres(src, () -> TestNodes.dynamic(true, Map.of()));
    pg.syncReplicationSlots(java.util.Set.of("member_b"));
    try {
      long created = Lsn.parse(queryString(src, "SELECT restart_lsn FROM pg_replication_slots"
          + " WHERE slot_name = 'member_b'"));
      execute(src, "SELECT pg_switch_wal()");
      execute(src, "CREATE TABLE IF NOT EXISTS slot_advance_t (x int); INSERT INTO slot_advance_t VALUES (1)");
      long now = Lsn.parse(queryString(src, "SELECT pg_current_wal_lsn()"));
      assertThat(now).isGreaterThan(created);

      pg.advanceReplicationSlots(Map.of("member_b", created - 1, "member_c", now));
      assertThat(restartLsn("member_b")).as("never moved back").isEqualTo(created);
      assertThat(slots()).as("nothing created").doesNotContain("member_c");

      pg.advanceReplicationSlots(Map.of("member_b", now + 1_000_000_000L));
      assertThat(restartLsn("member_b")).as("moved, but not past the server's position").isGreaterThan(created)
          .isLessThanOrEqualTo(Lsn.parse(queryString(src, "SELECT pg_current_wal_lsn()")));
    } finally {
      pg.syncReplicationSlots(java.util.Set.of());
    }
  }

  private long restartLsn(String slot) throws Exception {
    return Lsn.parse(queryString(src, "SELECT restart_lsn FROM pg_replication_slots WHERE slot_name = '" + slot
        + "'"));
  }

  private List<String> slots() throws Exception {
    try (java.sql.Connection c = PgTestSupport.connect(src); java.sql.Statement s = c.createStatement();
        java.sql.ResultSet r = s.executeQuery("SELECT slot_name FROM pg_replication_slots ORDER BY 1")) {
      List<String> names = new java.util.ArrayList<>();
      while (r.next()) {
        names.add(r.getString(1));
      }
      return names;
    }
  }

  private static void assertNoSecrets(String text) {
    for (String secret : TestNodes.SECRETS) {
      assertThat(text).doesNotContain(secret);
    }
  }
}
