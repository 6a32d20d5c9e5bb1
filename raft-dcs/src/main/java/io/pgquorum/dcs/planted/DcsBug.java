package io.pgquorum.dcs.planted;

/**
 * The DCS's planted bugs, for the fault-injection harness only (see {@link PlantedBugs} for how they are switched
 * on and shown). Each hook is one small, commented branch marked {@code PLANTED BUG} at the point it perturbs. They
 * exist to prove that the harness's DCS checkers can fail: with the bug on, the saved schedule under
 * {@code jepsen-style-tests/src/test/resources/planted/<id>.json} must turn the checker named by {@link #breaks()}
 * red.
 */
public enum DcsBug implements PlantedBug {
  /**
   * The Raft leader's {@link io.pgquorum.dcs.lease.LeaseTracker} expires a lease half its ttl after it applied the
   * write or refresh that armed it, instead of {@code ttl (1+rho)/(1-rho)}: no drift margin, and half the wait the
   * owner counts on. An owner refreshing every 0.6 ttl loses its lease in between.
   */
  EARLY_EXPIRY("early-expiry", "lease-expiry(dcs-lease)",
      "the DCS leader expires leases after half their ttl, ignoring the drift margin"),
  /**
   * Linearizable reads ({@code Dcs.get}, {@code Dcs.read}) of a Ratis client are answered by the client's local
   * member from its own applied state, without a ReadIndex round: a member cut off from the majority (or merely
   * behind) answers with what it last applied, as {@code readLocal} does, while claiming linearizability.
   */
  STALE_READ("stale-read", "linearizable(dcs-register)",
      "linearizable reads are answered from the local member's state without ReadIndex"),
  /**
   * With leader-local lease refresh ({@code LeaseRefreshMode.LEADER_LOCAL}), a member answers a refresh from its own
   * state as soon as it arrives: neither does it check that it is the ready Raft leader nor wait for a majority to
   * confirm its term. A member cut off from the majority keeps "refreshing" its clients' leases while the new
   * leader, which never heard of those refreshes, expires them a ttl after its election. The harness's clients
   * send their leader-local refreshes to their local member (a correct member would refuse them unless it leads),
   * so that the member left alone keeps being asked instead of only until the client's next read finds the new
   * leader.
   */
  REFRESH_WITHOUT_LEADERSHIP_CHECK("refresh-without-leadership-check", "lease-expiry(dcs-lease)",
      "leader-local lease refreshes are answered without confirming leadership"),
  /**
   * Linearizable reads rely on Ratis' ReadIndex alone, as before the DCS confirmed them itself: a leader answers
   * a read whose commit index an earlier round already confirmed without asking anyone again, so a leader cut off
   * from its majority keeps answering from its old state until it steps down (about one max election timeout),
   * while the majority may already have elected another leader and written. Followers serve reads too.
   *
   * <p>No saved schedule: the window needs the old leader's last commit index confirmed by a read round before
   * the cut, i.e. a write-free round trip just before it, which the harness's continuous writers rarely leave
   * (isolating the leader with this bug stayed green). Its proof is {@code PlantedDcsBugsTest}, which reads from a
   * leader whose majority stopped: refused by a correct member, answered with this bug.
   */
  READ_INDEX_ONLY("read-index-only", "linearizable(dcs-register)",
      "linearizable reads are confirmed by Ratis' ReadIndex alone, which skips the heartbeat round when an earlier "
          + "read confirmed the same commit index");

  private final String id;
  private final String breaks;
  private final String description;

  DcsBug(String id, String breaks, String description) {
    this.id = id;
    this.breaks = breaks;
    this.description = description;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String breaks() {
    return breaks;
  }

  @Override
  public String description() {
    return description;
  }
}
