package io.pgquorum.coordinator.config;

/**
 * The events a {@code postgresql.callbacks} script can be attached to, as Patroni names them: the name is the key
 * in the YAML and the script's first argument ({@code <cmd> <action> <role> <scope>}).
 */
public enum CallbackAction {
  ON_START("on_start"),
  ON_STOP("on_stop"),
  ON_RESTART("on_restart"),
  ON_RELOAD("on_reload"),
  ON_ROLE_CHANGE("on_role_change");

  private final String key;

  CallbackAction(String key) {
    this.key = key;
  }

  /** The YAML key and the script's action argument. */
  public String key() {
    return key;
  }
}
