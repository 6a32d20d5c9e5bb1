package io.pgquorum.pgctl;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.config.NodeConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** One pgctl invocation in this JVM, with its exit status and both output streams captured. */
record CliRun(int status, String out, String err) {
  static final NodeConfig DEMO = TestConfigs.node("demo", "127.0.0.1:7001", List.of("127.0.0.1:7002"));

  /** pgctl against a canned snapshot of cluster "demo". */
  static CliRun against(ClusterSnapshot snapshot, String... args) {
    return capture((out, err) -> PgCtl.run(args, DEMO, config -> snapshot, out, err));
  }

  /** pgctl through its public path (configuration file and environment). */
  static CliRun withEnv(Map<String, String> env, String... args) {
    return capture((out, err) -> PgCtl.run(args, env, out, err));
  }

  /** pgctl against a real DCS described by {@code config}. */
  static CliRun dcs(NodeConfig config, String... args) {
    return capture((out, err) -> PgCtl.run(args, config, out, err));
  }

  /** pgctl against a real DCS, answering its prompts with {@code input}. */
  static CliRun dcsAnswering(NodeConfig config, String input, String... args) {
    return capture((out, err) -> PgCtl.run(args, config,
        new java.io.ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), out, err));
  }

  /** pgctl against a canned snapshot with the given outside world, answering prompts with {@code input}. */
  static CliRun with(ClusterSnapshot snapshot, Services services, String input, String... args) {
    return capture((out, err) -> PgCtl.run(args, DEMO, config -> snapshot, services,
        new java.io.ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), out, err));
  }

  interface Invocation {
    int run(PrintStream out, PrintStream err);
  }

  static CliRun capture(Invocation invocation) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      status = invocation.run(o, e);
    }
    return new CliRun(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
