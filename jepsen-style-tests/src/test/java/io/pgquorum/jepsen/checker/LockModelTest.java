package io.pgquorum.jepsen.checker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgquorum.jepsen.history.Op;
import io.pgquorum.jepsen.history.OpType;
import org.junit.jupiter.api.Test;

class LockModelTest {

  private static Op inv(String f, Object v) {
    return new Op(0, 0, "c1", OpType.INVOKE, f, "leader", v, null, null);
  }

  private static Op ok(Op inv, Object v) {
    return inv.complete(OpType.OK, v, null);
  }

  @Test
  void acquireOnlyWhenFreeEvenForTheHolder() {
    Op a = inv("acquire", "n1");
    assertThat(LockModel.free().step(a, ok(a, null))).contains(new LockModel("n1"));
    assertThat(new LockModel("n2").step(a, ok(a, null))).isEmpty();
    // create-if-absent: the holder re-acquiring is not a success.
    assertThat(new LockModel("n1").step(a, ok(a, null))).isEmpty();
  }

  @Test
  void releaseOnlyByTheHolder() {
    Op r = inv("release", "n1");
    assertThat(new LockModel("n1").step(r, ok(r, null))).contains(LockModel.free());
    assertThat(new LockModel("n2").step(r, ok(r, null))).isEmpty();
    assertThat(LockModel.free().step(r, ok(r, null))).isEmpty();
  }

  @Test
  void readReturnsTheOwnerOrNull() {
    Op read = inv("read", null);
    assertThat(new LockModel("n1").step(read, ok(read, "n1"))).isPresent();
    assertThat(new LockModel("n1").step(read, ok(read, null))).isEmpty();
    assertThat(LockModel.free().step(read, ok(read, null))).isPresent();
    assertThat(LockModel.free().step(read, ok(read, "n1"))).isEmpty();
  }

  @Test
  void badInputIsNamed() {
    assertThatThrownBy(() -> LockModel.free().step(inv("acquire", 3L), null))
        .hasMessageContaining("owner name").hasMessageContaining("acquire");
    assertThatThrownBy(() -> LockModel.free().step(inv("steal", "x"), null))
        .hasMessageContaining("\"steal\"");
  }
}
