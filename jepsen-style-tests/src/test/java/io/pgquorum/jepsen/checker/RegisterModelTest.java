package io.pgquorum.jepsen.checker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgquorum.jepsen.history.Op;
import io.pgquorum.jepsen.history.OpType;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegisterModelTest {

  private static Op inv(String f, Object v) {
    return new Op(0, 0, "c1", OpType.INVOKE, f, "k", v, null, null);
  }

  private static Op ok(Op inv, Object v) {
    return inv.complete(OpType.OK, v, null);
  }

  @Test
  void readMustReturnTheCurrentValueAndNullMeansAbsent() {
    Op read = inv("read", null);
    assertThat(RegisterModel.empty().step(read, ok(read, null))).contains(RegisterModel.empty());
    assertThat(RegisterModel.empty().step(read, ok(read, 1L))).isEmpty();
    assertThat(new RegisterModel(3L).step(read, ok(read, 3L))).contains(new RegisterModel(3L));
    assertThat(new RegisterModel(3L).step(read, ok(read, 4L))).isEmpty();
    // An unknown-outcome read is unchecked and changes nothing.
    assertThat(new RegisterModel(3L).step(read, null)).contains(new RegisterModel(3L));
  }

  @Test
  void writeAndCas() {
    Op write = inv("write", 5L);
    assertThat(RegisterModel.empty().step(write, ok(write, null))).contains(new RegisterModel(5L));
    Op cas = inv("cas", List.of(5L, 6L));
    assertThat(new RegisterModel(5L).step(cas, ok(cas, null))).contains(new RegisterModel(6L));
    assertThat(new RegisterModel(4L).step(cas, ok(cas, null))).isEmpty();
    // Unknown cas: can only be placed where its condition held.
    assertThat(new RegisterModel(4L).step(cas, null)).isEmpty();
    assertThat(new RegisterModel(5L).step(cas, null)).contains(new RegisterModel(6L));
  }

  @Test
  void badInputNamesTheOpAndTheField() {
    assertThatThrownBy(() -> RegisterModel.empty().step(inv("increment", 1L), null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"increment\"")
        .hasMessageContaining("read, write or cas");
    assertThatThrownBy(() -> RegisterModel.empty().step(inv("cas", List.of(1L)), null))
        .hasMessageContaining("[expected, new]");
  }

  @Test
  void statesAreValuesForMemoisation() {
    assertThat(new RegisterModel(7L)).isEqualTo(new RegisterModel(7L)).hasSameHashCodeAs(new RegisterModel(7L));
    assertThat(RegisterModel.empty().readOnly(inv("read", null))).isTrue();
    assertThat(RegisterModel.empty().readOnly(inv("write", 1L))).isFalse();
  }
}
