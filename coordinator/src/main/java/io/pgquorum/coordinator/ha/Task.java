package io.pgquorum.coordinator.ha;

/**
 * The long operations a plan can start in the background ({@link Action.TaskAction}), one at a time
 * ({@link TaskRunner}). An enum rather than free strings so that the decision, the status and the member key all
 * name a task the same way, and the compiler finds every place that must handle a new one.
 *
 * <p>The label is what logs and decision messages always said ("bootstrap in progress", "start primary failed:
 * ..."): kept byte for byte, operators grep for it.
 */
public enum Task {
  BOOTSTRAP("bootstrap"),
  CLONE("clone"),
  REJOIN("rejoin"),
  START_PRIMARY("start primary"),
  PROMOTE("promote"),
  RESTART("restart"),
  REINITIALIZE("reinitialize"),
  COPY_SLOTS("logical slot copy");

  private final String label;

  Task(String label) {
    this.label = label;
  }

  /** The task's name in messages, logs and failure texts. */
  public String label() {
    return label;
  }

  /** How a failure of this task reads ({@link TaskRunner}, and the decision's input {@link LocalState#failedTask}). */
  public String failure(String error) {
    return label + FAILED + error;
  }

  private static final String FAILED = " failed: ";

  /** The task a failure text ({@link #failure}) is about. */
  public static java.util.Optional<Task> ofFailure(String failure) {
    for (Task t : values()) {
      if (failure.startsWith(t.label + FAILED)) {
        return java.util.Optional.of(t);
      }
    }
    return java.util.Optional.empty();
  }

  /** The error of a failure text, without the "label failed: " in front (the whole text if it has none). */
  public static String errorOf(String failure) {
    return ofFailure(failure).map(t -> failure.substring((t.label + FAILED).length())).orElse(failure);
  }

  /**
   * Patroni's state string while this task runs (REST {@code state}, the member key's {@code state}). A
   * promotion reports "running": PostgreSQL keeps serving while it replays the rest of its WAL.
   *
   * @param customBootstrap a {@code bootstrap.method} other than initdb is configured
   */
  public String patroniState(boolean customBootstrap) {
    switch (this) {
      case CLONE:
        return "creating replica";
      case BOOTSTRAP:
        return customBootstrap ? "running custom bootstrap script" : "initializing new cluster";
      case REJOIN:
      case START_PRIMARY:
        return "starting";
      case PROMOTE:
        return "running";
      case RESTART:
        return "restarting";
      case REINITIALIZE:
        return "creating replica";
      case COPY_SLOTS:
        return "restarting";
      default:
        throw new AssertionError(this);
    }
  }
}
