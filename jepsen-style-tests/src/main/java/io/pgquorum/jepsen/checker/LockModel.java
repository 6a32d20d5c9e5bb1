package io.pgquorum.jepsen.checker;

import io.pgquorum.jepsen.history.Op;
import io.pgquorum.jepsen.history.OpType;
import java.util.Objects;
import java.util.Optional;

/**
 * The leader lock as a create-if-absent key: free ({@code owner == null}) or held by one owner.
 *
 * <ul>
 *   <li>{@code acquire o}: legal only when the lock is free; it becomes held by {@code o}. Re-acquiring by the
 *       current holder is NOT modelled as success: the DCS lock is create-if-absent, so a holder that tries again
 *       gets FAIL, and an OK there would be a real anomaly;
 *   <li>{@code release o}: legal only when held by {@code o}; the lock becomes free;
 *   <li>{@code read}: an OK read returns the owner, or {@code null} when free.
 * </ul>
 *
 * <p>FAIL acquires and releases are dropped before the search, as Jepsen does. That is sound: a FAIL changed
 * nothing (create-if-absent refused, or delete-if-owner refused), so removing it cannot turn a valid history
 * invalid, and every mutual-exclusion violation (two owners both told OK, a release by a non-holder told OK, a
 * read showing an impossible owner) is carried by OK operations, which are all kept. What is given up is only the
 * weaker observation "someone held the lock at that moment". Unknown-outcome acquires/releases are modelled as
 * "took effect"; not placing them at all covers "did not take effect".
 *
 * @param owner the holder, null when free
 */
public record LockModel(String owner) implements Model {

  /** The lock before anyone acquired it. */
  public static LockModel free() {
    return new LockModel(null);
  }

  @Override
  public Optional<Model> step(Op invoke, Op completion) {
    switch (invoke.f()) {
      case "acquire":
        return owner == null ? Optional.of(new LockModel(ownerArg(invoke))) : Optional.empty();
      case "release":
        return owner != null && owner.equals(ownerArg(invoke)) ? Optional.of(free()) : Optional.empty();
      case "read":
        boolean known = completion != null && completion.type() == OpType.OK;
        return !known || Objects.equals(owner, completion.value()) ? Optional.of(this) : Optional.empty();
      default:
        throw new IllegalArgumentException("op " + invoke.index() + ": the lock model has no operation \""
            + invoke.f() + "\" (expected acquire, release or read)");
    }
  }

  @Override
  public boolean readOnly(Op invoke) {
    return "read".equals(invoke.f());
  }

  private static String ownerArg(Op invoke) {
    if (invoke.value() instanceof String s) {
      return s;
    }
    throw new IllegalArgumentException("op " + invoke.index() + ": " + invoke.f()
        + " value must be the owner name, got " + invoke.value());
  }
}
