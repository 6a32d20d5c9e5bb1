package io.pgquorum.jepsen.fault;

import io.pgquorum.jepsen.gen.GeneratorSettings;
import io.pgquorum.jepsen.gen.Shrinker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code clock-skew} (target, rate): the node's clocks run at {@code rate} times real time. Overlapping skews of a
 * node: the most recently applied active rate wins; when none is left the rate is 1.0. Drivers that can change a
 * node's clock rate say so ({@link FaultTarget#canSkewClocks}).
 */
final class ClockSkewKind extends FaultKind<Fault.ClockSkew> {
  ClockSkewKind() {
    super("clock-skew", Fault.ClockSkew.class, 1, List.of("target", "rate"));
  }

  @Override
  protected void write(Fault.ClockSkew c, Map<String, Object> out) {
    out.put("target", c.target().spec());
    out.put("rate", c.rate());
  }

  @Override
  protected Fault.ClockSkew read(FaultFields in) {
    Target t = in.target();
    double rate = in.number("rate");
    if (!(rate > 0 && rate <= 100)) {
      throw in.error("rate", "must be in (0, 100], got " + rate);
    }
    return new Fault.ClockSkew(t, rate);
  }

  @Override
  protected Fault.ClockSkew generate(FaultDraw draw) {
    return new Fault.ClockSkew(draw.target(), draw.pick(draw.settings().skewRates()));
  }

  @Override
  protected void checkSettings(GeneratorSettings s) {
    if (s.skewRates().isEmpty()) {
      throw new IllegalArgumentException("generator skewRates must not be empty when clock-skew is allowed");
    }
  }

  @Override
  protected List<Fault.ClockSkew> simpler(Fault.ClockSkew c) {
    List<Fault.ClockSkew> out = new ArrayList<>();
    simpler(c.target()).forEach(t -> out.add(new Fault.ClockSkew(t, c.rate())));
    double halfway = Math.round((1 + (c.rate() - 1) / 2) * 10_000) / 10_000.0;
    if (Math.abs(halfway - 1) >= Shrinker.MIN_SKEW && halfway != c.rate()) {
      out.add(new Fault.ClockSkew(c.target(), halfway));
    }
    return out;
  }

  @Override
  protected String describe(Fault.ClockSkew c) {
    return "clock-skew x" + c.rate() + " of " + c.target();
  }

  @Override
  protected Target target(Fault.ClockSkew c) {
    return c.target();
  }

  @Override
  protected boolean supportedBy(Fault.ClockSkew c, FaultTarget driver) {
    return driver.canSkewClocks();
  }

  @Override
  protected String resource(Fault.ClockSkew c, AppliedFault a) {
    return "clock:" + a.node();
  }

  @Override
  protected void apply(Fault.ClockSkew c, AppliedFault a, FaultLedger ledger, FaultTarget driver) {
    ledger.active.add(a);
    driver.clockRate(a.node(), c.rate());
  }

  @Override
  protected void heal(Fault.ClockSkew c, AppliedFault a, FaultLedger ledger, FaultTarget driver) {
    List<AppliedFault> rates = ledger.active;
    boolean wasCurrent = !rates.isEmpty() && rates.get(rates.size() - 1).equals(a);
    rates.remove(a);
    if (rates.isEmpty()) {
      driver.clockRate(a.node(), 1.0);
    } else if (wasCurrent) {
      driver.clockRate(a.node(), ((Fault.ClockSkew) rates.get(rates.size() - 1).fault()).rate());
    }
  }
}
