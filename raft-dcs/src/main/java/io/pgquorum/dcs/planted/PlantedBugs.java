package io.pgquorum.dcs.planted;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The one seam for every test hook in pgquorum (after Ratis' {@code CodeInjectionForTesting}): the set of
 * {@link PlantedBug}s active in this process, an immutable value handed to the components that carry a hook.
 * Each hook is one small, commented branch at the point it perturbs: {@code if (bugs.active(X)) { ... }}.
 *
 * <p>Switching bugs on takes two things, both read only by the harness's entry points ({@code bin/pgquorum}'s
 * {@code Main} and the harness's DCS member), never by the embedding API ({@code PgQuorumNode.start(config)}):
 * <ul>
 *   <li>{@value #VARIABLE}: a comma-separated list of bug ids;
 *   <li>{@value #OPT_IN}{@code =}{@value #OPT_IN_VALUE}: a second, harness-only opt-in, so that a stray
 *       variable in a production environment (copied from a test script, say) stops the start with an error
 *       instead of running a deliberately unsafe node.
 * </ul>
 * An active bug is never silent: nodes show it in {@code /patroni}, {@code /metrics} and on every log line.
 */
public final class PlantedBugs {
  /** The environment variable that names the bugs to plant (comma-separated ids). */
  public static final String VARIABLE = "PGQUORUM_PLANTED_BUG";
  /** The second opt-in, set only by the fault-injection harness. */
  public static final String OPT_IN = "PGQUORUM_TEST_HARNESS";
  /** The value {@link #OPT_IN} must have. */
  public static final String OPT_IN_VALUE = "plant-bugs";

  /** Normal operation: no bug planted. */
  public static final PlantedBugs NONE = new PlantedBugs(Set.of());

  private final Set<PlantedBug> active;

  private PlantedBugs(Set<PlantedBug> active) {
    this.active = Set.copyOf(active);
  }

  /** Exactly these bugs (tests and harness entry points). */
  public static PlantedBugs of(PlantedBug... bugs) {
    return bugs.length == 0 ? NONE : new PlantedBugs(new LinkedHashSet<>(List.of(bugs)));
  }

  /** Whether {@code bug} is planted. */
  public boolean active(PlantedBug bug) {
    return active.contains(bug);
  }

  public boolean isEmpty() {
    return active.isEmpty();
  }

  /** The active bugs' ids, sorted (for status documents, metrics and log lines). */
  public List<String> ids() {
    return active.stream().map(PlantedBug::id).sorted().toList();
  }

  /** The active bugs that belong to {@code type} (a module's own enum). */
  public <T extends PlantedBug> Set<T> ofType(Class<T> type) {
    Set<T> out = new LinkedHashSet<>();
    for (PlantedBug b : active) {
      if (type.isInstance(b)) {
        out.add(type.cast(b));
      }
    }
    return out;
  }

  /**
   * The bugs the environment asks for, among {@code known}.
   *
   * @throws IllegalArgumentException naming the variable: an unknown id, or {@value #VARIABLE} set without
   *     the harness opt-in
   */
  public static PlantedBugs fromEnvironment(Map<String, String> env, Collection<? extends PlantedBug> known) {
    String value = env.get(VARIABLE);
    if (value == null || value.isBlank()) {
      return NONE;
    }
    if (!OPT_IN_VALUE.equals(env.get(OPT_IN))) {
      throw new IllegalArgumentException(VARIABLE + " is set (" + value.trim() + ") but " + OPT_IN + " is not "
          + OPT_IN_VALUE + ": planted bugs make a node deliberately unsafe and exist for pgquorum's "
          + "fault-injection harness only; unset " + VARIABLE + " for normal operation");
    }
    Set<PlantedBug> chosen = new LinkedHashSet<>();
    for (String part : value.split(",")) {
      String id = part.trim().toLowerCase(Locale.ROOT);
      if (id.isEmpty()) {
        continue;
      }
      PlantedBug match = null;
      for (PlantedBug b : known) {
        if (b.id().equals(id)) {
          match = b;
        }
      }
      if (match == null) {
        List<String> ids = new ArrayList<>();
        known.forEach(b -> ids.add(b.id()));
        throw new IllegalArgumentException(VARIABLE + ": unknown planted bug " + part.trim() + " (known: "
            + String.join(", ", ids) + "; unset it for normal operation)");
      }
      chosen.add(match);
    }
    return chosen.isEmpty() ? NONE : new PlantedBugs(chosen);
  }

  /** The loud warning a process logs at start when bugs are active. */
  public String warning() {
    return "!!! PLANTED BUG " + String.join(",", ids()) + " active (" + VARIABLE + "): this process is "
        + "deliberately unsafe, for pgquorum's fault-injection harness only !!!";
  }

  /** The prefix every log line carries while bugs are active (empty when none). */
  public String logPrefix() {
    return active.isEmpty() ? "" : "[PLANTED BUG " + String.join(",", ids()) + "] ";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PlantedBugs p && p.active.equals(active);
  }

  @Override
  public int hashCode() {
    return active.hashCode();
  }

  @Override
  public String toString() {
    return active.isEmpty() ? "no planted bugs" : "planted bugs " + ids();
  }
}
