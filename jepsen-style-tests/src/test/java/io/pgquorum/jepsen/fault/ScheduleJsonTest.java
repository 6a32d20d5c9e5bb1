package io.pgquorum.jepsen.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ScheduleJsonTest {

  static Stream<Fault> everyFault() {
    List<Fault> faults = new ArrayList<>();
    for (PartitionShape s : PartitionShape.values()) {
      faults.add(new Fault.Partition(s, Target.primary()));
    }
    for (Component c : Component.values()) {
      faults.add(new Fault.Kill(Target.replica(1), c));
      faults.add(new Fault.Pause(Target.node(2), c));
    }
    faults.add(new Fault.ClockSkew(Target.node(0), 1.05));
    faults.add(new Fault.ClockSkew(Target.primary(), 0.5));
    faults.add(new Fault.PacketLoss(0.25));
    faults.add(new Fault.PacketLoss(1.0));
    faults.add(new Fault.Delay(150));
    faults.add(new Fault.DcsConfig("ttl", 30));
    faults.add(new Fault.DcsConfig("maximum_lag_on_failover", 0));
    faults.add(new Fault.DcsPartition(PartitionShape.ISOLATE, Target.primary()));
    faults.add(new Fault.DcsPartition(PartitionShape.HALVES, Target.node(1)));
    return faults.stream();
  }

  @ParameterizedTest
  @MethodSource("everyFault")
  void everyFaultRoundTrips(Fault fault) {
    Schedule s = new Schedule("one", 7, 3, List.of(new Step(100, 2500, fault)), 4000);
    String json = ScheduleJson.write(s);
    assertThat(json).contains("\"kind\" : \"" + fault.kind() + "\"");
    assertThat(ScheduleJson.read(json, "test")).isEqualTo(s);
  }

  @Test
  void everyKindIsCoveredByTheRoundTrip() {
    assertThat(everyFault().map(Fault::kind).distinct()).containsExactlyInAnyOrderElementsOf(ScheduleJson.kinds());
  }

  @Test
  void aWholeScheduleRoundTripsThroughAFile(@TempDir Path dir) {
    Schedule s = new Schedule("seed-" + Long.MIN_VALUE, Long.MIN_VALUE, 5, List.of(
        new Step(0, 1000, new Fault.Partition(PartitionShape.MAJORITIES_RING, Target.node(0))),
        new Step(500, 0, new Fault.Kill(Target.primary(), Component.DAEMON)),
        new Step(500, 3000, new Fault.Delay(0))), 0);
    Path file = dir.resolve("sub/dir/s.json");
    ScheduleJson.save(s, file);
    assertThat(ScheduleJson.load(file)).isEqualTo(s);
  }

  @Test
  void writesReadableTokens() {
    Schedule s = new Schedule("x", 0, 3, List.of(
        new Step(0, 1, new Fault.Partition(PartitionShape.MAJORITIES_RING, Target.node(0))),
        new Step(0, 1, new Fault.Pause(Target.node(0), Component.DCS_MEMBER))), 0);
    assertThat(ScheduleJson.write(s)).contains("\"majorities-ring\"", "\"dcs-member\"", "\"node:0\"");
  }

  private static final String VALID = """
      {"name": "n", "seed": 1, "nodes": 3, "quietMillis": 10,
       "steps": [ {"atMillis": 0, "durationMillis": 5,
                   "fault": {"kind": "pause", "target": "primary", "component": "daemon"}} ]}
      """;

  private static void rejects(String json, String... fragments) {
    assertThatThrownBy(() -> ScheduleJson.read(json, "bad.json"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("bad.json: ")
        .hasMessageContainingAll(fragments);
  }

  @Test
  void theValidSampleReads() {
    Schedule s = ScheduleJson.read(VALID, "ok.json");
    assertThat(s.steps()).containsExactly(new Step(0, 5, new Fault.Pause(Target.primary(), Component.DAEMON)));
  }

  @Test
  void rejectsAnUnknownKind() {
    rejects(VALID.replace("\"pause\"", "\"flood\""), "steps[0].fault.kind", "flood", "partition");
  }

  @Test
  void rejectsUnknownFieldsAtEveryLevel() {
    rejects(VALID.replace("\"seed\"", "\"colour\": 1, \"seed\""), "colour", "unknown field");
    rejects(VALID.replace("\"atMillis\"", "\"at\": 1, \"atMillis\""), "steps[0].at", "unknown field");
    rejects(VALID.replace("\"component\"", "\"rate\": 2, \"component\""), "steps[0].fault.rate", "unknown field");
  }

  @Test
  void rejectsMissingFields() {
    rejects(VALID.replace("\"durationMillis\": 5,", ""), "steps[0].durationMillis", "missing");
    rejects(VALID.replace("\"nodes\": 3,", ""), "nodes", "missing");
    rejects(VALID.replace(", \"component\": \"daemon\"", ""), "steps[0].fault.component", "missing");
  }

  @Test
  void rejectsBadTargets() {
    rejects(VALID.replace("\"primary\"", "\"leader\""), "steps[0].fault.target", "leader");
    rejects(VALID.replace("\"primary\"", "\"node:3\""), "steps[0].fault.target", "node:3", "3-node");
    rejects(VALID.replace("\"primary\"", "\"replica:2\""), "steps[0].fault.target", "replica:2");
    rejects(VALID.replace("\"primary\"", "\"node:99999999999\""), "steps[0].fault.target");
  }

  @Test
  void rejectsADcsConfigEditOfAnUnknownKeyOrANegativeValue() {
    String edit = VALID.replace("\"kind\": \"pause\", \"target\": \"primary\", \"component\": \"daemon\"",
        "\"kind\": \"dcs-config\", \"key\": \"ttl\", \"value\": 30");
    assertThat(ScheduleJson.read(edit, "x.json").steps().get(0).fault()).isEqualTo(new Fault.DcsConfig("ttl", 30));
    rejects(edit.replace("\"ttl\"", "\"synchronous_mode\""), "steps[0].fault.key", "synchronous_mode",
        "loop_wait");
    rejects(edit.replace("30", "-1"), "steps[0].fault.value", "-1");
    rejects(edit.replace("\"value\": 30", "\"value\": 30, \"target\": \"primary\""), "steps[0].fault.target",
        "unknown field");
  }

  @Test
  void rejectsBadValues() {
    rejects(VALID.replace("\"daemon\"", "\"DAEMON\""), "steps[0].fault.component", "DAEMON", "dcs-member");
    rejects(VALID.replace("\"atMillis\": 0", "\"atMillis\": -1"), "steps[0].atMillis", "-1");
    rejects(VALID.replace("\"atMillis\": 0", "\"atMillis\": 1.5"), "steps[0].atMillis", "whole number");
    rejects(VALID.replace("\"seed\": 1", "\"seed\": \"1\""), "seed", "whole number");
    rejects(VALID.replace("\"nodes\": 3", "\"nodes\": 0"), "nodes", "between 1");
    rejects("""
        {"name": "n", "seed": 1, "nodes": 3, "quietMillis": 10,
         "steps": [ {"atMillis": 0, "durationMillis": 5, "fault": {"kind": "packet-loss", "probability": 1.5}} ]}
        """, "steps[0].fault.probability", "1.5");
    rejects("""
        {"name": "n", "seed": 1, "nodes": 3, "quietMillis": 10,
         "steps": [ {"atMillis": 0, "durationMillis": 5,
                     "fault": {"kind": "partition", "shape": "diagonal", "target": "node:0"}} ]}
        """, "steps[0].fault.shape", "diagonal", "majorities-ring");
    rejects("""
        {"name": "n", "seed": 1, "nodes": 3, "quietMillis": 10,
         "steps": [ {"atMillis": 0, "durationMillis": 5, "fault": {"kind": "clock-skew", "target": "node:0",
                     "rate": 0}} ]}
        """, "steps[0].fault.rate");
  }

  @Test
  void rejectsMalformedJsonDuplicatesAndTrailingText() {
    rejects("{\"name\": ", "not valid JSON");
    rejects("[1, 2]", "JSON object");
    rejects(VALID.replace("\"seed\": 1", "\"seed\": 1, \"seed\": 2"), "seed");
    rejects(VALID + " {}", "not valid JSON");
  }

  @Test
  void loadNamesTheFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("p1-seed-9.json");
    Files.writeString(file, VALID.replace("\"primary\"", "\"leader\""));
    assertThatThrownBy(() -> ScheduleJson.load(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(file.toString())
        .hasMessageContaining("steps[0].fault.target");
  }
}
