package io.pgquorum.jepsen.fault;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * {@code dcs-config} (key, value): one integer key of the cluster's dynamic configuration is set for the step.
 * Never drawn by the generator (weight 0): an edit that raises {@code ttl} legitimately lengthens failover beyond
 * the availability bound derived from the cluster's configured ttl, so a generated one would fail P3 for no fault
 * of pgquorum's; a schedule that edits the configuration says what it tests and which verdicts to expect.
 * Overlapping edits of a key: the most recently applied active value wins; when none is left the value the key had
 * before the first edit is written back (or the key removed, if it had none).
 */
final class DcsConfigKind extends FaultKind<Fault.DcsConfig> {
  DcsConfigKind() {
    super("dcs-config", Fault.DcsConfig.class, 0, List.of("key", "value"));
  }

  @Override
  protected void write(Fault.DcsConfig c, Map<String, Object> out) {
    out.put("key", c.key());
    out.put("value", c.value());
  }

  @Override
  protected Fault.DcsConfig read(FaultFields in) {
    String key = in.text("key");
    if (!Fault.DcsConfig.KEYS.contains(key)) {
      throw in.error("key", "unknown key \"" + key + "\" (allowed: "
          + Fault.DcsConfig.KEYS.stream().sorted().collect(Collectors.joining(", ")) + ")");
    }
    return new Fault.DcsConfig(key, in.integer("value", 0, 1L << 40));
  }

  @Override
  protected String describe(Fault.DcsConfig c) {
    return "dcs-config " + c.key() + "=" + c.value();
  }

  @Override
  protected boolean supportedBy(Fault.DcsConfig c, FaultTarget driver) {
    return driver.canEditDynamicConfig();
  }

  @Override
  protected String resource(Fault.DcsConfig c, AppliedFault a) {
    return "config:" + c.key();
  }

  @Override
  protected void apply(Fault.DcsConfig c, AppliedFault a, FaultLedger ledger, FaultTarget driver) {
    OptionalLong was = driver.setDynamicConfig(c.key(), OptionalLong.of(c.value()));
    if (ledger.active.isEmpty()) {
      ledger.saved = was;
    }
    ledger.active.add(a);
  }

  @Override
  protected void heal(Fault.DcsConfig c, AppliedFault a, FaultLedger ledger, FaultTarget driver) {
    List<AppliedFault> edits = ledger.active;
    boolean wasCurrent = !edits.isEmpty() && edits.get(edits.size() - 1).equals(a);
    if (edits.remove(a)) {
      if (edits.isEmpty()) {
        OptionalLong before = (OptionalLong) ledger.saved;
        ledger.saved = null;
        driver.setDynamicConfig(c.key(), before);
      } else if (wasCurrent) {
        driver.setDynamicConfig(c.key(), OptionalLong.of(((Fault.DcsConfig) edits.get(edits.size() - 1).fault())
            .value()));
      }
    }
  }
}
