package io.pgquorum.jepsen.fault;

import io.pgquorum.jepsen.gen.GeneratorSettings;
import java.util.List;
import java.util.Map;

/**
 * {@code kill} (target, component): kill -9, healed by restarting. Overlapping kills of one node's component
 * count: killed by the first, restarted by the last heal. Drivers say which components they can kill
 * ({@link FaultTarget#canKill}).
 */
final class KillKind extends FaultKind<Fault.Kill> {
  KillKind() {
    super("kill", Fault.Kill.class, 1, List.of("target", "component"));
  }

  @Override
  protected void write(Fault.Kill k, Map<String, Object> out) {
    out.put("target", k.target().spec());
    out.put("component", ScheduleJson.token(k.component()));
  }

  @Override
  protected Fault.Kill read(FaultFields in) {
    return new Fault.Kill(in.target(), in.constant("component", Component.class));
  }

  @Override
  protected Fault.Kill generate(FaultDraw draw) {
    return new Fault.Kill(draw.target(), draw.pick(draw.components()));
  }

  @Override
  protected void checkSettings(GeneratorSettings s) {
    if (s.components().isEmpty()) {
      throw new IllegalArgumentException("generator components must not be empty when kill or pause is allowed");
    }
  }

  @Override
  protected List<Fault.Kill> simpler(Fault.Kill k) {
    return simpler(k.target()).stream().map(t -> new Fault.Kill(t, k.component())).toList();
  }

  @Override
  protected String describe(Fault.Kill k) {
    return "kill " + ScheduleJson.token(k.component()) + " of " + k.target();
  }

  @Override
  protected Target target(Fault.Kill k) {
    return k.target();
  }

  @Override
  protected boolean supportedBy(Fault.Kill k, FaultTarget driver) {
    return driver.canKill(k.component());
  }

  @Override
  protected String resource(Fault.Kill k, AppliedFault a) {
    return "kill:" + a.node() + ":" + k.component();
  }

  @Override
  protected void apply(Fault.Kill k, AppliedFault a, FaultLedger ledger, FaultTarget driver) {
    ledger.active.add(a);
    if (ledger.active.size() == 1) {
      driver.kill(a.node(), k.component());
    }
  }

  @Override
  protected void heal(Fault.Kill k, AppliedFault a, FaultLedger ledger, FaultTarget driver) {
    ledger.active.remove(a);
    if (ledger.active.isEmpty()) {
      driver.restart(a.node(), k.component());
    }
  }
}
