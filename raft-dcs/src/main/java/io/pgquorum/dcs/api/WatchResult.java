package io.pgquorum.dcs.api;

/**
 * The end of a {@link Dcs#watch} wait.
 *
 * @param changed true when a change above the requested revision happened, false when the wait timed out
 * @param revision the revision of the change that woke the watch, or the member's applied revision on timeout
 */
public record WatchResult(boolean changed, long revision) {}
