package io.pgquorum.dcs.ratis;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.dcs.ratis.BootPlanner.GroupFacts;
import io.pgquorum.dcs.ratis.BootPlanner.JoinFacts;
import io.pgquorum.dcs.ratis.GroupProbe.Answer;
import io.pgquorum.dcs.ratis.GroupProbe.PeerState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The rules of a member that starts without a Raft log, one table row per case. */
class BootPlannerTest {
  private static final PeerAddress SELF = new PeerAddress("m3", "10.0.0.3", 5010);
  private static final PeerAddress M1 = new PeerAddress("m1", "10.0.0.1", 5010);
  private static final PeerAddress M2 = new PeerAddress("m2", "10.0.0.2", 5010);

  private static List<Answer> answers(PeerState... states) {
    List<Answer> out = new ArrayList<>();
    for (int i = 0; i < states.length; i++) {
      out.add(Answer.without(new PeerAddress("p" + i, "10.0.1." + i, 5010), states[i]));
    }
    return out;
  }

  @Test
  void anyLogMeansTheGroupExistsWhateverElseAnswers() {
    assertThat(BootPlanner.afterProbe(answers(PeerState.HAS_LOG, PeerState.UNREACHABLE)))
        .isInstanceOf(BootPlanner.GroupExists.class);
    assertThat(BootPlanner.afterProbe(answers(PeerState.NO_GROUP, PeerState.HAS_LOG)))
        .isInstanceOf(BootPlanner.GroupExists.class);
    // One log among four silent members of a five-member group still is an existing group.
    assertThat(BootPlanner.afterProbe(answers(PeerState.UNREACHABLE, PeerState.UNREACHABLE, PeerState.HAS_LOG,
        PeerState.UNREACHABLE))).isInstanceOf(BootPlanner.GroupExists.class);
  }

  @Test
  void aMajorityWithoutAnyLogFoundsTheGroup() {
    assertThat(BootPlanner.afterProbe(answers(PeerState.NO_GROUP, PeerState.NO_GROUP)))
        .isInstanceOf(BootPlanner.Found.class);
    // A partner that already founded but has no leader yet (empty log) is still "no log".
    assertThat(BootPlanner.afterProbe(answers(PeerState.EMPTY_LOG, PeerState.NO_GROUP)))
        .isInstanceOf(BootPlanner.Found.class);
    // Three members: this one and one answering partner are a majority; the third may start late.
    assertThat(BootPlanner.afterProbe(answers(PeerState.NO_GROUP, PeerState.UNREACHABLE)))
        .isInstanceOf(BootPlanner.Found.class);
    // A one-member group has nobody to ask.
    assertThat(BootPlanner.afterProbe(answers())).isInstanceOf(BootPlanner.Found.class);
  }

  @Test
  void withoutAMajorityOfAnswersItWaitsAndSaysForWhom() {
    assertThat(BootPlanner.afterProbe(answers(PeerState.UNREACHABLE, PeerState.UNREACHABLE)))
        .isInstanceOfSatisfying(BootPlanner.WaitForPartners.class,
            w -> assertThat(w.reason()).contains("p0@10.0.1.0:5010", "p1@10.0.1.1:5010", "majority"));
    // Five members: this one and one answer are 2 of 5.
    assertThat(BootPlanner.afterProbe(answers(PeerState.NO_GROUP, PeerState.UNREACHABLE, PeerState.UNREACHABLE,
        PeerState.UNREACHABLE))).isInstanceOf(BootPlanner.WaitForPartners.class);
    // Two members: the partner must answer (1 of 2 is no majority).
    assertThat(BootPlanner.afterProbe(answers(PeerState.UNREACHABLE)))
        .isInstanceOf(BootPlanner.WaitForPartners.class);
  }

  @Test
  void aRegisteredMemberWithoutALogLostItAndIsRefused() {
    assertThat(BootPlanner.verdict(new GroupFacts(true, true, List.of(M1, M2, SELF)), false))
        .isInstanceOf(BootPlanner.RefuseAmnesia.class);
  }

  @Test
  void anUnregisteredFoundingMemberStartsLate() {
    assertThat(BootPlanner.verdict(new GroupFacts(true, false, List.of(M1, M2, SELF)), false))
        .isInstanceOf(BootPlanner.StartAsLateFounder.class);
  }

  @Test
  void aDirectoryThatRegisteredButNeverRanIsNotMistakenForALostLog() {
    // The start was interrupted after its registration committed, before its division ever ran.
    assertThat(BootPlanner.verdict(new GroupFacts(true, true, List.of(M1, M2, SELF)), true))
        .isInstanceOf(BootPlanner.StartAsLateFounder.class);
  }

  @Test
  void aMemberOutsideTheConfigurationIsRefusedWhateverItsRegistration() {
    for (boolean registered : new boolean[] {true, false}) {
      for (boolean cleared : new boolean[] {true, false}) {
        assertThat(BootPlanner.verdict(new GroupFacts(false, registered, List.of(M1, M2)), cleared))
            .isInstanceOfSatisfying(BootPlanner.RefuseNotAMember.class,
                r -> assertThat(r.voters()).containsExactly(M1, M2));
      }
    }
  }

  @Test
  void joiningRemovesOurOldEntryBeforeOurDivisionExists() {
    // Our own lost incarnation, at our address: nothing runs there but our bare server.
    assertThat(BootPlanner.joinStep(new JoinFacts(false, Optional.of(SELF), SELF, Optional.empty())))
        .isEqualTo(new BootPlanner.RemoveStaleEntry(SELF));
    // The machine we replace, at another address, answering nothing (or without the group).
    PeerAddress old = new PeerAddress("m3", "10.0.0.9", 5010);
    assertThat(BootPlanner.joinStep(new JoinFacts(false, Optional.of(old), SELF,
        Optional.of(Answer.without(old, PeerState.UNREACHABLE))))).isEqualTo(new BootPlanner.RemoveStaleEntry(old));
    assertThat(BootPlanner.joinStep(new JoinFacts(false, Optional.of(old), SELF,
        Optional.of(Answer.without(old, PeerState.NO_GROUP))))).isEqualTo(new BootPlanner.RemoveStaleEntry(old));
  }

  @Test
  void joiningIsRefusedWhenOurIdIsLiveElsewhere() {
    PeerAddress other = new PeerAddress("m3", "10.0.0.9", 5010);
    assertThat(BootPlanner.joinStep(new JoinFacts(false, Optional.of(other), SELF,
        Optional.of(Answer.without(other, PeerState.HAS_LOG))))).isEqualTo(new BootPlanner.RefuseDuplicate(other));
    assertThat(BootPlanner.joinStep(new JoinFacts(true, Optional.of(other), SELF,
        Optional.of(Answer.without(other, PeerState.EMPTY_LOG))))).isEqualTo(new BootPlanner.RefuseDuplicate(other));
  }

  @Test
  void joiningCreatesTheDivisionThenAsksToBeAddedThenIsDone() {
    assertThat(BootPlanner.joinStep(new JoinFacts(false, Optional.empty(), SELF, Optional.empty())))
        .isInstanceOf(BootPlanner.CreateDivision.class);
    assertThat(BootPlanner.joinStep(new JoinFacts(true, Optional.empty(), SELF, Optional.empty())))
        .isInstanceOf(BootPlanner.AddSelf.class);
    assertThat(BootPlanner.joinStep(new JoinFacts(true, Optional.of(SELF), SELF, Optional.empty())))
        .isInstanceOf(BootPlanner.Joined.class);
  }
}
