package io.pgquorum.jepsen.fault;

import io.pgquorum.jepsen.gen.GeneratorSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code partition} (shape, target): cuts the shape's directed links. Overlapping partitions keep a cut count per
 * link: a link is cut when its count goes from 0 to 1 and restored only when it is back to 0, so healing one
 * partition never heals another's links. Every driver can cut links.
 */
final class PartitionKind extends FaultKind<Fault.Partition> {
  PartitionKind() {
    super("partition", Fault.Partition.class, 1, List.of("shape", "target"));
  }

  @Override
  protected void write(Fault.Partition p, Map<String, Object> out) {
    out.put("shape", ScheduleJson.token(p.shape()));
    out.put("target", p.target().spec());
  }

  @Override
  protected Fault.Partition read(FaultFields in) {
    return new Fault.Partition(in.constant("shape", PartitionShape.class), in.target());
  }

  @Override
  protected Fault.Partition generate(FaultDraw draw) {
    PartitionShape shape = draw.pick(draw.shapes());
    // The ring ignores its target; name node:0 so equal faults look equal.
    Target t = shape == PartitionShape.MAJORITIES_RING ? Target.node(0) : draw.target();
    return new Fault.Partition(shape, t);
  }

  @Override
  protected void checkSettings(GeneratorSettings s) {
    if (s.shapes().isEmpty()) {
      throw new IllegalArgumentException("generator shapes must not be empty when partition is allowed");
    }
  }

  @Override
  protected List<Fault.Partition> simpler(Fault.Partition p) {
    List<Fault.Partition> out = new ArrayList<>();
    if (p.shape() != PartitionShape.ISOLATE) {
      out.add(new Fault.Partition(PartitionShape.ISOLATE, p.target()));
    }
    simpler(p.target()).forEach(t -> out.add(new Fault.Partition(p.shape(), t)));
    return out;
  }

  @Override
  protected String describe(Fault.Partition p) {
    return "partition " + ScheduleJson.token(p.shape()) + " of " + p.target();
  }

  @Override
  protected Target target(Fault.Partition p) {
    return p.target();
  }

  @Override
  protected Set<Link> links(Fault.Partition p, int size, int node) {
    return Partitions.links(p.shape(), size, node);
  }

  @Override
  protected int historyNode(Fault.Partition p, int node) {
    return p.shape() == PartitionShape.MAJORITIES_RING ? -1 : node; // the ring ignores its target
  }

  @Override
  protected String resolvedSuffix(Fault.Partition p, Set<Link> links) {
    return " cuts " + links;
  }

  @Override
  protected boolean supportedBy(Fault.Partition p, FaultTarget driver) {
    return true;
  }

  @Override
  protected String resource(Fault.Partition p, AppliedFault a) {
    return "network";
  }

  @Override
  protected void apply(Fault.Partition p, AppliedFault a, FaultLedger ledger, FaultTarget driver) {
    Set<Link> fresh = ledger.hold(a.links());
    if (!fresh.isEmpty()) {
      driver.cut(fresh);
    }
  }

  @Override
  protected void heal(Fault.Partition p, AppliedFault a, FaultLedger ledger, FaultTarget driver) {
    Set<Link> healed = ledger.release(a.links());
    if (!healed.isEmpty()) {
      driver.restore(healed);
    }
  }
}
