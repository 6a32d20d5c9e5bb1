package io.pgquorum.jepsen.fault;

import io.pgquorum.jepsen.gen.GeneratorSettings;
import io.pgquorum.jepsen.gen.Shrinker;
import java.util.List;
import java.util.Map;

/**
 * {@code packet-loss} (probability): every link drops traffic with this probability. Overlapping steps: the
 * largest active probability applies; when none is left it is 0. Drivers whose network can drop packets say so
 * ({@link FaultTarget#canDropPackets}).
 */
final class PacketLossKind extends FaultKind<Fault.PacketLoss> {
  PacketLossKind() {
    super("packet-loss", Fault.PacketLoss.class, 1, List.of("probability"));
  }

  @Override
  protected void write(Fault.PacketLoss l, Map<String, Object> out) {
    out.put("probability", l.probability());
  }

  @Override
  protected Fault.PacketLoss read(FaultFields in) {
    double p = in.number("probability");
    if (!(p >= 0 && p <= 1)) {
      throw in.error("probability", "must be in [0, 1], got " + p);
    }
    return new Fault.PacketLoss(p);
  }

  @Override
  protected Fault.PacketLoss generate(FaultDraw draw) {
    return new Fault.PacketLoss(draw.pick(draw.settings().lossProbabilities()));
  }

  @Override
  protected void checkSettings(GeneratorSettings s) {
    if (s.lossProbabilities().isEmpty()) {
      throw new IllegalArgumentException(
          "generator lossProbabilities must not be empty when packet-loss is allowed");
    }
  }

  @Override
  protected List<Fault.PacketLoss> simpler(Fault.PacketLoss l) {
    double half = Math.round(l.probability() / 2 * 10_000) / 10_000.0;
    return half >= Shrinker.MIN_LOSS && half != l.probability() ? List.of(new Fault.PacketLoss(half)) : List.of();
  }

  @Override
  protected String describe(Fault.PacketLoss l) {
    return "packet-loss " + l.probability() + " on every link";
  }

  @Override
  protected boolean supportedBy(Fault.PacketLoss l, FaultTarget driver) {
    return driver.canDropPackets();
  }

  @Override
  protected String resource(Fault.PacketLoss l, AppliedFault a) {
    return "loss";
  }

  @Override
  protected void apply(Fault.PacketLoss l, AppliedFault a, FaultLedger ledger, FaultTarget driver) {
    double before = max(ledger);
    ledger.active.add(a);
    if (max(ledger) != before) {
      driver.packetLoss(max(ledger));
    }
  }

  @Override
  protected void heal(Fault.PacketLoss l, AppliedFault a, FaultLedger ledger, FaultTarget driver) {
    double before = max(ledger);
    ledger.active.remove(a);
    if (max(ledger) != before) {
      driver.packetLoss(max(ledger));
    }
  }

  private static double max(FaultLedger ledger) {
    return ledger.active.stream().mapToDouble(a -> ((Fault.PacketLoss) a.fault()).probability()).max().orElse(0);
  }
}
