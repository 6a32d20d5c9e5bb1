package io.pgquorum.jepsen.fault;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The registry is consistent with the faults it describes, and drivers' support follows their capabilities. */
class FaultKindsTest {

  @Test
  void everyFaultFindsTheKindOfItsNameAndWritesExactlyItsFields() {
    ScheduleJsonTest.everyFault().forEach(f -> {
      FaultKind<?> k = FaultKinds.of(f);
      assertThat(k.name()).as("kind of %s", f).isEqualTo(f.kind());
      assertThat(FaultKinds.named(f.kind())).isSameAs(k);
      Map<String, Object> out = new LinkedHashMap<>();
      FaultKinds.write(f, out);
      assertThat(List.copyOf(out.keySet())).as("fields of %s", f).isEqualTo(k.fields());
    });
  }

  @Test
  void theRegistryListsEveryKindOnceInItsFixedOrder() {
    assertThat(FaultKinds.names()).containsExactly("partition", "kill", "pause", "clock-skew", "packet-loss",
        "delay", "dcs-config", "dcs-partition");
    assertThat(FaultKinds.generatedNames()).containsExactly("partition", "kill", "pause", "clock-skew",
        "packet-loss", "delay");
    assertThat(FaultKinds.named("dcs-config").generatorWeight()).isZero();
    assertThat(FaultKinds.named("dcs-partition").generatorWeight()).isZero();
    assertThat(FaultKinds.named("no-such-kind")).isNull();
  }

  @Test
  void supportFollowsTheDriversCapabilities() {
    FaultTarget daemonsOnly = new FaultTarget() {
      @Override
      public boolean canKill(Component c) {
        return c == Component.DAEMON;
      }

      @Override
      public boolean canDelay() {
        return true;
      }

      @Override
      public int size() {
        return 3;
      }

      @Override
      public int primary() {
        return 0;
      }

      @Override
      public void cut(Set<Link> links) {
      }

      @Override
      public void restore(Set<Link> links) {
      }

      @Override
      public void kill(int node, Component component) {
      }

      @Override
      public void restart(int node, Component component) {
      }

      @Override
      public void pause(int node, Component component) {
      }

      @Override
      public void resume(int node, Component component) {
      }

      @Override
      public void clockRate(int node, double rate) {
      }

      @Override
      public void packetLoss(double probability) {
      }

      @Override
      public void delay(int millis) {
      }
    };
    assertThat(daemonsOnly.supports(new Fault.Partition(PartitionShape.BRIDGE, Target.primary()))).isTrue();
    assertThat(daemonsOnly.supports(new Fault.Kill(Target.primary(), Component.DAEMON))).isTrue();
    assertThat(daemonsOnly.supports(new Fault.Kill(Target.primary(), Component.POSTGRES))).isFalse();
    assertThat(daemonsOnly.supports(new Fault.Pause(Target.primary(), Component.DAEMON))).isFalse();
    assertThat(daemonsOnly.supports(new Fault.ClockSkew(Target.node(1), 1.05))).isFalse();
    assertThat(daemonsOnly.supports(new Fault.PacketLoss(0.1))).isFalse();
    assertThat(daemonsOnly.supports(new Fault.Delay(10))).isTrue();
    assertThat(daemonsOnly.supports(new Fault.DcsConfig("ttl", 10))).isFalse();
    assertThat(daemonsOnly.supports(new Fault.DcsPartition(PartitionShape.ISOLATE, Target.primary()))).isFalse();
    assertThat(daemonsOnly.supports(new Fault.Pause(Target.replica(0), Component.WAL_SENDER))).isFalse();
  }
}
