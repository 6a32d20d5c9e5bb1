package io.pgquorum.coordinator.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.postgres.ArchiverStats;
import io.pgquorum.coordinator.postgres.PgState;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The member key says {@code archive_failing: true} exactly when this node's archiving fails. */
class ArchiveFailingFieldTest {
  private static final Instant T = Instant.parse("2026-12-04T10:00:00Z");

  private static PgState primary(Optional<ArchiverStats> archiver) {
    return new PgState(PgState.DataDirState.INITIALIZED, true, OptionalLong.of(1), Optional.of(T),
        PgState.Role.PRIMARY, 1, 1000, OptionalLong.empty(), OptionalLong.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), List.of(), Optional.of("1"), 150010, OptionalLong.of(1), false, false)
        .withArchiver(archiver);
  }

  @Test
  void onlyAFailingArchiverSetsTheField() {
    ArchiverStats failing = new ArchiverStats(4, 2, Optional.of(T), Optional.of(T.plusSeconds(5)), 3);
    ArchiverStats recovered = new ArchiverStats(5, 2, Optional.of(T.plusSeconds(9)), Optional.of(T.plusSeconds(5)),
        0);
    assertThat(Publication.memberFields(primary(Optional.of(failing)), "running", "primary",
        PlanTotalityTest.POLICY)).containsEntry("archive_failing", true);
    assertThat(Publication.memberFields(primary(Optional.of(recovered)), "running", "primary",
        PlanTotalityTest.POLICY)).doesNotContainKey("archive_failing");
    assertThat(Publication.memberFields(primary(Optional.empty()), "running", "primary",
        PlanTotalityTest.POLICY)).doesNotContainKey("archive_failing");
  }
}
