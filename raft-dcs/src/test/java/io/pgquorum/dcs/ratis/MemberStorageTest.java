package io.pgquorum.dcs.ratis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgquorum.dcs.api.DcsConfigException;
import io.pgquorum.dcs.ratis.DataDirMarker.Phase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a data dir holds, read from Ratis' files, and the start-up phase the marker records. */
class MemberStorageTest {
  private static final String UUID = "0b3f5a2e-0000-3000-8000-000000000001";

  @Test
  void readsTheStateFromRatisFiles(@TempDir Path dir) throws IOException {
    assertThat(MemberStorage.inspect(dir, UUID)).isEqualTo(MemberStorage.State.ABSENT);
    Path current = Files.createDirectories(dir.resolve(UUID).resolve("current"));
    assertThat(MemberStorage.inspect(dir, UUID)).isEqualTo(MemberStorage.State.UNFORMATTED);
    Files.writeString(current.resolve("raft-meta"), "term=0");
    assertThat(MemberStorage.inspect(dir, UUID)).isEqualTo(MemberStorage.State.BLANK);
    Files.writeString(current.resolve("log_inprogress_0"), "x");
    assertThat(MemberStorage.inspect(dir, UUID)).isEqualTo(MemberStorage.State.HAS_LOG);
  }

  @Test
  void aSnapshotOrARecordedConfigurationIsHistoryToo(@TempDir Path dir) throws IOException {
    Path current = Files.createDirectories(dir.resolve(UUID).resolve("current"));
    Files.writeString(current.resolve("raft-meta"), "term=3");
    Path sm = Files.createDirectories(dir.resolve(UUID).resolve("sm"));
    Files.writeString(sm.resolve("snapshot.3_120"), "x");
    assertThat(MemberStorage.inspect(dir, UUID)).isEqualTo(MemberStorage.State.HAS_LOG);
    Files.delete(sm.resolve("snapshot.3_120"));
    Files.writeString(current.resolve("raft-meta.conf"), "x");
    assertThat(MemberStorage.inspect(dir, UUID)).isEqualTo(MemberStorage.State.HAS_LOG);
  }

  @Test
  void movingAsideKeepsEverythingUnderANameRatisAndTheMarkerIgnore(@TempDir Path dir) throws IOException {
    DataDirMarker.claim(dir, "g", "m1", UUID);
    Path current = Files.createDirectories(dir.resolve(UUID).resolve("current"));
    Files.writeString(current.resolve("raft-meta"), "term=0");
    Path moved = MemberStorage.moveAside(dir, UUID, "blank");
    assertThat(moved.getFileName().toString()).startsWith(UUID + ".blank-");
    assertThat(moved.resolve("current").resolve("raft-meta")).hasContent("term=0");
    assertThat(MemberStorage.inspect(dir, UUID)).isEqualTo(MemberStorage.State.ABSENT);
    // A later claim (say the marker was lost too) does not take the moved directory for another group's.
    Files.delete(dir.resolve(DataDirMarker.FILE));
    DataDirMarker.claim(dir, "g", "m1", UUID);
    assertThat(DataDirMarker.phase(dir)).isEqualTo(Phase.NEW);
  }

  @Test
  void thePhaseOnlyMovesWhenWrittenAndOldMarkersCountAsVoters(@TempDir Path dir) throws IOException {
    DataDirMarker.claim(dir, "g", "m1", UUID);
    assertThat(DataDirMarker.phase(dir)).isEqualTo(Phase.NEW);
    DataDirMarker.setPhase(dir, Phase.CLEARED);
    DataDirMarker.claim(dir, "g", "m1", UUID); // a later start keeps it
    assertThat(DataDirMarker.phase(dir)).isEqualTo(Phase.CLEARED);
    DataDirMarker.setPhase(dir, Phase.VOTER);
    assertThat(DataDirMarker.phase(dir)).isEqualTo(Phase.VOTER);
    // A marker written before phases existed: the member may have run, so it is a voter.
    Files.writeString(dir.resolve(DataDirMarker.FILE), "group=g\nmember=m1\n");
    assertThat(DataDirMarker.phase(dir)).isEqualTo(Phase.VOTER);
    assertThatThrownBy(() -> DataDirMarker.claim(dir, "g", "m2", UUID)).isInstanceOf(DcsConfigException.class)
        .hasMessageContaining("belongs to member 'm1'");
  }
}
