package io.pgquorum.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.dcs.memory.InMemoryDcs;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The backups key: its JSON round trip, and that a claim is a compare-and-set two holders cannot both win. */
class BackupRecordTest {
  private static final DcsKeys KEYS = new DcsKeys("/service/demo/");

  private static BackupRecord claim(String slot, String member, long revision) {
    return new BackupRecord(Optional.of(slot), Optional.of("incr"), 1, Optional.of(new BackupRecord.Run("schedule",
        "incr", member, "running", "2030-01-01T12:00:01Z", Optional.empty(), Optional.empty())), revision);
  }

  @Test
  void roundTrip() {
    BackupRecord r = claim("2030-01-01T12:00:00Z", "node1", 0).withLast(claim("x", "node1", 0).last().orElseThrow()
        .finished("2030-01-01T12:00:09Z", Optional.of("backup: timed out")));
    BackupRecord back = ClusterCodec.decodeBackups(ClusterCodec.encodeBackups(r), 7);
    assertThat(back).isEqualTo(new BackupRecord(r.slot(), r.slotType(), r.timeline(), r.last(), 7));
    assertThat(back.last().orElseThrow().state()).isEqualTo("failed");
  }

  @Test
  void twoHoldersClaimingTheSameSlotAtTheSameRevisionOneWins() {
    try (InMemoryDcs dcs = new InMemoryDcs()) {
      claims(new ClusterStore(dcs.client("node1"), KEYS, "node1"), new ClusterStore(dcs.client("node2"), KEYS,
          "node2"));
    }
  }

  private static void claims(ClusterStore a, ClusterStore b) {
    OptionalLong first = a.claimBackup(claim("2030-01-01T12:00:00Z", "node1", 0));
    OptionalLong second = b.claimBackup(claim("2030-01-01T12:00:00Z", "node2", 0));
    assertThat(first).isPresent();
    assertThat(second).as("the key exists now: a claim conditioned on its absence loses").isEmpty();
    // The loser reads the key: the slot is the winner's, and it decodes in every snapshot.
    ClusterSnapshot s = b.peek();
    assertThat(s.backups().slot()).contains("2030-01-01T12:00:00Z");
    assertThat(s.backups().last().orElseThrow().member()).isEqualTo("node1");
    assertThat(s.backups().modRevision()).isEqualTo(first.getAsLong());
    // The outcome is written over the winner's claim, at its revision; a stale revision loses.
    assertThat(a.claimBackup(s.backups().withLast(s.backups().last().orElseThrow().finished("t", Optional.empty()))))
        .isPresent();
    assertThat(b.claimBackup(claim("2030-01-01T13:00:00Z", "node2", first.getAsLong()))).isEmpty();
  }
}
