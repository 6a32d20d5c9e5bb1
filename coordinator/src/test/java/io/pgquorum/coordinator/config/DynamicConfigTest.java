package io.pgquorum.coordinator.config;

import static io.pgquorum.coordinator.config.TestConfigs.list;
import static io.pgquorum.coordinator.config.TestConfigs.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** parseDynamic / toMap: bootstrap.dcs and the DCS config key. */
class DynamicConfigTest {

  private static DynamicConfig parse(Map<String, Object> raw, List<String> warnings) {
    return ConfigLoader.parseDynamic(raw, "config", warnings);
  }

  @Test
  void nullAndEmptyMeanDefaults() {
    List<String> warnings = new ArrayList<>();
    DynamicConfig fromNull = parse(null, warnings);
    DynamicConfig fromEmpty = parse(Map.of(), warnings);
    assertThat(warnings).isEmpty();
    assertThat(fromNull).isEqualTo(fromEmpty);
    assertThat(fromNull.ttl()).isEqualTo(TimingDefaults.TTL);
    assertThat(fromNull.loopWait()).isEqualTo(TimingDefaults.LOOP_WAIT);
    assertThat(fromNull.retryTimeout()).isEqualTo(TimingDefaults.RETRY_TIMEOUT);
    assertThat(fromNull.maximumLagOnFailover()).isEqualTo(TimingDefaults.MAXIMUM_LAG_ON_FAILOVER);
    assertThat(fromNull.primaryStartTimeout()).isEqualTo(TimingDefaults.PRIMARY_START_TIMEOUT);
    assertThat(fromNull.usePgRewind()).isFalse();
    assertThat(fromNull.useSlots()).isTrue();
    assertThat(fromNull.ttl()).isEqualTo(java.time.Duration.ofSeconds(5));
    // The defaults themselves satisfy the invariant.
    assertThat(TimingDefaults.LOOP_WAIT.plus(TimingDefaults.RETRY_TIMEOUT.multipliedBy(2)))
        .isLessThanOrEqualTo(TimingDefaults.TTL);
  }

  /**
   * Issue 17 item 9: recovery_conf was only warned about. Now it is read (dynamic and local), a name that is no
   * recovery parameter is refused, and what a replica never takes from it is said once, at load time.
   */
  @Test
  void recoveryConfIsReadDynamicallyAndLocally() {
    List<String> warnings = new ArrayList<>();
    DynamicConfig c = parse(map("postgresql", map("recovery_conf", map("restore_command",
        "pgbackrest --stanza=main archive-get %f \"%p\"", "recovery_min_apply_delay", 0,
        "recovery_target_lsn", "0/3000000"))), warnings);
    assertThat(c.recoveryConf()).containsOnly(entry("restore_command", "pgbackrest --stanza=main archive-get %f "
        + "\"%p\""), entry("recovery_min_apply_delay", "0"), entry("recovery_target_lsn", "0/3000000"));
    assertThat(warnings).singleElement().asString().startsWith("config.postgresql.recovery_conf.recovery_target_lsn")
        .contains("ignored for replicas");
    assertThat(parse(ConfigLoader.toMap(c), new ArrayList<>()).recoveryConf()).as("round trip")
        .isEqualTo(c.recoveryConf());
    assertThatThrownBy(() -> parse(map("postgresql", map("recovery_conf", map("work_mem", "8MB"))),
        new ArrayList<>())).isInstanceOf(ConfigException.class)
        .hasMessageContaining("config.postgresql.recovery_conf.work_mem: is not a recovery parameter");

    Map<String, Object> tree = TestConfigs.minimal();
    TestConfigs.set(tree, "postgresql.recovery_conf", map("restore_command", "cp /archive/%f %p",
        "primary_conninfo", "host=x"));
    NodeConfig node = TestConfigs.parse(tree);
    assertThat(node.postgresql().recoveryConf()).containsEntry("restore_command", "cp /archive/%f %p");
    assertThat(node.warnings()).anyMatch(w -> w.startsWith("postgresql.recovery_conf.primary_conninfo")
        && w.contains("ignored")).noneMatch(w -> w.contains("restore_command"));
  }

  /**
   * The recovery_conf of the Patroni + pgBackRest posts (recovery_target_timeline: latest next to restore_command)
   * is what every replica runs with anyway: no warning that it is ignored. Another timeline is still warned about.
   */
  @Test
  void latestTimelineInRecoveryConfIsNotWarnedAbout() {
    List<String> warnings = new ArrayList<>();
    DynamicConfig c = parse(map("postgresql", map("recovery_conf", map("recovery_target_timeline", "latest",
        "restore_command", "pgbackrest --stanza=demo archive-get %f \"%p\""))), warnings);
    assertThat(c.recoveryConf()).containsEntry("recovery_target_timeline", "latest");
    assertThat(warnings).isEmpty();
    parse(map("postgresql", map("recovery_conf", map("recovery_target_timeline", "3"))), warnings);
    assertThat(warnings).singleElement().asString().contains("recovery_target_timeline").contains("ignored");
  }

  @Test
  void valuesArrivingAsJsonTextAreAccepted() {
    Map<String, Object> raw = map("ttl", "12", "loop_wait", 2.0, "retry_timeout", "3",
        "maximum_lag_on_failover", "33554432", "primary_start_timeout", 0,
        "postgresql", map("use_pg_rewind", "on", "use_slots", "false",
            "parameters", map("max_connections", 100, "hot_standby", true, "wal_level", "logical", "gone", null),
            "pg_hba", list("host all all 0.0.0.0/0 md5")));
    DynamicConfig c = parse(raw, new ArrayList<>());
    assertThat(List.of(c.ttl().toMillis(), c.loopWait().toMillis(), c.retryTimeout().toMillis(),
        c.primaryStartTimeout() * 1000L)).containsExactly(12_000L, 2_000L, 3_000L, 0L);
    assertThat(c.maximumLagOnFailover()).isEqualTo(33_554_432L);
    assertThat(c.usePgRewind()).isTrue();
    assertThat(c.useSlots()).isFalse();
    assertThat(c.parameters()).containsOnly(entry("max_connections", "100"), entry("hot_standby", "on"),
        entry("wal_level", "logical"));
    assertThat(c.pgHba()).containsExactly("host all all 0.0.0.0/0 md5");
  }

  @Test
  void theLegacyStartTimeoutNameCountsWhenTheNewOneIsAbsent() {
    assertThat(parse(map("master_start_timeout", 30), new ArrayList<>()).primaryStartTimeout()).isEqualTo(30);
    assertThat(parse(map("master_start_timeout", 30, "primary_start_timeout", 40), new ArrayList<>())
        .primaryStartTimeout()).isEqualTo(40);
  }

  /** ttl, loop_wait, retry_timeout as written; as used; which keys were reported as lowered. */
  @ParameterizedTest(name = "ttl={0} loop_wait={1} retry_timeout={2} -> loop_wait={3} retry_timeout={4}")
  @CsvSource({
      "30, 10, 10, 10, 10, ''",
      "8,  10,  2,  4,  2, loop_wait",
      "8,   1, 10,  1,  3, retry_timeout",
      "10,  5,  5,  1,  4, loop_wait retry_timeout",
      "4,   3,  3,  1,  1, loop_wait retry_timeout",
      "5,   1,  2,  1,  2, ''",
  })
  void theTimingInvariantIsRepairedLoopWaitFirst(int ttl, int loopWait, int retry, int expectedLoop,
      int expectedRetry, String lowered) {
    List<String> warnings = new ArrayList<>();
    DynamicConfig c = ConfigLoader.parseDynamic(map("ttl", ttl, "loop_wait", loopWait, "retry_timeout", retry),
        "bootstrap.dcs", warnings);

    assertThat(c.ttl()).isEqualTo(java.time.Duration.ofSeconds(ttl));
    assertThat(c.loopWait()).isEqualTo(java.time.Duration.ofSeconds(expectedLoop));
    assertThat(c.retryTimeout()).isEqualTo(java.time.Duration.ofSeconds(expectedRetry));
    assertThat(c.loopWait().plus(c.retryTimeout().multipliedBy(2))).isLessThanOrEqualTo(c.ttl());
    List<String> expected = new ArrayList<>();
    if (lowered.contains("loop_wait")) {
      expected.add("bootstrap.dcs.loop_wait: lowered from " + loopWait + " to " + expectedLoop);
    }
    if (lowered.contains("retry_timeout")) {
      expected.add("bootstrap.dcs.retry_timeout: lowered from " + retry + " to " + expectedRetry);
    }
    assertThat(warnings).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      assertThat(warnings.get(i)).startsWith(expected.get(i)).contains("loop_wait + 2*retry_timeout <= ttl")
          .contains("before its lease expires");
    }
  }

  @Test
  void theAdjustmentWarningReachesTheNodeConfig() {
    Map<String, Object> tree = TestConfigs.minimal();
    TestConfigs.set(tree, "bootstrap.dcs", map("ttl", 8, "loop_wait", 10, "retry_timeout", 2));
    NodeConfig c = TestConfigs.parse(tree);
    assertThat(c.bootstrap().dcs().loopWait()).isEqualTo(java.time.Duration.ofSeconds(4));
    assertThat(c.warnings()).singleElement().asString().isEqualTo("bootstrap.dcs.loop_wait: lowered from 10 to 4 "
        + "so that loop_wait + 2*retry_timeout <= ttl (ttl 8, retry_timeout 2): a primary must be able to retry a "
        + "failed lease refresh and still demote before its lease expires");
  }

  /** Failsafe mode needs loop_wait + 2*retry_timeout + the round's timeout within ttl (README, "Failsafe mode"). */
  @Test
  void failsafeModeWarnsWhenTtlLeavesNoTimeForARound() {
    Map<String, Object> tree = TestConfigs.minimal();
    TestConfigs.set(tree, "bootstrap.dcs", map("ttl", 8, "loop_wait", 3, "retry_timeout", 2, "failsafe_mode", true));
    assertThat(TestConfigs.parse(tree).warnings()).singleElement().asString().isEqualTo("bootstrap.dcs.failsafe_mode: "
        + "ttl 8 leaves no time for a failsafe round: loop_wait + 2*retry_timeout + 2 s (the round's timeout) = 9 s "
        + "is more than ttl, so a primary without the DCS stops at its lease deadline before its members' answers "
        + "can extend it; raise ttl");
    // The defaults (ttl 5, loop_wait 1, retry_timeout 1) leave the round its 1 s (min(2 s, retry_timeout)), and 1 s;
    // so does ttl 8 with them; without failsafe mode, no warning.
    TestConfigs.set(tree, "bootstrap.dcs", map("failsafe_mode", true));
    assertThat(TestConfigs.parse(tree).warnings()).isEmpty();
    TestConfigs.set(tree, "bootstrap.dcs", map("ttl", 8, "failsafe_mode", true));
    assertThat(TestConfigs.parse(tree).warnings()).isEmpty();
    TestConfigs.set(tree, "bootstrap.dcs", map("ttl", 8, "loop_wait", 3, "retry_timeout", 2));
    assertThat(TestConfigs.parse(tree).warnings()).isEmpty();
  }

  @Test
  void errorsNameThePrefixAndAreAllCollected() {
    assertThatThrownBy(() -> parse(map("ttl", 3, "loop_wait", "x", "postgresql", map("use_slots", 7)),
        new ArrayList<>()))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
            "config.ttl: must be at least 4 seconds, got 3 (a shorter lease cannot be refreshed reliably on a busy "
                + "machine, and every hiccup would become a failover)",
            "config.loop_wait: must be a number of seconds (at most 3 decimals), got \"x\"",
            "config.postgresql.use_slots: must be a boolean (true/false, on/off, yes/no), got 7"));
  }

  @Test
  void timingKeysAcceptFractionsToTheMillisecondAndKeepIntegersIntegers() throws Exception {
    List<String> warnings = new ArrayList<>();
    DynamicConfig c = parse(map("ttl", 4.5, "loop_wait", "0.25", "retry_timeout", 1.125), warnings);
    assertThat(warnings).isEmpty();
    assertThat(c.ttl()).isEqualTo(java.time.Duration.ofMillis(4_500));
    assertThat(c.loopWait()).isEqualTo(java.time.Duration.ofMillis(250));
    assertThat(c.retryTimeout()).isEqualTo(java.time.Duration.ofMillis(1_125));
    ObjectMapper json = new ObjectMapper();
    String text = json.writeValueAsString(ConfigLoader.toMap(c));
    assertThat(text).contains("\"ttl\":4.5").contains("\"loop_wait\":0.25").contains("\"retry_timeout\":1.125");
    DynamicConfig again = parse(json.readValue(text, new TypeReference<Map<String, Object>>() {}), warnings);
    assertThat(List.of(again.ttl(), again.loopWait(), again.retryTimeout()))
        .containsExactly(c.ttl(), c.loopWait(), c.retryTimeout());
    // Patroni's integers stay integers on the way out (8, not 8.0), also when written as 8.0.
    String whole = json.writeValueAsString(ConfigLoader.toMap(parse(map("ttl", 8.0, "loop_wait", 1), warnings)));
    assertThat(whole).contains("\"ttl\":8,").contains("\"loop_wait\":1,");
  }

  @Test
  void fractionalTimingOutsideItsRangeOrPrecisionNamesTheKey() {
    assertThatThrownBy(() -> parse(map("ttl", 3.999, "loop_wait", 0.05, "retry_timeout", 1.0005), new ArrayList<>()))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
            "config.ttl: must be at least 4 seconds, got 3.999 (a shorter lease cannot be refreshed reliably on a "
                + "busy machine, and every hiccup would become a failover)",
            "config.loop_wait: must be at least 0.1 seconds, got 0.05",
            "config.retry_timeout: must be a number of seconds (at most 3 decimals), got 1.0005"));
    assertThatThrownBy(() -> parse(map("retry_timeout", -2.5, "loop_wait", true), new ArrayList<>()))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
            "config.loop_wait: must be a number of seconds (at most 3 decimals), got boolean true",
            "config.retry_timeout: must be at least 1 seconds, got -2.5"));
  }

  @Test
  void theInvariantIsRepairedToTheMillisecondWhenTheValuesHaveFractions() {
    List<String> warnings = new ArrayList<>();
    DynamicConfig c = parse(map("ttl", 4.5, "loop_wait", 2, "retry_timeout", 1.5), warnings);
    assertThat(c.loopWait()).isEqualTo(java.time.Duration.ofMillis(1_500));
    assertThat(warnings).singleElement().asString().startsWith("config.loop_wait: lowered from 2 to 1.5 so that "
        + "loop_wait + 2*retry_timeout <= ttl (ttl 4.5, retry_timeout 1.5)");
    warnings.clear();
    // A loop_wait already under Patroni's floor of 1 s is never raised to it: retry_timeout gives way instead.
    DynamicConfig r = parse(map("ttl", 5, "loop_wait", 0.5, "retry_timeout", 2.5), warnings);
    assertThat(List.of(r.loopWait(), r.retryTimeout()))
        .containsExactly(java.time.Duration.ofMillis(500), java.time.Duration.ofMillis(2_250));
    assertThat(warnings).singleElement().asString()
        .startsWith("config.retry_timeout: lowered from 2.5 to 2.25 so that");
  }

  @Test
  void unsupportedKeysWarnOnlyWhenTheyWouldChangeSomethingAndStayInRaw() {
    List<String> warnings = new ArrayList<>();
    DynamicConfig c = parse(map("synchronous_mode", true, "failsafe_mode", false, "synchronous_node_count", 1,
        "pause", true, "standby_cluster", map("host", "10.0.0.9"), "postgresql", map("pg_ident", list("x y z"),
            "use_slot", true), "my_own_key", "kept"), warnings);
    assertThat(warnings).containsExactly(
        "config.postgresql.pg_ident: is not supported by pgquorum and is ignored",
        "config.postgresql.use_slot: unknown key, ignored (did you mean use_slots?)",
        "config.my_own_key: unknown key, ignored");
    assertThat(c.raw()).containsEntry("synchronous_mode", true).containsEntry("pause", true)
        .containsEntry("my_own_key", "kept").containsKey("standby_cluster");
    // standby_cluster is supported now (a standby cluster): read, not warned about.
    assertThat(c.standbyCluster()).hasValueSatisfying(sc -> assertThat(sc.host()).contains("10.0.0.9"));
  }

  @Test
  void rawIsImmutableAllTheWayDown() {
    Map<String, Object> nested = map("parameters", map("work_mem", "4MB"));
    Map<String, Object> raw = map("postgresql", nested);
    DynamicConfig c = parse(raw, new ArrayList<>());
    nested.put("use_slots", false); // the caller's map is not shared
    @SuppressWarnings("unchecked")
    Map<String, Object> pg = (Map<String, Object>) c.raw().get("postgresql");
    assertThat(pg).doesNotContainKey("use_slots");
    assertThatThrownBy(() -> pg.put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void toMapWritesInterpretedValuesOverRawAndKeepsTheRest() {
    Map<String, Object> raw = map("ttl", "20", "loop_wait", 30, "retry_timeout", 2, "pause", true,
        "custom", map("a", 1),
        "postgresql", map("parameters", map("hot_standby", true, "max_connections", 50), "pg_ident", list("x")));
    DynamicConfig c = parse(raw, new ArrayList<>());

    Map<String, Object> out = ConfigLoader.toMap(c);

    assertThat(out).containsEntry("ttl", 20).containsEntry("loop_wait", 16).containsEntry("retry_timeout", 2)
        .containsEntry("maximum_lag_on_failover", TimingDefaults.MAXIMUM_LAG_ON_FAILOVER)
        .containsEntry("primary_start_timeout", TimingDefaults.PRIMARY_START_TIMEOUT)
        .containsEntry("pause", true).containsEntry("custom", map("a", 1));
    assertThat(out.get("postgresql")).isEqualTo(map("parameters", Map.of("hot_standby", "on",
        "max_connections", "50"), "pg_ident", list("x"), "use_pg_rewind", false, "use_slots", true));
    out.put("mutable", true); // a fresh map, free to change
  }

  @Test
  void toMapRoundTripsThroughJson() throws Exception {
    DynamicConfig c = parse(map("ttl", 10, "loop_wait", 2, "retry_timeout", 3, "primary_start_timeout", 60,
        "maximum_lag_on_failover", 5_000_000_000L, "failsafe_mode", false,
        "postgresql", map("use_pg_rewind", true, "parameters", map("wal_level", "replica", "max_wal_senders", 5),
            "pg_hba", list("local all all trust"))), new ArrayList<>());
    ObjectMapper json = new ObjectMapper();

    String text = json.writeValueAsString(ConfigLoader.toMap(c));
    Map<String, Object> back = json.readValue(text, new TypeReference<Map<String, Object>>() {});
    DynamicConfig again = parse(back, new ArrayList<>());

    assertThat(again.ttl()).isEqualTo(c.ttl());
    assertThat(again.loopWait()).isEqualTo(c.loopWait());
    assertThat(again.retryTimeout()).isEqualTo(c.retryTimeout());
    assertThat(again.primaryStartTimeout()).isEqualTo(c.primaryStartTimeout());
    assertThat(again.maximumLagOnFailover()).isEqualTo(5_000_000_000L);
    assertThat(again.usePgRewind()).isEqualTo(c.usePgRewind());
    assertThat(again.useSlots()).isEqualTo(c.useSlots());
    assertThat(again.parameters()).isEqualTo(c.parameters());
    assertThat(again.pgHba()).isEqualTo(c.pgHba());
    assertThat(again.raw()).containsEntry("failsafe_mode", false);
    // A second trip changes nothing: the text is stable (parameters sorted).
    assertThat(json.writeValueAsString(ConfigLoader.toMap(again))).isEqualTo(text);
  }
}
