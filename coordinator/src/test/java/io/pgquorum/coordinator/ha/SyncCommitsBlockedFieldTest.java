package io.pgquorum.coordinator.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.postgres.PgState;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * The member key says {@code sync_commits_blocked: true} exactly while the primary's commits wait for synchronous
 * standbys that are not there (pgctl list reads it from the DCS).
 */
class SyncCommitsBlockedFieldTest {
  private static final Instant T = Instant.parse("2026-12-04T10:00:00Z");

  private static PgState primary(String names, List<PgState.Standby> rows) {
    return new PgState(PgState.DataDirState.INITIALIZED, true, OptionalLong.of(1), Optional.of(T),
        PgState.Role.PRIMARY, 1, 1000, OptionalLong.empty(), OptionalLong.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), rows, Optional.of("1"), 150010, OptionalLong.of(1), false, false)
        .withSynchronousStandbyNames(Optional.of(names));
  }

  @Test
  void onlyABlockedPrimarySetsTheField() {
    assertThat(Publication.memberFields(primary("*", List.of()), "running", "primary", PlanTotalityTest.POLICY))
        .containsEntry("sync_commits_blocked", true);
    PgState.Standby sync = new PgState.Standby("n2", "10.0.0.2", "streaming", "sync", 1000);
    assertThat(Publication.memberFields(primary("n2", List.of(sync)), "running", "primary",
        PlanTotalityTest.POLICY)).doesNotContainKey("sync_commits_blocked");
    assertThat(Publication.memberFields(primary("", List.of()), "running", "primary", PlanTotalityTest.POLICY))
        .doesNotContainKey("sync_commits_blocked");
  }
}
