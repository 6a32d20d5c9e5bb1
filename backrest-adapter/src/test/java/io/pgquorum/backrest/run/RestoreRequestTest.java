package io.pgquorum.backrest.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RestoreRequestTest {
  @Test
  void aPitrRequestBecomesPgBackRestOptions() {
    RestoreRequest r = RestoreRequest.toTarget(Path.of("/restore/copy"), RestoreType.LSN, "0/3000060")
        .withSet("20261203-182608F_20261203-182611I").withArchiveModeOff();
    assertThat(r.arguments()).containsExactly("--pg1-path=/restore/copy", "--type=lsn", "--target=0/3000060",
        "--set=20261203-182608F_20261203-182611I", "--target-action=promote", "--archive-mode=off");
  }

  @Test
  void aDeltaReplicaBuildHasNoTarget() {
    RestoreRequest r = new RestoreRequest(Optional.empty(), true, RestoreType.STANDBY, Optional.empty(),
        Optional.empty(), Optional.empty(), false);
    assertThat(r.arguments()).containsExactly("--delta", "--type=standby");
  }

  @Test
  void mistakesAreRefusedNamingTheArgument() {
    Path p = Path.of("/r");
    assertThatThrownBy(() -> new RestoreRequest(Optional.of(p), false, RestoreType.TIME, Optional.empty(),
        Optional.empty(), Optional.empty(), false)).hasMessage("--target is required for --type=time");
    assertThatThrownBy(() -> new RestoreRequest(Optional.of(p), false, RestoreType.IMMEDIATE, Optional.of("x"),
        Optional.empty(), Optional.empty(), false)).hasMessage("--target is not allowed with --type=immediate");
    assertThatThrownBy(() -> RestoreRequest.toTarget(p, RestoreType.LSN, "3000060")).hasMessage(
        "--target for --type=lsn is not valid: \"3000060\" (an LSN is written like 0/3000060)");
    assertThatThrownBy(() -> RestoreRequest.toTarget(p, RestoreType.XID, "12a"))
        .hasMessage("--target for --type=xid is not valid: \"12a\"");
    assertThatThrownBy(() -> new RestoreRequest(Optional.of(p), false, RestoreType.STANDBY, Optional.empty(),
        Optional.empty(), Optional.of(TargetAction.PROMOTE), false))
        .hasMessage("--target-action needs a target type or immediate, not --type=standby");
    assertThatThrownBy(() -> RestoreRequest.toTarget(p, RestoreType.NAME, "rp1").withSet("latest"))
        .hasMessageStartingWith("--set must be a backup label");
    assertThatThrownBy(() -> RestoreRequest.toTarget(Path.of("rel"), RestoreType.NAME, "rp1"))
        .hasMessage("--pg1-path must be absolute, got \"rel\"");
  }

  @Test
  void aPointInTimeRequestCanStopJustBeforeItsTarget() {
    RestoreRequest r = RestoreRequest.pointInTime(Optional.empty(), RestoreType.XID, Optional.of("742"), true,
        Optional.of("20261203-182608F"), TargetAction.PROMOTE);
    assertThat(r.arguments()).containsExactly("--type=xid", "--target=742", "--target-exclusive",
        "--set=20261203-182608F", "--target-action=promote");
    assertThat(r.withArchiveModeOff().targetExclusive()).isTrue();
    assertThatThrownBy(() -> RestoreRequest.pointInTime(Optional.empty(), RestoreType.NAME, Optional.of("rp1"),
        true, Optional.empty(), TargetAction.PROMOTE))
        .hasMessage("--target-exclusive applies only to --type=lsn, time or xid, not --type=name");
  }
}
