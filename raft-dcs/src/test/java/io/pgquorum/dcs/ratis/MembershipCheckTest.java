package io.pgquorum.dcs.ratis;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgquorum.dcs.api.DcsRejectedException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** When removing a member could not complete with the members that answer. */
class MembershipCheckTest {
  private static final PeerAddress A = new PeerAddress("a", "h", 1);
  private static final PeerAddress B = new PeerAddress("b", "h", 2);
  private static final PeerAddress C = new PeerAddress("c", "h", 3);
  private static final PeerAddress D = new PeerAddress("d", "h", 4);

  @Test
  void removingTheDeadMemberOfThreeIsFine() {
    assertThatCode(() -> MembershipCheck.requireMajorities(List.of(A, B, C), List.of(A, B), Set.of("a", "b"), "c"))
        .doesNotThrowAnyException();
  }

  @Test
  void removingALiveMemberWhileAnotherIsDownIsRefusedAndSaysWhatToDoInstead() {
    assertThatThrownBy(() -> MembershipCheck.requireMajorities(List.of(A, B, C), List.of(B, C), Set.of("a", "b"),
        "a"))
        .isInstanceOf(DcsRejectedException.class)
        .hasMessageContaining("removing 'a' would leave 2 members of which only 1 answer")
        .hasMessageContaining("not answering: c")
        .hasMessageContaining("or remove c instead");
  }

  @Test
  void withoutAMajorityNowNothingCanBeRemoved() {
    assertThatThrownBy(() -> MembershipCheck.requireMajorities(List.of(A, B, C), List.of(A, B), Set.of("a"), "c"))
        .isInstanceOf(DcsRejectedException.class).hasMessageContaining("only 1 of the 3 members answer (a)");
  }

  @Test
  void fourMembersWithOneDownMayLoseAnotherOnlyIfTheRestStayAMajority() {
    // {a,b,c,d}, d down: removing c leaves {a,b,d} with a,b live = 2 of 3: fine.
    assertThatCode(() -> MembershipCheck.requireMajorities(List.of(A, B, C, D), List.of(A, B, D),
        Set.of("a", "b", "c"), "c")).doesNotThrowAnyException();
    // {a,b,c,d}, c and d down: no majority of four now.
    assertThatThrownBy(() -> MembershipCheck.requireMajorities(List.of(A, B, C, D), List.of(A, B, C),
        Set.of("a", "b"), "d")).isInstanceOf(DcsRejectedException.class);
  }

  @Test
  void twoMembersBothLiveMayShrinkToOne() {
    assertThatCode(() -> MembershipCheck.requireMajorities(List.of(A, B), List.of(A), Set.of("a", "b"), "b"))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> MembershipCheck.requireMajorities(List.of(A, B), List.of(A), Set.of("a"), "b"))
        .isInstanceOf(DcsRejectedException.class);
  }
}
