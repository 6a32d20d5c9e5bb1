package io.pgquorum.jepsen.fault;

import io.pgquorum.jepsen.gen.GeneratorSettings;
import java.util.List;
import java.util.Map;

/**
 * {@code delay} (millis): every link delays traffic by this many milliseconds. Overlapping steps: the largest
 * active delay applies; when none is left it is 0. Drivers whose network can delay say so
 * ({@link FaultTarget#canDelay}).
 */
final class DelayKind extends FaultKind<Fault.Delay> {
  DelayKind() {
    super("delay", Fault.Delay.class, 1, List.of("millis"));
  }

  @Override
  protected void write(Fault.Delay d, Map<String, Object> out) {
    out.put("millis", d.millis());
  }

  @Override
  protected Fault.Delay read(FaultFields in) {
    return new Fault.Delay((int) in.integer("millis", 0, 3_600_000));
  }

  @Override
  protected Fault.Delay generate(FaultDraw draw) {
    return new Fault.Delay(draw.pick(draw.settings().delaysMillis()));
  }

  @Override
  protected void checkSettings(GeneratorSettings s) {
    if (s.delaysMillis().isEmpty()) {
      throw new IllegalArgumentException("generator delaysMillis must not be empty when delay is allowed");
    }
  }

  @Override
  protected List<Fault.Delay> simpler(Fault.Delay d) {
    return d.millis() / 2 >= 1 ? List.of(new Fault.Delay(d.millis() / 2)) : List.of();
  }

  @Override
  protected String describe(Fault.Delay d) {
    return "delay " + d.millis() + " ms on every link";
  }

  @Override
  protected boolean supportedBy(Fault.Delay d, FaultTarget driver) {
    return driver.canDelay();
  }

  @Override
  protected String resource(Fault.Delay d, AppliedFault a) {
    return "delay";
  }

  @Override
  protected void apply(Fault.Delay d, AppliedFault a, FaultLedger ledger, FaultTarget driver) {
    int before = max(ledger);
    ledger.active.add(a);
    if (max(ledger) != before) {
      driver.delay(max(ledger));
    }
  }

  @Override
  protected void heal(Fault.Delay d, AppliedFault a, FaultLedger ledger, FaultTarget driver) {
    int before = max(ledger);
    ledger.active.remove(a);
    if (max(ledger) != before) {
      driver.delay(max(ledger));
    }
  }

  private static int max(FaultLedger ledger) {
    return ledger.active.stream().mapToInt(a -> ((Fault.Delay) a.fault()).millis()).max().orElse(0);
  }
}
