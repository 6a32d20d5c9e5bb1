package io.pgquorum.backrest.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgquorum.backrest.run.RestoreRequest;
import io.pgquorum.backrest.run.RestoreType;
import io.pgquorum.backrest.run.TargetAction;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RecoveryTargetTest {
  @Test
  void valuesAreValidatedAndCanonical() {
    assertThat(RecoveryTarget.time("2026-12-04 11:15:00+01").value()).contains("2026-12-04 10:15:00+00");
    assertThat(RecoveryTarget.lsn("0/3a").value()).contains("0/3A");
    assertThat(RecoveryTarget.of(TargetKind.XID, " 742 ", true).value()).contains("742");
    assertThat(RecoveryTarget.of(TargetKind.NAME, "before-migration", false).value()).contains("before-migration");
    assertThat(RecoveryTarget.immediate().value()).isEmpty();
  }

  @Test
  void errorsNameTheOption() {
    assertThatThrownBy(() -> RecoveryTarget.lsn("3000060")).hasMessageStartingWith("--target-lsn must be an LSN");
    assertThatThrownBy(() -> RecoveryTarget.time("2026-12-04 10:15:00")).hasMessageStartingWith(
        "--target-time \"2026-12-04 10:15:00\" has no time zone");
    assertThatThrownBy(() -> RecoveryTarget.of(TargetKind.XID, "12a", false))
        .hasMessage("--target-xid must be a transaction id (digits), got \"12a\"");
    assertThatThrownBy(() -> RecoveryTarget.of(TargetKind.NAME, "a'b", false))
        .hasMessageStartingWith("--target-name must be a restore point name");
    assertThatThrownBy(() -> RecoveryTarget.of(TargetKind.NAME, null, false))
        .hasMessage("--target-name needs a value");
    assertThatThrownBy(() -> RecoveryTarget.of(TargetKind.IMMEDIATE, "x", false))
        .hasMessage("--target-immediate takes no value");
    assertThatThrownBy(() -> RecoveryTarget.of(TargetKind.NAME, "rp1", true)).hasMessage(
        "--exclusive applies only to --target-time, --target-lsn or --target-xid, not --target-name");
  }

  @Test
  void mapsToAPromotingRestoreRequest() {
    RestoreRequest r = RecoveryTarget.of(TargetKind.LSN, "0/3000060", true)
        .toRequest(Optional.of(Path.of("/copy")), Optional.of("20261203-182608F"));
    assertThat(r).isEqualTo(new RestoreRequest(Optional.of(Path.of("/copy")), false, RestoreType.LSN,
        Optional.of("0/3000060"), Optional.of("20261203-182608F"), Optional.of(TargetAction.PROMOTE), false, true));
    RestoreRequest imm = RecoveryTarget.immediate().toRequest(Optional.empty(), Optional.empty());
    assertThat(imm.type()).isEqualTo(RestoreType.IMMEDIATE);
    assertThat(imm.targetAction()).contains(TargetAction.PROMOTE);
    RestoreRequest latest = RecoveryTarget.latest().toRequest(Optional.empty(), Optional.empty());
    assertThat(latest.type()).isEqualTo(RestoreType.DEFAULT);
    assertThat(latest.targetAction()).isEmpty();
    RestoreRequest time = RecoveryTarget.time("2026-12-04T10:15:00Z").toRequest(Optional.empty(), Optional.empty());
    assertThat(time.target()).contains("2026-12-04 10:15:00+00");
  }

  @Test
  void describesItselfForAPlan() {
    assertThat(RecoveryTarget.of(TargetKind.LSN, "0/3000060", true).describe())
        .isEqualTo("lsn 0/3000060 (exclusive: stop just before it)");
    assertThat(RecoveryTarget.lsn("0/3000060").describe()).isEqualTo("lsn 0/3000060 (inclusive: stop just after it)");
    assertThat(RecoveryTarget.immediate().describe()).isEqualTo("immediate");
  }
}
