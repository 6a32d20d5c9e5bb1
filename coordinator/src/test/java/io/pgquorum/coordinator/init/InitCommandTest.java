package io.pgquorum.coordinator.init;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.config.ConfigLoader;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.coordinator.config.WitnessConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pgquorum init} as a command: the files, their modes, that they validate, and what it refuses. */
class InitCommandTest {
  @TempDir
  Path dir;

  record Result(int exit, String out, String err) {}

  private Result init(List<String> args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = InitCommand.run(args, Prompter.NONE, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private List<String> args(String... extra) {
    List<String> a = new ArrayList<>(List.of("--scope", "demo", "--node", "node1=10.0.0.1", "--node",
        "node2=10.0.0.2", "--node", "node3=db3.example.com", "--output", dir.resolve("out").toString(),
        "--data-root", "/srv/pgq"));
    a.addAll(List.of(extra));
    return a;
  }

  @Test
  void writesEveryFileWithItsModeAndEveryConfigurationValidates() throws Exception {
    Result r = init(args("--replication-password", "given-repl-pw"));
    assertThat(r.exit()).as(r.err()).isZero();
    Path out = dir.resolve("out");
    try (Stream<Path> files = Files.walk(out)) {
      assertThat(files.filter(Files::isRegularFile).map(p -> out.relativize(p).toString()).sorted())
          .containsExactly("ca.crt", "ca.key",
              "node1/ca.crt", "node1/node.crt", "node1/node.key", "node1/pgquorum.yml",
              "node2/ca.crt", "node2/node.crt", "node2/node.key", "node2/pgquorum.yml",
              "node3/ca.crt", "node3/node.crt", "node3/node.key", "node3/pgquorum.yml");
    }
    for (String secret : List.of("ca.key", "node1/node.key", "node1/pgquorum.yml")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve(secret))))
          .as(secret).isEqualTo("rw-------");
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("node1/node.crt"))))
        .isEqualTo("rw-r--r--");

    NodeConfig node3 = ConfigLoader.load(out.resolve("node3/pgquorum.yml"), Map.of());
    assertThat(node3.scope()).isEqualTo("demo");
    assertThat(node3.name()).isEqualTo("node3");
    assertThat(node3.warnings()).isEmpty();
    String yaml = Files.readString(out.resolve("node3/pgquorum.yml"));
    assertThat(yaml)
        .contains("self_addr: 'db3.example.com:2222'", "- '10.0.0.1:2222'", "- '10.0.0.2:2222'")
        .contains("listen: 'db3.example.com:8008'", "listen: 'db3.example.com:5432'")
        .contains("certfile: '" + out.resolve("node3/node.crt") + "'", "verify_client: required")
        .contains("data_dir: '/srv/pgq/node3/pgdata'", "data_dir: '/srv/pgq/node3/raft'")
        .contains("password: 'given-repl-pw'")
        .contains("'host replication replicator 10.0.0.1/32 scram-sha-256'",
            "'host replication replicator db3.example.com scram-sha-256'");
    // Every node has the same generated superuser password, and it is not printed.
    String superuser = superuserPassword(yaml);
    assertThat(superuser).matches("[A-Za-z0-9]{24}");
    assertThat(superuserPassword(Files.readString(out.resolve("node1/pgquorum.yml")))).isEqualTo(superuser);
    assertThat(r.out() + r.err()).doesNotContain(superuser).doesNotContain("given-repl-pw")
        .contains(out.resolve("ca.key").toString());
  }

  @Test
  void aWitnessGetsItsOwnFileCertificateAndKeyAndTheNodesListIt() throws Exception {
    Path out = dir.resolve("out");
    Result r = init(List.of("--scope", "demo", "--node", "node1=10.0.0.1", "--node", "node2=10.0.0.2",
        "--witness", "tie=10.0.0.3,raft=2300,rest=8300", "--output", out.toString(), "--data-root", "/srv/pgq"));
    assertThat(r.exit()).as(r.err()).isZero();
    try (Stream<Path> files = Files.walk(out.resolve("tie"))) {
      assertThat(files.filter(Files::isRegularFile).map(p -> out.relativize(p).toString()).sorted())
          .containsExactly("tie/ca.crt", "tie/node.crt", "tie/node.key", "tie/witness.yml");
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("tie/node.key"))))
        .isEqualTo("rw-------");
    WitnessConfig tie = ConfigLoader.loadWitness(out.resolve("tie/witness.yml"), Map.of());
    assertThat(tie.warnings()).isEmpty();
    assertThat(tie.name()).contains("tie");
    assertThat(tie.raft().selfAddr()).isEqualTo("10.0.0.3:2300");
    assertThat(tie.raft().partnerAddrs()).containsExactly("10.0.0.1:2222", "10.0.0.2:2222");
    assertThat(tie.raft().dataDir()).isEqualTo(Path.of("/srv/pgq/tie/raft"));
    assertThat(tie.raft().tls()).isPresent();
    // Its monitoring endpoint, secured as a node's REST API: HTTPS with client certificates from the cluster CA.
    assertThat(tie.restapi()).hasValueSatisfying(rest -> {
      assertThat(rest.listen()).hasToString("10.0.0.3:8300");
      assertThat(rest.tls()).hasValueSatisfying(t -> {
        assertThat(t.certfile()).isEqualTo(out.resolve("tie/node.crt"));
        assertThat(t.cafile()).contains(out.resolve("tie/ca.crt"));
        assertThat(t.verifyClient()).isEqualTo(io.pgquorum.coordinator.config.RestApiConfig.VerifyClient.REQUIRED);
      });
    });
    assertThat(Files.readString(out.resolve("tie/witness.yml"))).doesNotContain("password");
    NodeConfig node1 = ConfigLoader.load(out.resolve("node1/pgquorum.yml"), Map.of());
    assertThat(node1.raft().partnerAddrs()).containsExactly("10.0.0.2:2222", "10.0.0.3:2300");
    assertThat(r.out()).contains("each witness with: pgquorum witness " + out + "/<name>/witness.yml");
  }

  @Test
  void aPasswordWithQuotesReadsBackAsGiven() throws Exception {
    assertThat(init(args("--superuser-password", "it's: #\"odd\"")).exit()).isZero();
    NodeConfig node1 = ConfigLoader.load(dir.resolve("out/node1/pgquorum.yml"), Map.of());
    assertThat(node1.postgresql().superuser().password()).contains("it's: #\"odd\"");
  }

  @Test
  void anExistingFileStopsInitBeforeItWritesAnything() throws Exception {
    Path node2 = Files.createDirectories(dir.resolve("out/node2"));
    Files.writeString(node2.resolve("pgquorum.yml"), "mine\n");
    Result r = init(args());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("pgquorum init: " + node2.resolve("pgquorum.yml")
        + " already exists; pgquorum init never overwrites a file (move it away or choose another --output)\n");
    assertThat(Files.readString(node2.resolve("pgquorum.yml"))).isEqualTo("mine\n");
    try (Stream<Path> files = Files.walk(dir.resolve("out"))) {
      assertThat(files.filter(Files::isRegularFile)).containsExactly(node2.resolve("pgquorum.yml"));
    }
  }

  @Test
  void badInputExitsTwoWithOneLineAndWritesNothing() {
    Result r = init(List.of("--scope", "demo", "--node", "a=h1", "--node", "b=h2", "--output",
        dir.resolve("out").toString()));
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).startsWith("pgquorum init: --node: an odd number of nodes").doesNotContain("Exception")
        .hasLineCount(1);
    assertThat(dir.resolve("out")).doesNotExist();
  }

  @Test
  void helpPrintsUsage() {
    Result r = init(List.of("--help"));
    assertThat(r.exit()).isZero();
    assertThat(r.out()).startsWith("usage: pgquorum init");
  }

  private static String superuserPassword(String yaml) {
    int at = yaml.indexOf("superuser:");
    String rest = yaml.substring(yaml.indexOf("password: '", at) + "password: '".length());
    return rest.substring(0, rest.indexOf('\''));
  }
}
