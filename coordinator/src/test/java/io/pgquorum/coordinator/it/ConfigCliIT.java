package io.pgquorum.coordinator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.testkit.RepoRoot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/pgquorum} as a user runs it: a malformed file gives a precise, stack-trace-free error and exit code
 * 2, both with --validate-config and on a real start; a valid file validates.
 */
class ConfigCliIT {
  @TempDir
  Path dir;

  record Run(int exit, String output) {}

  private Run pgquorum(String... args) throws IOException, InterruptedException {
    String[] cmd = new String[args.length + 1];
    cmd[0] = RepoRoot.pgquorumScript().toString();
    System.arraycopy(args, 0, cmd, 1, args.length);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("PATRONI_"));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), out);
  }

  private Path write(String name, String yaml) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, yaml);
    return f;
  }

  static final String VALID = """
      scope: cli
      name: n1
      restapi:
        listen: 127.0.0.1:18008
      raft:
        self_addr: 127.0.0.1:12222
        partner_addrs: [127.0.0.1:12223, 127.0.0.1:12224]
        data_dir: %s/raft
      postgresql:
        listen: 127.0.0.1:15432
        data_dir: %s/pgdata
        authentication:
          superuser: {username: postgres, password: cli-secret-pw}
          replication: {username: replicator, password: cli-repl-pw}
      """;

  @Test
  void aValidFileValidates() throws Exception {
    Path f = write("ok.yml", VALID.formatted(dir, dir));
    Run r = pgquorum("--validate-config", f.toString());
    assertThat(r.output()).contains("is valid");
    assertThat(r.exit()).isZero();
  }

  @Test
  void malformedValuesAreNamedByKeyPathWithoutStackTraceOrSecrets() throws Exception {
    String bad = VALID.formatted(dir, dir)
        .replace("listen: 127.0.0.1:15432", "listen: 5432")
        .replace("partner_addrs: [127.0.0.1:12223, 127.0.0.1:12224]", "partner_addrs: [127.0.0.1:12223, nope]")
        + "bootstrap:\n  dcs:\n    ttl: soon\n";
    Path f = write("bad.yml", bad);
    for (Run r : new Run[] {pgquorum("--validate-config", f.toString()), pgquorum(f.toString())}) {
      assertThat(r.exit()).as(r.output()).isEqualTo(2);
      assertThat(r.output())
          .contains("postgresql.listen")
          .contains("raft.partner_addrs[1]")
          .contains("bootstrap.dcs.ttl")
          .doesNotContain("Exception")
          .doesNotContain("\tat ")
          .doesNotContain("cli-secret-pw");
    }
  }

  @Test
  void anEtcdSectionExplainsTheEmbeddedDcs() throws Exception {
    String etcd = VALID.formatted(dir, dir).replaceAll("(?s)raft:.*?data_dir: [^\\n]*\\n",
        "etcd3:\n  hosts: 10.0.0.1:2379\n");
    Run r = pgquorum("--validate-config", write("etcd.yml", etcd).toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.output()).contains("etcd3").contains("raft").contains("self_addr").contains("partner_addrs");
  }

  @Test
  void badUsageIsExplained() throws Exception {
    Run r = pgquorum("--validate-config");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.output()).contains("usage: pgquorum");
  }
}
