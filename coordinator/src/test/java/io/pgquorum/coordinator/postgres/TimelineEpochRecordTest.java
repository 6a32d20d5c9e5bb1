package io.pgquorum.coordinator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The record of a data directory's timeline epoch next to it (docs/findings/same-timeline-forks.md): applies only to
 * data of the same system identifier and timeline; a damaged file is a clear error naming the file and the field,
 * and for the probe an unknown epoch, never a failure.
 */
class TimelineEpochRecordTest {
  private static final Optional<String> SYSID = Optional.of("7312345678901234567");

  @TempDir
  Path tmp;

  private TimelineEpochRecord record() {
    return TimelineEpochRecord.of(tmp.resolve("pgdata"));
  }

  @Test
  void livesNextToTheDataDirectoryAndRoundTrips() {
    TimelineEpochRecord r = record();
    assertThat(r.file()).isEqualTo(tmp.resolve("pgdata.timeline-epoch"));
    assertThat(r.epochFor(SYSID, 3)).isEmpty(); // no file: unknown
    r.write(SYSID.get(), new TimelineEpoch(3, 41));
    assertThat(r.epochFor(SYSID, 3)).hasValue(41);
    assertThat(tmp.resolve("pgdata.timeline-epoch.tmp")).doesNotExist();
    r.write(SYSID.get(), new TimelineEpoch(4, 57)); // replaced as a whole
    assertThat(r.epochFor(SYSID, 4)).hasValue(57);
    assertThat(r.epochFor(SYSID, 3)).isEmpty();
  }

  @Test
  void keepsTheEpochsOfEveryTimelineOfTheLine() throws Exception {
    TimelineEpochRecord r = record();
    TimelineEpochLine line = new TimelineEpochLine(List.of(new TimelineEpoch(2, 61), new TimelineEpoch(3, 70)));
    r.write(SYSID.get(), line);
    assertThat(r.read()).contains(new TimelineEpochRecord.Entry(SYSID.get(), line));
    assertThat(r.lineFor(SYSID, 3)).isEqualTo(line);
    // The newest entry keeps the fields a record of one epoch had, so an older pgquorum still reads it.
    assertThat(Files.readString(r.file())).contains("\ntimeline=3\nepoch=70\nearlier=2:61\n");
    // Data still on timeline 2 (a promotion that recorded timeline 3 failed): the entries up to its timeline.
    assertThat(r.lineFor(SYSID, 2)).isEqualTo(TimelineEpochLine.of(new TimelineEpoch(2, 61)));
    assertThat(r.epochFor(SYSID, 2)).hasValue(61);
    // Data that moved on to timeline 4 unrecorded: the earlier entries are still its line's, its own is unknown.
    assertThat(r.lineFor(SYSID, 4)).isEqualTo(line);
    assertThat(r.epochFor(SYSID, 4)).isEmpty();
    assertThat(r.lineFor(Optional.of("7399999999999999999"), 3)).isEqualTo(TimelineEpochLine.NONE);
  }

  @Test
  void aRecordOfOneEpochWrittenBeforeLinesExistedReadsAsALineOfOne() throws Exception {
    TimelineEpochRecord r = record();
    Files.writeString(r.file(), "# pgquorum: the fork of the data directory's timeline (docs/findings/"
        + "same-timeline-forks.md)\nsystem_identifier=7312345678901234567\ntimeline=3\nepoch=41\n",
        StandardCharsets.UTF_8);
    assertThat(r.lineFor(SYSID, 3)).isEqualTo(TimelineEpochLine.of(new TimelineEpoch(3, 41)));
    assertThat(r.epochFor(SYSID, 3)).hasValue(41);
  }

  @Test
  void aRecordForAnotherSystemOrTimelineIsIgnored() {
    TimelineEpochRecord r = record();
    r.write(SYSID.get(), new TimelineEpoch(2, 24));
    assertThat(r.epochFor(Optional.of("7399999999999999999"), 2)).isEmpty();
    // A promotion that failed after writing its record (the data stayed on timeline 1).
    assertThat(r.epochFor(SYSID, 1)).isEmpty();
    assertThat(r.epochFor(Optional.empty(), 2)).isEmpty(); // the data's identifier unknown: cannot match
  }

  @Test
  void aDamagedRecordNamesTheFileAndTheFieldAndCountsAsUnknown() throws Exception {
    TimelineEpochRecord r = record();
    String[][] cases = {
        {"system_identifier=7312345678901234567\ntimeline=two\nepoch=41\n", "invalid timeline: 'two'"},
        {"system_identifier=7312345678901234567\ntimeline=2\nepoch=\n", "lacks the field epoch"},
        {"system_identifier=7312345678901234567\ntimeline=2\nepoch=4x\n", "invalid epoch: '4x'"},
        {"system_identifier=abc\ntimeline=2\nepoch=4\n", "invalid system_identifier: 'abc'"},
        {"timeline=2\nepoch=4\n", "lacks the field system_identifier"},
        {"system_identifier=7312345678901234567\ntimeline=0\nepoch=4\n", "invalid timeline: '0'"},
        {"\u0000\u0001garbage", "lacks the field system_identifier"},
        {"system_identifier=7312345678901234567\ntimeline=3\nepoch=4\nearlier=2-39\n", "invalid earlier: '2-39'"},
        {"system_identifier=7312345678901234567\ntimeline=3\nepoch=4\nearlier=2:x\n", "invalid earlier: '2:x'"},
        {"system_identifier=7312345678901234567\ntimeline=3\nepoch=4\nearlier=3:39\n", "invalid earlier: '3:39'"},
        {"system_identifier=7312345678901234567\ntimeline=4\nepoch=4\nearlier=3:39,2:1\n",
            "invalid earlier: '3:39,2:1'"},
        {"system_identifier=7312345678901234567\ntimeline=3\nepoch=4\nearlier=0:39\n", "invalid earlier: '0:39'"},
        {"system_identifier=7312345678901234567\ntimeline=3\nepoch=4\nearlier=2:1,\n", "invalid earlier: '2:1,'"},
    };
    for (String[] c : cases) {
      Files.writeString(r.file(), c[0], StandardCharsets.UTF_8);
      assertThatThrownBy(() -> r.epochFor(SYSID, 2)).as(c[0]).isInstanceOf(PostgresException.class)
          .hasMessageContaining(r.file().toString()).hasMessageContaining(c[1]);
      List<String> damage = new ArrayList<>();
      assertThat(r.knownLine(SYSID, 2, damage::add)).as(c[0]).isEqualTo(TimelineEpochLine.NONE);
      assertThat(damage).singleElement().asString().contains(r.file().toString()).contains(c[1]);
    }
  }

  @Test
  void movesAlongWithTheDataDirectoryAndCanBeForgotten() {
    TimelineEpochRecord r = record();
    r.write(SYSID.get(), new TimelineEpoch(2, 24));
    r.moveWith(tmp.resolve("pgdata.failed-20261204T180000"));
    assertThat(r.file()).doesNotExist();
    assertThat(TimelineEpochRecord.of(tmp.resolve("pgdata.failed-20261204T180000")).epochFor(SYSID, 2))
        .hasValue(24);
    r.moveWith(tmp.resolve("pgdata.failed-2")); // nothing to move: nothing happens
    assertThat(tmp.resolve("pgdata.failed-2.timeline-epoch")).doesNotExist();
    r.write(SYSID.get(), new TimelineEpoch(2, 41));
    r.forget();
    assertThat(r.file()).doesNotExist();
    assertThat(r.epochFor(SYSID, 2)).isEmpty();
  }
}
