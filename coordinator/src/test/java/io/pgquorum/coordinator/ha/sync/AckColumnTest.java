package io.pgquorum.coordinator.ha.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which pg_stat_replication position counts for synchronous replication, by the primary's synchronous_commit. */
class AckColumnTest {
  @Test
  void synchronousCommitChoosesWriteFlushOrReplay() {
    assertThat(AckColumn.of(Optional.of("remote_write"))).isEqualTo(AckColumn.WRITE);
    assertThat(AckColumn.of(Optional.of("remote_apply"))).isEqualTo(AckColumn.REPLAY);
    assertThat(AckColumn.of(Optional.of(" Remote_Apply "))).isEqualTo(AckColumn.REPLAY);
    assertThat(AckColumn.of(Optional.of("on"))).isEqualTo(AckColumn.FLUSH);
    // Commits wait for no standby with these; flushed is what a promotion keeps (Patroni's choice too).
    assertThat(AckColumn.of(Optional.of("local"))).isEqualTo(AckColumn.FLUSH);
    assertThat(AckColumn.of(Optional.of("off"))).isEqualTo(AckColumn.FLUSH);
    assertThat(AckColumn.of(Optional.empty())).isEqualTo(AckColumn.FLUSH);
  }

  @Test
  void eachColumnPicksItsPosition() {
    assertThat(AckColumn.WRITE.pick(30, 20, 10)).isEqualTo(30);
    assertThat(AckColumn.FLUSH.pick(30, 20, 10)).isEqualTo(20);
    assertThat(AckColumn.REPLAY.pick(30, 20, 10)).isEqualTo(10);
  }
}
