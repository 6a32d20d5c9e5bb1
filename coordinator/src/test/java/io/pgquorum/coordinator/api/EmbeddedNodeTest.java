package io.pgquorum.coordinator.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.config.Tags;
import io.pgquorum.coordinator.ha.NodeStatus;
import io.pgquorum.coordinator.postgres.PgState;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The API's view of a published status: the role as the REST API reports it, and the fields carried over. */
class EmbeddedNodeTest {
  private static PgState running(PgState.Role role) {
    return new PgState(PgState.DataDirState.INITIALIZED, true, OptionalLong.of(2345), Optional.of(Instant.EPOCH),
        role, 2, 1000, OptionalLong.of(1000), OptionalLong.of(1000), Optional.empty(),
        Optional.of("streaming"), Optional.of("10.0.0.1:5432"), List.of(), Optional.of("7350000000000000001"), 150010,
        OptionalLong.empty(), false, false);
  }

  private static NodeStatus status(PgState pg, String role, boolean holdsLock) {
    return new NodeStatus("demo", "node1", pg, pg.running() ? "running" : "stopped", role, holdsLock,
        Optional.empty(), Optional.empty(), "a decision", Tags.none(), Instant.ofEpochSecond(5), 0, 1);
  }

  @Test
  void rolesAreTheRestApisRoles() {
    assertThat(EmbeddedNode.role(status(running(PgState.Role.PRIMARY), "primary", true))).isEqualTo(Role.PRIMARY);
    assertThat(EmbeddedNode.role(status(running(PgState.Role.REPLICA), "replica", false))).isEqualTo(Role.REPLICA);
    assertThat(EmbeddedNode.role(status(running(PgState.Role.REPLICA), "standby_leader", true)))
        .isEqualTo(Role.STANDBY_LEADER);
    assertThat(EmbeddedNode.role(status(PgState.stopped(PgState.DataDirState.INITIALIZED), "replica", false)))
        .as("PostgreSQL not running").isEqualTo(Role.STOPPED);
    assertThat(EmbeddedNode.role(status(running(PgState.Role.REPLICA), "uninitialized", false)))
        .isEqualTo(Role.UNKNOWN);
  }

  @Test
  void theViewCarriesTheStatusFields() {
    NodeView v = EmbeddedNode.view(status(running(PgState.Role.PRIMARY), "primary", true));
    assertThat(v).isEqualTo(new NodeView("demo", "node1", Role.PRIMARY, "running", true, 2, "a decision",
        Instant.ofEpochSecond(5)));
    assertThat(EmbeddedNode.view(null).role()).as("before the first cycle").isEqualTo(Role.UNKNOWN);
  }
}
