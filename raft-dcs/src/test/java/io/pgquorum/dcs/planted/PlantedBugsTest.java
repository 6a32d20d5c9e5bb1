package io.pgquorum.dcs.planted;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one seam for planted bugs: two variables to switch them on, unknown ids refused, always visible. */
class PlantedBugsTest {
  enum Bug implements PlantedBug {
    EARLY("early", "lease"), LATE("late", "epoch");

    private final String id;
    private final String breaks;

    Bug(String id, String breaks) {
      this.id = id;
      this.breaks = breaks;
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public String breaks() {
      return breaks;
    }

    @Override
    public String description() {
      return id + " bug";
    }
  }

  private static final List<Bug> KNOWN = List.of(Bug.values());
  private static final String OPT_IN = PlantedBugs.OPT_IN_VALUE;

  @Test
  void unsetOrBlankIsNormalOperation() {
    assertThat(PlantedBugs.fromEnvironment(Map.of(), KNOWN)).isEqualTo(PlantedBugs.NONE);
    assertThat(PlantedBugs.fromEnvironment(Map.of("PGQUORUM_PLANTED_BUG", " "), KNOWN)).isEqualTo(PlantedBugs.NONE);
    assertThat(PlantedBugs.NONE.logPrefix()).isEmpty();
    assertThat(PlantedBugs.NONE.ids()).isEmpty();
  }

  @Test
  void aListOfIdsWithTheOptInPlantsThoseBugs() {
    PlantedBugs bugs = PlantedBugs.fromEnvironment(
        Map.of("PGQUORUM_PLANTED_BUG", " Late ,early", "PGQUORUM_TEST_HARNESS", OPT_IN), KNOWN);
    assertThat(bugs.active(Bug.EARLY)).isTrue();
    assertThat(bugs.active(Bug.LATE)).isTrue();
    assertThat(bugs.ids()).containsExactly("early", "late");
    assertThat(bugs.logPrefix()).isEqualTo("[PLANTED BUG early,late] ");
    assertThat(bugs.warning()).contains("PLANTED BUG early,late", "deliberately unsafe");
    assertThat(bugs.ofType(Bug.class)).containsExactlyInAnyOrder(Bug.EARLY, Bug.LATE);
  }

  @Test
  void withoutTheSecondOptInTheVariableIsRefused() {
    // A variable copied from a test script into production must not produce a deliberately unsafe node.
    assertThatThrownBy(() -> PlantedBugs.fromEnvironment(Map.of("PGQUORUM_PLANTED_BUG", "early"), KNOWN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("PGQUORUM_PLANTED_BUG is set (early) but PGQUORUM_TEST_HARNESS is not plant-bugs");
    assertThatThrownBy(() -> PlantedBugs.fromEnvironment(
        Map.of("PGQUORUM_PLANTED_BUG", "early", "PGQUORUM_TEST_HARNESS", "yes"), KNOWN))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anUnknownIdIsRefusedNamingTheVariableAndTheKnownOnes() {
    assertThatThrownBy(() -> PlantedBugs.fromEnvironment(
        Map.of("PGQUORUM_PLANTED_BUG", "early,split-brain-please", "PGQUORUM_TEST_HARNESS", OPT_IN), KNOWN))
        .hasMessage("PGQUORUM_PLANTED_BUG: unknown planted bug split-brain-please (known: early, late; unset it "
            + "for normal operation)");
  }

  @Test
  void ofNamesExactlyTheGivenBugs() {
    assertThat(PlantedBugs.of()).isEqualTo(PlantedBugs.NONE);
    assertThat(PlantedBugs.of(Bug.LATE).active(Bug.EARLY)).isFalse();
    assertThat(PlantedBugs.of(Bug.LATE).toString()).isEqualTo("planted bugs [late]");
  }
}
