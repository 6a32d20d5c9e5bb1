package io.pgquorum.backrest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

class BackrestSectionTest {
  /** The section as an operator writes it, read by the YAML parser the coordinator uses. */
  private static BackrestSection.Parsed parse(String yaml) {
    Object doc = new Yaml().load(yaml);
    Object section = doc == null ? null : ((java.util.Map<?, ?>) doc).get("backrest");
    return BackrestSection.parse(section, "batman");
  }

  private static List<String> errors(String yaml) {
    BackrestSection.Parsed p = parse(yaml);
    assertThat(p.settings()).as("settings despite errors").isEmpty();
    return p.errors();
  }

  @Test
  void anEmptySectionMeansEveryDefault() {
    BackrestSection.Parsed p = parse("backrest: {}\n");
    assertThat(p.errors()).isEmpty();
    BackrestSettings s = p.settings().orElseThrow();
    assertThat(s.stanza()).isEqualTo("batman");
    assertThat(s.command()).isEqualTo("pgbackrest");
    assertThat(s.repo1()).isEqualTo(new BackrestSettings.Repo(BackrestSettings.RepoType.POSIX,
        Path.of("/var/lib/pgbackrest"), 2));
    assertThat(s.processMax()).isEqualTo(1);
    assertThat(s.options()).isEmpty();
    assertThat(s.schedules().full()).hasToString("weekly sun 01:00");
    assertThat(s.schedules().diff()).hasToString("daily 01:00");
    assertThat(s.schedules().incr().isOff()).isTrue();
    assertThat(s.commandTimeout()).isEqualTo(Duration.ofSeconds(120));
    assertThat(s.backupTimeout()).isEqualTo(Duration.ofHours(12));
    assertThat(s.restoreTimeout()).isEqualTo(Duration.ofHours(12));
  }

  @Test
  void everyKeySet() {
    BackrestSettings s = parse("""
        backrest:
          stanza: main-db
          command: /usr/bin/pgbackrest
          repo1: {type: posix, path: /mnt/nfs/repo, retention-full: 4}
          process-max: 3
          options:
            compress-type: zst
            archive-async: true
            repo1-cipher-pass: "s3cret"
            db-exclude: [scratch, tmp]
          schedule: {full: weekly sat 23:30, diff: off, incr: every 4h}
          command_timeout: 60
          backup_timeout: 3600
          restore_timeout: 7200
          info_interval: 30
        """).settings().orElseThrow();
    assertThat(s.stanza()).isEqualTo("main-db");
    assertThat(s.command()).isEqualTo("/usr/bin/pgbackrest");
    assertThat(s.repo1().path()).isEqualTo(Path.of("/mnt/nfs/repo"));
    assertThat(s.repo1().retentionFull()).isEqualTo(4);
    assertThat(s.processMax()).isEqualTo(3);
    // YAML's true reaches pgBackRest as y; lists become repeated options; order as written.
    assertThat(s.options()).containsExactly(
        java.util.Map.entry("compress-type", List.of("zst")), java.util.Map.entry("archive-async", List.of("y")),
        java.util.Map.entry("repo1-cipher-pass", List.of("s3cret")),
        java.util.Map.entry("db-exclude", List.of("scratch", "tmp")));
    assertThat(s.schedules().full()).hasToString("weekly sat 23:30");
    assertThat(s.schedules().diff().isOff()).as("unquoted off (YAML false)").isTrue();
    assertThat(s.schedules().incr()).hasToString("every 4h");
    assertThat(s.commandTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(s.backupTimeout()).isEqualTo(Duration.ofSeconds(3600));
    assertThat(s.restoreTimeout()).isEqualTo(Duration.ofSeconds(7200));
    assertThat(s.infoInterval()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void everyProblemIsReportedWithItsKey() {
    assertThat(errors("""
        backrest:
          stanza: "a b"
          command: bin/pgbackrest
          repo1: {type: s3, path: relative/repo, retention-full: 0}
          process-max: many
          schedule: {full: "cron 0 1 * * 0", incr: every 0m}
          command_timeout: 5
          backup_timeout: 1000000
          restore_timeout: 1.5
          info_interval: 2
          retention: 3
        """)).containsExactlyInAnyOrder(
        "backrest.retention: unknown key (known: after_promotion, backup_timeout, command, command_timeout, "
            + "info_interval, options, process-max, repo1, restore_timeout, schedule, stanza)",
        "backrest.stanza: must be 1-64 letters, digits, ., _, -, got \"a b\"",
        "backrest.command: must be an absolute path or a program name, got \"bin/pgbackrest\"",
        "backrest.repo1.type: must be posix (the only repository type pgquorum tests so far), got \"s3\"",
        "backrest.repo1.path: must be an absolute path (every node must name the same place), got \"relative/repo\"",
        "backrest.repo1.retention-full: must be a whole number from 1 to 9999999 (full backups), got 0",
        "backrest.process-max: must be a whole number from 1 to 999 (processes), got \"many\"",
        "backrest.schedule.full: must be off, every <n>m|h|d, daily HH:MM or weekly <mon..sun> HH:MM (UTC), "
            + "got \"cron 0 1 * * 0\"",
        "backrest.schedule.incr: must be an interval from 1 minute to 366 days, got \"every 0m\"",
        "backrest.command_timeout: must be a whole number from 10 to 86400 (seconds), got 5",
        "backrest.backup_timeout: must be a whole number from 60 to 604800 (seconds), got 1000000",
        "backrest.restore_timeout: must be a whole number from 60 to 604800 (seconds), got 1.5",
        "backrest.info_interval: must be a whole number from 5 to 86400 (seconds), got 2");
  }

  @Test
  void optionsPgquorumWritesItselfAreRefusedWithTheKeyToUse() {
    assertThat(errors("""
        backrest:
          options:
            pg1-path: /data
            pg2-host: other
            repo1-path: /x
            repo2-type: s3
            lock-path: /tmp
            Compress_Type: zst
            compress-level: {a: 1}
        """)).containsExactly(
        "backrest.options.pg1-path: is written by pgquorum itself; each node's file names its own PostgreSQL "
            + "(data directory, port, socket) as pg1",
        "backrest.options.pg2-host: is written by pgquorum itself; each node's file names its own PostgreSQL "
            + "(data directory, port, socket) as pg1",
        "backrest.options.repo1-path: is written by pgquorum itself; use backrest.repo1.path",
        "backrest.options.repo2-type: is written by pgquorum itself; only repo1 is supported",
        "backrest.options.lock-path: is written by pgquorum itself; it lies in the node's own directory",
        "backrest.options.Compress_Type: is not a pgBackRest option name (lower case words joined by '-', e.g. "
            + "compress-type)",
        "backrest.options.compress-level: must be a scalar without line breaks or a list of them, got a mapping");
  }

  @Test
  void backupPlanningKeysParseWithTheirDefaultsAndNameTheirErrors() {
    BackrestSettings dflt = BackrestSection.parse(java.util.Map.of(), "s").settings().orElseThrow();
    assertThat(dflt.catchUp()).isEqualTo(java.time.Duration.ofHours(1));
    assertThat(dflt.afterPromotion()).isEqualTo(new BackrestSettings.AfterPromotion(true,
        java.util.Optional.of(BackupType.INCR)));
    BackrestSettings set = BackrestSection.parse(java.util.Map.of("schedule", java.util.Map.of("catch_up", 0),
        "after_promotion", java.util.Map.of("check", false, "backup", "off")), "s").settings().orElseThrow();
    assertThat(set.catchUp()).isZero();
    assertThat(set.afterPromotion()).isEqualTo(new BackrestSettings.AfterPromotion(false, java.util.Optional.empty()));
    assertThat(errors("""
        backrest:
          schedule: {catch_up: -1}
          after_promotion: {check: maybe, backup: snapshot, when: now}
        """)).containsExactlyInAnyOrder(
        "backrest.schedule.catch_up: must be a whole number from 0 to 31622400 (seconds), got -1",
        "backrest.after_promotion.when: unknown key (known: backup, check)",
        "backrest.after_promotion.check: must be on or off, got \"maybe\"",
        "backrest.after_promotion.backup: must be incr, diff, full or off, got \"snapshot\"");
  }

  @Test
  void aSectionOfTheWrongShapeNamesItself() {
    assertThat(errors("backrest: yes\n")).containsExactly("backrest: must be a mapping, got true");
    assertThat(errors("backrest: {repo1: /var/lib/pgbackrest}\n"))
        .containsExactly("backrest.repo1: must be a mapping, got \"/var/lib/pgbackrest\"");
    assertThat(errors("backrest: {schedule: {full: 7, weekly: sun}}\n")).containsExactlyInAnyOrder(
        "backrest.schedule.weekly: unknown key (known: catch_up, diff, full, incr)",
        "backrest.schedule.full: must be off, every <n>m|h|d, daily HH:MM or weekly <mon..sun> HH:MM (UTC), got 7");
  }

  @Test
  void aSecretOptionValueNeverAppearsInAnError() {
    List<String> errs = errors("backrest: {options: {repo1-cipher-pass: \"top-s3cret\\nsecond line\"}}\n");
    assertThat(errs).containsExactly("backrest.options.repo1-cipher-pass: must be a scalar without line breaks or "
        + "a list of them, got a hidden value");
  }
}
