package io.pgquorum.coordinator.config;

import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * The scripts pgquorum runs around PostgreSQL's life ({@code postgresql.callbacks}, {@code pre_promote},
 * {@code before_stop}), as configured: command lines, split into argv without a shell when they run.
 *
 * @param callbacks the asynchronous callbacks by event ({@code <cmd> <action> <role> <scope>})
 * @param prePromote run, and waited for, after the leader lock is taken and before the promotion; a non-zero exit
 *     aborts the promotion and gives the lock back
 * @param beforeStop run, and waited for, before PostgreSQL is stopped; its exit code is ignored
 */
public record CallbacksConfig(Map<CallbackAction, String> callbacks, Optional<String> prePromote,
    Optional<String> beforeStop) {
  /** No scripts at all. */
  public static final CallbacksConfig NONE = new CallbacksConfig(Map.of(), Optional.empty(), Optional.empty());

  public CallbacksConfig {
    callbacks = callbacks.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(callbacks));
  }

  /** The command configured for {@code action}, if any. */
  public Optional<String> command(CallbackAction action) {
    return Optional.ofNullable(callbacks.get(action));
  }
}
