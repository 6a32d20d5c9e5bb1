package io.pgquorum.jepsen.checker;

import io.pgquorum.jepsen.history.Op;
import io.pgquorum.jepsen.history.OpType;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A single register holding a Long, or nothing ({@code null} = the key is absent).
 *
 * <ul>
 *   <li>{@code read}: an OK read must return the current value ({@code null} when absent);
 *   <li>{@code write v}: the value becomes {@code v};
 *   <li>{@code cas [expected, new]}: legal only when the current value equals {@code expected}, then it becomes
 *       {@code new}. An OK cas took effect. An unknown-outcome cas is modelled as "took effect", so it can only be
 *       placed where the condition held; choosing not to place it at all covers "it did not take effect".
 * </ul>
 *
 * <p>A FAIL cas (the condition did not hold) is dropped before the search: it changed nothing, so dropping it can
 * never make a valid history look invalid; it only forgoes checking its observation that the value differed.
 *
 * @param value the current value, null when absent
 */
public record RegisterModel(Long value) implements Model {

  /** The register before any write: absent. */
  public static RegisterModel empty() {
    return new RegisterModel(null);
  }

  @Override
  public Optional<Model> step(Op invoke, Op completion) {
    boolean known = completion != null && completion.type() == OpType.OK;
    switch (invoke.f()) {
      case "read":
        if (!known || Objects.equals(value, completion.value())) {
          return Optional.of(this);
        }
        return Optional.empty();
      case "write":
        return Optional.of(new RegisterModel(invoke.longValue()));
      case "cas":
        List<Long> arg = invoke.longList();
        if (arg.size() != 2) {
          throw new IllegalArgumentException("op " + invoke.index() + ": cas value must be [expected, new], got "
              + arg);
        }
        if (!Objects.equals(value, arg.get(0))) {
          return Optional.empty();
        }
        return Optional.of(new RegisterModel(arg.get(1)));
      default:
        throw new IllegalArgumentException("op " + invoke.index() + ": the register model has no operation \""
            + invoke.f() + "\" (expected read, write or cas)");
    }
  }

  @Override
  public boolean readOnly(Op invoke) {
    return "read".equals(invoke.f());
  }

  @Override
  public Optional<Object> overwrites(Op invoke) {
    switch (invoke.f()) {
      case "write":
        return Optional.of(invoke.longValue());
      case "cas":
        List<Long> arg = invoke.longList();
        return arg.size() == 2 ? Optional.of(arg.get(1)) : Optional.empty();
      default:
        return Optional.empty();
    }
  }

  @Override
  public Optional<Object> observes(Op invoke, Op completion) {
    switch (invoke.f()) {
      case "read":
        if (completion == null || completion.type() != OpType.OK || completion.value() == null) {
          return Optional.empty();
        }
        return Optional.of(completion.value() instanceof Number n ? (Object) n.longValue() : completion.value());
      case "cas":
        List<Long> arg = invoke.longList();
        return arg.size() == 2 && arg.get(0) != null ? Optional.of(arg.get(0)) : Optional.empty();
      default:
        return Optional.empty();
    }
  }
}
