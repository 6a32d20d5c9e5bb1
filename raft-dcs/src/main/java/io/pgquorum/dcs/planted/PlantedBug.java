package io.pgquorum.dcs.planted;

/**
 * A deliberate bug that the fault-injection harness can switch on to prove that a checker can fail (a check
 * that cannot fail proves nothing). Each module lists its own bugs in an enum implementing this interface; all
 * of them are switched on through the one seam, {@link PlantedBugs}.
 */
public interface PlantedBug {
  /** The name used in {@value PlantedBugs#VARIABLE}, e.g. {@code skip-demote-on-lost-lease}. */
  String id();

  /** The checked property this bug must break (the harness's checker name), e.g. {@code epoch}. */
  String breaks();

  /** What the bug does, for logs and {@code --help}. */
  String description();
}
