package io.pgquorum.coordinator.ha;

/**
 * How the loop answers a {@link LocalRequest}: Patroni's HTTP status and text for each outcome (A.3, A.5 of the
 * operations reference), so that scripts written against Patroni read the same answers.
 */
public enum RequestAnswer {
  RESTARTED(200, "restarted successfully"),
  RESTART_FAILED(503, "restart failed"),
  RESTART_CONDITIONS_NOT_SATISFIED(503, "restart conditions are not satisfied"),
  RESTART_SCHEDULED(202, "Restart scheduled"),
  RESTART_ALREADY_SCHEDULED(409, "Another restart is already scheduled"),
  SCHEDULED_RESTART_DELETED(200, "scheduled restart deleted"),
  NO_RESTART_SCHEDULED(404, "no restarts are scheduled"),
  STILL_STARTING(503, "postgres is still starting"),
  REINITIALIZE_STARTED(200, "reinitialize started"),
  NO_LEADER_NO_REINITIALIZE(503, "Cluster has no leader, can not reinitialize"),
  LEADER_NO_REINITIALIZE(503, "I am the leader, can not reinitialize"),
  DCS_UNREACHABLE(503, "DCS is not accessible"),
  SHUTTING_DOWN(503, "shutting down"),
  RELOADED(202, "reload scheduled"),
  /** A task runs; the text is completed with its label ({@link #text(Task)}). */
  IN_PROGRESS(503, "%s already in progress");

  private final int status;
  private final String text;

  RequestAnswer(int status, String text) {
    this.status = status;
    this.text = text;
  }

  public int status() {
    return status;
  }

  public String text() {
    return text;
  }

  /** The text of {@link #IN_PROGRESS} for {@code running}. */
  public static String text(Task running) {
    return String.format(java.util.Locale.ROOT, IN_PROGRESS.text, running.label());
  }
}
