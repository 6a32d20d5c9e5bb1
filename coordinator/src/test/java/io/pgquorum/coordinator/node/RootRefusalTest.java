package io.pgquorum.coordinator.node;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgquorum.coordinator.config.ConfigException;
import org.junit.jupiter.api.Test;

class RootRefusalTest {
  @Test
  void rootIsRefusedWithAnExplanation() {
    assertThatThrownBy(() -> PgQuorumNode.refuseRoot(0))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("refuses to run as root")
        .hasMessageContaining("owns the PostgreSQL data directory");
  }

  @Test
  void ordinaryUsersPass() {
    assertThatCode(() -> PgQuorumNode.refuseRoot(1001)).doesNotThrowAnyException();
  }
}
