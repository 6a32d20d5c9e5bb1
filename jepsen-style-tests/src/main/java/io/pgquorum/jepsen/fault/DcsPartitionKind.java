package io.pgquorum.jepsen.fault;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code dcs-partition} (shape, target): cuts the shape's directed links for the DCS only (Raft), while the nodes'
 * REST APIs and PostgreSQL replication still reach each other: the daemons lose the DCS but not each other, which
 * is what {@code failsafe_mode} is about. Isolating every node this way leaves no DCS majority anywhere. Never
 * drawn by the generator (weight 0): a hand-written schedule says what it tests. Overlapping DCS partitions keep a
 * cut count per link, as {@link PartitionKind} does; the two kinds compose (a Raft link is open only while neither
 * cuts it). Drivers that can cut the DCS alone say so ({@link FaultTarget#canCutDcsOnly}).
 */
final class DcsPartitionKind extends FaultKind<Fault.DcsPartition> {
  DcsPartitionKind() {
    super("dcs-partition", Fault.DcsPartition.class, 0, List.of("shape", "target"));
  }

  @Override
  protected void write(Fault.DcsPartition p, Map<String, Object> out) {
    out.put("shape", ScheduleJson.token(p.shape()));
    out.put("target", p.target().spec());
  }

  @Override
  protected Fault.DcsPartition read(FaultFields in) {
    return new Fault.DcsPartition(in.constant("shape", PartitionShape.class), in.target());
  }

  @Override
  protected String describe(Fault.DcsPartition p) {
    return "dcs-partition " + ScheduleJson.token(p.shape()) + " of " + p.target();
  }

  @Override
  protected Target target(Fault.DcsPartition p) {
    return p.target();
  }

  @Override
  protected Set<Link> links(Fault.DcsPartition p, int size, int node) {
    return Partitions.links(p.shape(), size, node);
  }

  @Override
  protected int historyNode(Fault.DcsPartition p, int node) {
    return p.shape() == PartitionShape.MAJORITIES_RING ? -1 : node; // the ring ignores its target
  }

  @Override
  protected String resolvedSuffix(Fault.DcsPartition p, Set<Link> links) {
    return " cuts the DCS on " + links;
  }

  @Override
  protected boolean supportedBy(Fault.DcsPartition p, FaultTarget driver) {
    return driver.canCutDcsOnly();
  }

  @Override
  protected String resource(Fault.DcsPartition p, AppliedFault a) {
    return "dcs-network";
  }

  @Override
  protected void apply(Fault.DcsPartition p, AppliedFault a, FaultLedger ledger, FaultTarget driver) {
    Set<Link> fresh = ledger.hold(a.links());
    if (!fresh.isEmpty()) {
      driver.cutDcs(fresh);
    }
  }

  @Override
  protected void heal(Fault.DcsPartition p, AppliedFault a, FaultLedger ledger, FaultTarget driver) {
    Set<Link> healed = ledger.release(a.links());
    if (!healed.isEmpty()) {
      driver.restoreDcs(healed);
    }
  }
}
