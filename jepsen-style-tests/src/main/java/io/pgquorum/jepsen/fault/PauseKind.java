package io.pgquorum.jepsen.fault;

import io.pgquorum.jepsen.gen.GeneratorSettings;
import java.util.List;
import java.util.Map;

/**
 * {@code pause} (target, component): SIGSTOP (daemon) or cgroup freeze (PostgreSQL tree), healed by SIGCONT /
 * thaw. Overlapping pauses of one node's component count: paused by the first, resumed by the last heal. Drivers
 * say which components they can pause ({@link FaultTarget#canPause}).
 */
final class PauseKind extends FaultKind<Fault.Pause> {
  PauseKind() {
    super("pause", Fault.Pause.class, 1, List.of("target", "component"));
  }

  @Override
  protected void write(Fault.Pause k, Map<String, Object> out) {
    out.put("target", k.target().spec());
    out.put("component", ScheduleJson.token(k.component()));
  }

  @Override
  protected Fault.Pause read(FaultFields in) {
    return new Fault.Pause(in.target(), in.constant("component", Component.class));
  }

  @Override
  protected Fault.Pause generate(FaultDraw draw) {
    return new Fault.Pause(draw.target(), draw.pick(draw.components()));
  }

  @Override
  protected void checkSettings(GeneratorSettings s) {
    if (s.components().isEmpty()) {
      throw new IllegalArgumentException("generator components must not be empty when kill or pause is allowed");
    }
  }

  @Override
  protected List<Fault.Pause> simpler(Fault.Pause k) {
    return simpler(k.target()).stream().map(t -> new Fault.Pause(t, k.component())).toList();
  }

  @Override
  protected String describe(Fault.Pause k) {
    return "pause " + ScheduleJson.token(k.component()) + " of " + k.target();
  }

  @Override
  protected Target target(Fault.Pause k) {
    return k.target();
  }

  @Override
  protected boolean supportedBy(Fault.Pause k, FaultTarget driver) {
    return driver.canPause(k.component());
  }

  @Override
  protected String resource(Fault.Pause k, AppliedFault a) {
    return "pause:" + a.node() + ":" + k.component();
  }

  @Override
  protected void apply(Fault.Pause k, AppliedFault a, FaultLedger ledger, FaultTarget driver) {
    ledger.active.add(a);
    if (ledger.active.size() == 1) {
      driver.pause(a.node(), k.component());
    }
  }

  @Override
  protected void heal(Fault.Pause k, AppliedFault a, FaultLedger ledger, FaultTarget driver) {
    ledger.active.remove(a);
    if (ledger.active.isEmpty()) {
      driver.resume(a.node(), k.component());
    }
  }
}
