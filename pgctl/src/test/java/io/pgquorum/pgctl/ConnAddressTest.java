package io.pgquorum.pgctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ConnAddressTest {
  @Test
  void hostAndPort() {
    assertThat(ConnAddress.parse("postgres://10.0.0.1:5433/postgres"))
        .isEqualTo(new ConnAddress(Optional.of("10.0.0.1"), OptionalInt.of(5433)));
  }

  @Test
  void hostNamesUriWouldRejectStillParse() {
    assertThat(ConnAddress.parse("postgresql://pg_node_1:5432/postgres").host()).contains("pg_node_1");
  }

  @Test
  void ipv6KeepsItsBrackets() {
    assertThat(ConnAddress.parse("postgres://[::1]:5432/postgres"))
        .isEqualTo(new ConnAddress(Optional.of("[::1]"), OptionalInt.of(5432)));
  }

  @Test
  void noPortAndUserInfo() {
    assertThat(ConnAddress.parse("postgres://replicator@db1/postgres"))
        .isEqualTo(new ConnAddress(Optional.of("db1"), OptionalInt.empty()));
  }

  @Test
  void emptyOrMissing() {
    assertThat(ConnAddress.parse("")).isEqualTo(ConnAddress.NONE);
    assertThat(ConnAddress.parse(null)).isEqualTo(ConnAddress.NONE);
  }
}
