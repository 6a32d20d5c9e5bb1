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
 * standbys that are not there (pgctl list reads it from the DCS), and {@code nosync} while a synchronous standby
 * leaves its duty before a restart.
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

  /**
   * A synchronous standby holding a restart back says nosync in its member key (Patroni's way of leaving the duty),
   * written at once even when the key was written a moment ago, and only while it leaves.
   */
  @Test
  void aStandbyLeavingSyncDutyPublishesNosync() {
    PgState pg = PlanTotalityTest.replica(1000, "streaming");
    java.util.Optional<io.pgquorum.coordinator.cluster.ClusterSnapshot> seen = Optional.of(
        PlanTotalityTest.cluster(Optional.empty(), PlanTotalityTest.member(PlanTotalityTest.ME, 77, "x")));
    long now = 1_000_000_000_000L;
    MemberKeyRefresh written = Publication.plan(seen, pg, Optional.empty(), false, PlanTotalityTest.POLICY,
        MemberKeyRefresh.NONE, now).advance(OptionalLong.of(77));
    HaMemory leaving = HaMemory.NONE.withLeavingSync(Optional.of(
        new HaMemory.LeavingSync(1, LocalRequest.RestartConditions.NONE, now)));
    Publication p = Publication.plan(seen, pg, Optional.empty(), false, PlanTotalityTest.POLICY, written,
        now + 1_000_000L, leaving);
    Action.WriteMemberKey w = (Action.WriteMemberKey) p.memberKey().orElseThrow();
    assertThat(w.fields().get("tags")).isEqualTo(java.util.Map.of("nosync", true));
    assertThat(Publication.plan(seen, pg, Optional.empty(), false, PlanTotalityTest.POLICY, written,
        now + 1_000_000L, HaMemory.NONE).memberKey()).as("not leaving: nothing new to write").isEmpty();
  }

  /**
   * A primary publishes the synchronous_standby_names it runs with (what a standby leaving its duty waits on,
   * {@code LocalOperations.onSyncDuty}); none when it runs without, and never a replica's.
   */
  @Test
  void aPrimaryPublishesItsStandbyNames() {
    String field = io.pgquorum.coordinator.cluster.Member.SYNCHRONOUS_STANDBY_NAMES;
    assertThat(Publication.memberFields(primary("FIRST 1 (n2)", List.of()), "running", "primary",
        PlanTotalityTest.POLICY)).containsEntry(field, "FIRST 1 (n2)");
    assertThat(Publication.memberFields(primary("", List.of()), "running", "primary", PlanTotalityTest.POLICY))
        .doesNotContainKey(field);
    assertThat(Publication.memberFields(PlanTotalityTest.replica(1000, "streaming")
        .withSynchronousStandbyNames(Optional.of("FIRST 1 (n2)")), "running", "replica", PlanTotalityTest.POLICY))
        .doesNotContainKey(field);
  }
}
