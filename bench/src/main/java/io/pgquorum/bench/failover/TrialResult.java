package io.pgquorum.bench.failover;

/**
 * One failover trial's outcome.
 *
 * @param oldPrimary the node the fault hit
 * @param newPrimary the node the first write committed on
 * @param phases the timing split
 * @param sawKeyGone whether the observer saw the DCS without the old leader key before a new holder
 * @param sawNewLeader whether the observer saw the new holder before the first write
 * @param dcsOutage whether and how long the observers' reads went unanswered after the fault
 */
public record TrialResult(int oldPrimary, int newPrimary, Phases phases, boolean sawKeyGone,
    boolean sawNewLeader, DcsOutage dcsOutage) {}
