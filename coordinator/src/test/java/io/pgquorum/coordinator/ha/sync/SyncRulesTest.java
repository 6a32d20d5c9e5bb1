package io.pgquorum.coordinator.ha.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.config.SyncMode;
import io.pgquorum.coordinator.config.SyncSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Seeded random sequences of member, lag, tag and setting changes, commits and primary cycles (some interrupted
 * mid-plan, as by a crash or a lost compare-and-set), applied step by step to {@link SyncModel}; after every event
 * and every step of a plan the oracle checks that no node {@link SyncPromotion} allows would lose a commit
 * PostgreSQL acknowledged under synchronous replication, that in on mode the key names only standbys every commit
 * waits for, and only those may be promoted. Our own generator and shrinker: a failure prints the seed and the
 * shortest sequence still failing the same way. The planted bugs (the ordering reversed, publishing before
 * confirmation) must make the check fail.
 */
class SyncRulesTest {
  static final int SEQUENCES = 1_500;
  /** A fixed base so runs are reproducible; a failure prints the seed to replay alone. */
  static final long BASE_SEED = Long.getLong("sync.seed", 0x5eed_14L);

  record Event(String kind, String node, int value) {
    @Override
    public String toString() {
      return kind + (node.isEmpty() ? "" : " " + node) + (value == Integer.MIN_VALUE ? "" : " " + value);
    }
  }

  record Failure(long seed, int standbys, List<Event> events, String violation, List<String> log) {
    String kind() {
      return violation.substring(0, Math.max(violation.indexOf(':'), 0));
    }
  }

  static Event ev(String kind) {
    return new Event(kind, "", Integer.MIN_VALUE);
  }

  static Event ev(String kind, String node) {
    return new Event(kind, node, Integer.MIN_VALUE);
  }

  static Event ev(String kind, String node, int value) {
    return new Event(kind, node, value);
  }

  static List<Event> generate(SplittableRandom r, int standbys) {
    List<Event> p = new ArrayList<>();
    p.add(ev("mode", "", r.nextInt(3) == 0 ? 2 : 1));
    p.add(ev("count", "", r.nextInt(1, 3)));
    if (r.nextInt(4) == 0) {
      p.add(ev("strict", "", 1));
    }
    if (r.nextInt(4) == 0) {
      p.add(ev("maxlag", "", r.nextInt(1, 4)));
    }
    for (int i = 1; i <= standbys; i++) {
      p.add(ev("connect", "s" + i));
    }
    int length = r.nextInt(20, 60);
    for (int i = 0; i < length; i++) {
      String node = "s" + r.nextInt(1, standbys + 1);
      int w = r.nextInt(100);
      if (w < 25) {
        p.add(ev("cycle", "", r.nextInt(6) == 0 ? r.nextInt(0, 3) : 99));
      } else if (w < 45) {
        p.add(ev("commit"));
      } else if (w < 58) {
        p.add(ev("replicate"));
      } else if (w < 63) {
        p.add(ev("catchup", node));
      } else if (w < 68) {
        p.add(ev("connect", node));
      } else if (w < 73) {
        p.add(ev("disconnect", node));
      } else if (w < 78) {
        p.add(ev("lag", node, r.nextInt(2)));
      } else if (w < 83) {
        p.add(ev("nosync", node, r.nextInt(2)));
      } else if (w < 88) {
        p.add(ev("priority", node, r.nextInt(-1, 3)));
      } else if (w < 92) {
        p.add(ev("count", "", r.nextInt(1, standbys + 1)));
      } else if (w < 95) {
        p.add(ev("strict", "", r.nextInt(2)));
      } else if (w < 98) {
        p.add(ev("mode", "", r.nextInt(3)));
      } else {
        p.add(ev("maxlag", "", r.nextInt(-1, 4)));
      }
    }
    return p;
  }

  /** Runs {@code events}; the first violation, or empty. */
  static Optional<Failure> run(long seed, int standbys, List<Event> events, SyncRules.Planted bug) {
    SyncModel m = new SyncModel(standbys, bug);
    for (Event e : events) {
      m.log.add(e.toString());
      apply(m, e);
      List<String> v = m.violations();
      if (!v.isEmpty()) {
        m.log.add("  state: " + m.state());
        return Optional.of(new Failure(seed, standbys, events, v.get(0), m.log));
      }
    }
    return Optional.empty();
  }

  private static void apply(SyncModel m, Event e) {
    SyncSettings s = m.settings;
    switch (e.kind()) {
      case "commit" -> m.commit();
      case "replicate" -> m.replicate();
      case "catchup" -> m.catchUp(e.node());
      case "connect" -> m.connect(e.node(), true);
      case "disconnect" -> m.connect(e.node(), false);
      case "lag" -> m.nodes.get(e.node()).lagging = e.value() == 1;
      case "nosync" -> m.nodes.get(e.node()).nosync = e.value() == 1;
      case "priority" -> m.nodes.get(e.node()).priority = e.value();
      case "count" -> m.settings = new SyncSettings(s.mode(), s.strict(), e.value(), s.maximumLag());
      case "strict" -> m.settings = new SyncSettings(s.mode(), e.value() == 1, s.nodeCount(), s.maximumLag());
      case "maxlag" -> m.settings = new SyncSettings(s.mode(), s.strict(), s.nodeCount(), e.value());
      case "mode" -> m.mode(SyncMode.values()[e.value()]);
      case "cycle" -> m.cycle(e.value());
      default -> throw new IllegalArgumentException(e.kind());
    }
  }

  /** Deletes events one at a time while the sequence still fails the same way, until none can go. */
  static Failure shrink(Failure f, SyncRules.Planted bug) {
    Failure best = f;
    boolean progress = true;
    while (progress) {
      progress = false;
      for (int i = 0; i < best.events().size(); i++) {
        List<Event> fewer = new ArrayList<>(best.events());
        fewer.remove(i);
        Optional<Failure> again = run(best.seed(), best.standbys(), fewer, bug);
        if (again.isPresent() && again.get().kind().equals(best.kind())) {
          best = again.get();
          progress = true;
          break;
        }
      }
    }
    return best;
  }

  static Optional<Failure> explore(SyncRules.Planted bug, int sequences) {
    for (int i = 0; i < sequences; i++) {
      long seed = BASE_SEED + i;
      SplittableRandom r = new SplittableRandom(seed);
      int standbys = r.nextInt(2, 5);
      Optional<Failure> f = run(seed, standbys, generate(r, standbys), bug);
      if (f.isPresent()) {
        return Optional.of(shrink(f.get(), bug));
      }
    }
    return Optional.empty();
  }

  static String report(Failure f) {
    return "seed " + f.seed() + " (replay alone with -Dsync.seed=" + f.seed() + "), " + f.standbys()
        + " standbys: " + f.violation() + "\nshrunk sequence and what the primary did:\n"
        + String.join("\n", f.log());
  }

  @Test
  void noAcknowledgedCommitIsLostAlongSeededSequences() {
    Optional<Failure> f = explore(SyncRules.Planted.NONE, SEQUENCES);
    assertThat(f.map(SyncRulesTest::report)).as("a sequence broke an invariant").isEmpty();
  }

  /** The check is not vacuous: the ordering reversed on removal must make it fail. */
  @Test
  void shrinkingTheNamesBeforeTheKeyIsCaught() {
    Optional<Failure> f = explore(SyncRules.Planted.SHRINK_NAMES_FIRST, SEQUENCES);
    assertThat(f).as("the planted bug SHRINK_NAMES_FIRST went unnoticed").isPresent();
    System.out.println("planted SHRINK_NAMES_FIRST caught: " + report(f.get()));
  }

  /** Quorum mode: a quorum lowered before the voters are confirmed must make the check fail. */
  @Test
  void loweringTheQuorumWithoutEvidenceIsCaught() {
    Optional<Failure> f = explore(SyncRules.Planted.LOWER_QUORUM_UNCONFIRMED, SEQUENCES);
    assertThat(f).as("the planted bug LOWER_QUORUM_UNCONFIRMED went unnoticed").isPresent();
    assertThat(f.get().violation()).startsWith("lost acknowledged commits");
    System.out.println("planted LOWER_QUORUM_UNCONFIRMED caught: " + report(f.get()));
  }

  /** The planted bug: a standby published in the key before PostgreSQL treats it as synchronous. */
  @Test
  void publishingBeforeConfirmationIsCaught() {
    Optional<Failure> f = explore(SyncRules.Planted.PUBLISH_UNCONFIRMED, SEQUENCES);
    assertThat(f).as("the planted bug PUBLISH_UNCONFIRMED went unnoticed").isPresent();
    assertThat(f.get().violation()).startsWith("lost acknowledged commits");
    System.out.println("planted PUBLISH_UNCONFIRMED caught: " + report(f.get()));
  }
}
