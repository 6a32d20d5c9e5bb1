package io.pgquorum.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class LeaseOwnerTest {
  static final String NODE_A = "0123456789abcdef";
  static final String NODE_B = "fedcba9876543210";

  @Test
  void anOwnerIdRoundTripsWhateverTheNameHoldsBecauseItIsParsedFromTheRight() {
    for (String name : new String[] {"node1", "db@host#2", "a@0123456789abcdef#1", "ü ö"}) {
      LeaseOwner owner = new LeaseOwner(name, NODE_A, 7);
      assertThat(LeaseOwner.parse(owner.id())).contains(owner);
      assertThat(LeaseOwner.memberName(owner.id())).isEqualTo(name);
    }
  }

  @Test
  void anOwnerInAnotherFormatIsAPlainName() {
    assertThat(LeaseOwner.parse("node1")).isEmpty();
    assertThat(LeaseOwner.parse("pgctl-4711")).isEmpty();
    assertThat(LeaseOwner.parse("@0123456789abcdef#1")).as("no name").isEmpty();
    assertThat(LeaseOwner.parse("node1@0123456789ABCDEF#1")).as("upper-case hex").isEmpty();
    assertThat(LeaseOwner.memberName("node1")).isEqualTo("node1");
  }

  @Test
  void onlyALowerStartOfTheSameNodeIsAnEarlierIncarnation() {
    LeaseOwner me = new LeaseOwner("node1", NODE_A, 5);
    assertThat(me.isEarlierIncarnationOfThisNode(new LeaseOwner("node1", NODE_A, 4).id())).isTrue();
    assertThat(me.isEarlierIncarnationOfThisNode(new LeaseOwner("node1", NODE_A, 1).id())).isTrue();
    assertThat(me.isEarlierIncarnationOfThisNode(me.id())).as("itself").isFalse();
    assertThat(me.isEarlierIncarnationOfThisNode(new LeaseOwner("node1", NODE_A, 6).id())).isFalse();
    assertThat(me.isEarlierIncarnationOfThisNode(new LeaseOwner("node1", NODE_B, 1).id()))
        .as("the same name on another node").isFalse();
    assertThat(me.isEarlierIncarnationOfThisNode("node1")).as("a bare name proves nothing").isFalse();
  }

  @Test
  void invalidPartsAreRefusedWithTheirName() {
    assertThatThrownBy(() -> new LeaseOwner("", NODE_A, 1)).hasMessageContaining("name");
    assertThatThrownBy(() -> new LeaseOwner("n", "xyz", 1)).hasMessageContaining("nodeId");
    assertThatThrownBy(() -> new LeaseOwner("n", NODE_A, 0)).hasMessageContaining("incarnation");
    assertThat(Optional.of(new LeaseOwner("n", NODE_A, 1).toString())).contains("n@" + NODE_A + "#1");
  }
}
