package io.pgquorum.coordinator.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code bin/pgquorum witness}: its command line and what its file must hold. Starting the member is
 * WitnessFailoverIT's (a real group with real nodes).
 */
class WitnessCommandTest {
  private record Outcome(int code, String out, String err) {}

  private static Outcome run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "witness                        | 2 | usage: pgquorum witness [--join] <config.yml>",
      "witness --help                 | 0 | usage: pgquorum witness",
      "witness --validate-config      | 2 | pgquorum witness: --validate-config needs a file",
      "witness --frobnicate           | 2 | pgquorum witness: unknown option --frobnicate",
      "witness a.yml b.yml            | 2 | usage: pgquorum witness",
      "witness /nonexistent/w.yml     | 2 | /nonexistent/w.yml: configuration file does not exist",
      "--help                         | 0 | pgquorum witness [--join] <config.yml>"})
  void commandLine(String args, int exit, String expected) {
    Outcome o = run(args.trim().split("\\s+"));
    String all = o.out() + o.err();
    assertThat(o.code()).as(all).isEqualTo(exit);
    assertThat(all).contains(expected).doesNotContain("Exception");
  }

  @Test
  void scopeAndRaftAloneAreAValidWitnessConfiguration(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("w.yml");
    Files.writeString(file, String.join("\n", "scope: demo", "raft:", "  self_addr: 127.0.0.1:5012",
        "  partner_addrs: [127.0.0.1:5010, 127.0.0.1:5011]", "  data_dir: " + dir.resolve("raft"), ""));
    Outcome o = run("witness", "--validate-config", file.toString());
    assertThat(o.code()).as(o.err()).isZero();
    assertThat(o.out()).isEqualTo("witness configuration " + file + " is valid" + System.lineSeparator());
  }

  @Test
  void aNodesFileIsValidForAWitnessWithItsDatabaseSectionsIgnored(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("n.yml");
    Files.writeString(file, String.join("\n", "scope: demo", "name: w1", "restapi:", "  listen: 127.0.0.1:8008",
        "raft:", "  self_addr: 127.0.0.1:5012", "  data_dir: " + dir.resolve("raft"), "postgresql:",
        "  listen: 127.0.0.1:5432", "log:", "  level: DEBUG", ""));
    Outcome o = run("witness", "--validate-config", file.toString());
    assertThat(o.code()).as(o.err()).isZero();
    // restapi is not ignored: it is the witness's monitoring endpoint, validated as a node's.
    assertThat(o.out()).contains("warning: postgresql: ignored by a witness").doesNotContain("log:")
        .doesNotContain("restapi");
  }

  @Test
  void aBadRestapiKeyIsNamedAsInANodesFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("w.yml");
    Files.writeString(file, String.join("\n", "scope: demo", "restapi:", "  listen: 0.0.0.0:99999",
        "  keyfile: /x.key", "  ciphers: ALL", "raft:", "  self_addr: 127.0.0.1:5012",
        "  data_dir: " + dir.resolve("raft"), ""));
    Outcome o = run("witness", "--validate-config", file.toString());
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err()).startsWith("invalid witness configuration " + file + ":")
        .contains("  restapi.listen: ").contains("  restapi.keyfile: needs restapi.certfile")
        .contains("  restapi.ciphers: ").doesNotContain("Exception");
  }

  @Test
  void aRestapiPortTakenByTheRaftMemberIsRefused(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("w.yml");
    Files.writeString(file, String.join("\n", "scope: demo", "restapi:", "  listen: 127.0.0.1:5012",
        "raft:", "  self_addr: 127.0.0.1:5012", "  data_dir: " + dir.resolve("raft"), ""));
    Outcome o = run("witness", "--validate-config", file.toString());
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err()).contains("port 5012").contains("restapi.listen");
  }

  @Test
  void everyProblemIsReportedNamingItsKey(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("w.yml");
    Files.writeString(file, String.join("\n", "name: w/1", "raft:", "  self_addr: nowhere",
        "  partner_addrs: [127.0.0.1:5010]", "  tls:", "    certfile: /x.crt", "etcd3:", "  hosts: a:2379", ""));
    Outcome o = run("witness", file.toString());
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err()).startsWith("invalid witness configuration " + file + ":")
        .contains("  scope: ").contains("  name: ").contains("  raft.self_addr: ").contains("  raft.data_dir: ")
        .contains("  raft.tls.keyfile: ").contains("  etcd3: pgquorum does not use etcd3")
        .doesNotContain("Exception");
  }

  @Test
  void aMissingRaftSectionIsNamed(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("w.yml");
    Files.writeString(file, "scope: demo\n");
    Outcome o = run("witness", file.toString());
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err()).contains("  raft: is required");
  }
}
