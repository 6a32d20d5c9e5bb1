package io.pgquorum.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The {@code restore} key's JSON and the record's phase steps. */
class RestoreRecordTest {
  @Test
  void roundTripsThroughItsJson() {
    RestoreRecord r = RestoreRecord.request("20261204T110000", "lsn", Optional.of("0/3000060"), true,
        Optional.of("20261204-100000F"), "2026-12-04T11:00:00Z").withReady("node2").withReady("node1")
        .inPhase(RestoreRecord.DONE, Optional.of("done"), 3);
    RestoreRecord back = ClusterCodec.decodeRestore(ClusterCodec.encodeRestore(r), 17);
    assertThat(back).isEqualTo(r.atRevision(17));
    assertThat(back.ready()).containsExactly("node1", "node2");
    assertThat(back.inProgress()).isFalse();
  }

  @Test
  void aRequestIsInProgressUntilDoneOrFailed() {
    RestoreRecord r = RestoreRecord.request("a", "latest", Optional.empty(), false, Optional.empty(), "t");
    assertThat(r.inProgress()).isTrue();
    assertThat(r.inPhase(RestoreRecord.BOOTSTRAPPING, Optional.empty(), 0).inProgress()).isTrue();
    assertThat(r.inPhase(RestoreRecord.FAILED, Optional.of("x"), 0).failed()).isTrue();
    assertThat(r.withReady("n1").withReady("n1").ready()).isEqualTo(List.of("n1"));
  }

  @Test
  void aValueOfAnotherShapeIsRefused() {
    assertThatThrownBy(() -> ClusterCodec.decodeRestore("{\"id\":\"a\"}", 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a restore record");
  }

  @Test
  void anIdThatIsNotAFileNameIsRefused() {
    // The id names <data_dir>.restore-<id>: a '/' would move every member's data directory somewhere else.
    for (String id : new String[] {"../../tmp/x", "a/b", "", ".hidden"}) {
      String json = ClusterCodec.encodeRestore(RestoreRecord.request(id, "latest", Optional.empty(), false,
          Optional.empty(), "t"));
      assertThatThrownBy(() -> ClusterCodec.decodeRestore(json, 1)).as(id)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("may hold only letters");
    }
    assertThat(ClusterCodec.decodeRestore(ClusterCodec.encodeRestore(RestoreRecord.request("20261204T110000",
        "latest", Optional.empty(), false, Optional.empty(), "t")), 1).id()).isEqualTo("20261204T110000");
  }
}
