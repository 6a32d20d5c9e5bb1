package io.pgquorum.jepsen.checker;

import io.pgquorum.jepsen.history.Op;
import io.pgquorum.jepsen.history.OpType;
import java.util.List;
import java.util.Optional;

/**
 * A lease key as a sequential object: free, or held by one <em>incarnation</em> {@code [owner, createRevision]}
 * (see {@link io.pgquorum.jepsen.dcs.LeaseWorkload} for the history conventions). The DCS may expire the holder at
 * any moment; <em>when</em> it may is {@link LeaseExpiryChecker}'s business, this model checks everything else:
 * one holder at a time, an incarnation that is gone never comes back, create revisions only grow, only the holder
 * refreshes or releases, and every read shows the current incarnation or absence.
 *
 * <ul>
 *   <li>{@code acquire o}: OK with {@code [o, r]}: the key becomes {@code [o, r]}; legal when free, and when held
 *       (then the holder expired first), provided {@code r} is above every create revision seen before. An
 *       unknown-outcome acquire that took effect holds with a revision not known yet (bound by the first read,
 *       refresh or release that shows it); not placing it covers "it did not take effect";
 *   <li>{@code refresh [o, r]}: OK only while {@code [o, r]} holds; no change (a refresh changes only timing). An
 *       unknown-outcome refresh changes nothing here, so it is dropped like a read;
 *   <li>{@code release [o, r]}: only while {@code [o, r]} holds; the key becomes free;
 *   <li>{@code read}: OK {@code null}: the key is free (a holder expired just before, if it was held); OK
 *       {@code [o, r]}: that incarnation holds.
 * </ul>
 *
 * <p>Expiry is taken lazily, at the first operation that needs the key free (an absent read, another acquire):
 * every linearization with an explicit expiry at some earlier point maps onto one with the expiry just there,
 * because nothing between the two may observe the holder (that would contradict the expiry), so the model stays
 * deterministic. FAIL operations are dropped by the checker before the search (their observations, "gone" or "held
 * by someone else", are what {@link LeaseExpiryChecker} uses).
 *
 * @param owner the holder, null when free
 * @param revision the holder's create revision; 0 when free, or when held through an unknown-outcome acquire whose
 *     revision no operation has shown yet
 * @param lastRevision the highest create revision placed so far (create revisions are Raft indexes: they grow)
 */
public record LeaseModel(String owner, long revision, long lastRevision) implements Model {

  /** The key before anyone acquired it. */
  public static LeaseModel free() {
    return new LeaseModel(null, 0, 0);
  }

  @Override
  public Optional<Model> step(Op invoke, Op completion) {
    boolean known = completion != null && completion.type() == OpType.OK;
    switch (invoke.f()) {
      case "acquire": {
        String who = ownerArg(invoke);
        if (!known) {
          return Optional.of(new LeaseModel(who, 0, lastRevision));
        }
        Incarnation got = incarnation(completion, "acquire result");
        if (got == null || !got.owner().equals(who) || got.revision() <= lastRevision) {
          return Optional.empty();
        }
        return Optional.of(new LeaseModel(who, got.revision(), got.revision()));
      }
      case "refresh": {
        if (!known) {
          return Optional.of(this);
        }
        return holding(incarnation(invoke, "refresh argument"));
      }
      case "release": {
        Incarnation arg = incarnation(invoke, "release argument");
        return holding(arg).map(held -> new LeaseModel(null, 0, ((LeaseModel) held).lastRevision()));
      }
      case "read": {
        if (!known) {
          return Optional.of(this);
        }
        Incarnation seen = incarnation(completion, "read result");
        if (seen == null) {
          return Optional.of(new LeaseModel(null, 0, lastRevision));
        }
        return holding(seen);
      }
      default:
        throw new IllegalArgumentException("op " + invoke.index() + ": the lease model has no operation \""
            + invoke.f() + "\" (expected acquire, refresh, release or read)");
    }
  }

  /** This state if {@code inc} is what holds (binding a not-yet-known revision), else empty. */
  private Optional<Model> holding(Incarnation inc) {
    if (inc == null || owner == null || !owner.equals(inc.owner())) {
      return Optional.empty();
    }
    if (revision == inc.revision()) {
      return Optional.of(this);
    }
    if (revision == 0 && inc.revision() > lastRevision) {
      return Optional.of(new LeaseModel(owner, inc.revision(), inc.revision()));
    }
    return Optional.empty();
  }

  /** Reads and unknown-outcome refreshes change nothing here. */
  @Override
  public boolean readOnly(Op invoke) {
    return "read".equals(invoke.f()) || "refresh".equals(invoke.f());
  }

  /** {@code [owner, createRevision]}. */
  record Incarnation(String owner, long revision) {}

  /** The incarnation an op's value names; null for a null value; throws (naming the op) for anything else. */
  static Incarnation incarnation(Op op, String what) {
    Object v = op.value();
    if (v == null) {
      return null;
    }
    Incarnation inc = parse(v);
    if (inc == null) {
      throw new IllegalArgumentException("op " + op.index() + ": " + what + " must be [owner, createRevision] or "
          + "null, got " + v);
    }
    return inc;
  }

  /** {@code [owner, createRevision]} as an incarnation, or null when {@code v} is not one. */
  static Incarnation parse(Object v) {
    if (v instanceof List<?> l && l.size() == 2 && l.get(0) instanceof String o && l.get(1) instanceof Long r
        && r > 0) {
      return new Incarnation(o, r);
    }
    return null;
  }

  private static String ownerArg(Op invoke) {
    if (invoke.value() instanceof String s) {
      return s;
    }
    throw new IllegalArgumentException("op " + invoke.index() + ": acquire value must be the owner name, got "
        + invoke.value());
  }
}
