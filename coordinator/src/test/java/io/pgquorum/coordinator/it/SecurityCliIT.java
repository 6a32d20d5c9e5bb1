package io.pgquorum.coordinator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.testkit.FreePorts;
import io.pgquorum.testkit.RepoRoot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 (hole 7) as a user meets it through {@code bin/pgquorum}: plaintext Raft on a network address and
 * unusable REST TLS files stop the start with one readable error that says what to configure, and nothing is
 * written or started.
 */
class SecurityCliIT {
  @TempDir
  Path dir;

  private record Run(int exit, String output) {}

  private Run pgquorum(Path config) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(RepoRoot.pgquorumScript().toString(), config.toString())
        .redirectErrorStream(true);
    pb.redirectOutput(dir.resolve("pgquorum.out").toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("PATRONI_"));
    Process p = pb.start();
    // Bounded: a daemon that does not refuse (it starts, or waits for its DCS partners) fails the test instead of
    // hanging it.
    boolean exited = p.waitFor(60, TimeUnit.SECONDS);
    if (!exited) {
      p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    String out = java.nio.file.Files.readString(dir.resolve("pgquorum.out"), StandardCharsets.UTF_8);
    assertThat(exited).as("bin/pgquorum exits by itself within 60 s; its output:%n%s", out).isTrue();
    return new Run(p.exitValue(), out);
  }

  private String valid() throws Exception {
    return ConfigCliIT.VALID.formatted(dir, dir)
        .replace("127.0.0.1:18008", "127.0.0.1:" + FreePorts.next())
        .replace("127.0.0.1:12222", "127.0.0.1:" + FreePorts.next())
        .replace("127.0.0.1:15432", "127.0.0.1:" + FreePorts.next());
  }

  @Test
  void plaintextRaftTowardsANetworkAddressRefusesToStartAndSaysHowToConfigureTls() throws Exception {
    // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): nothing is ever sent there, the start is refused before.
    Path f = Files.writeString(dir.resolve("plain.yml"), valid()
        .replace("partner_addrs: [127.0.0.1:12223, 127.0.0.1:12224]",
            "partner_addrs: [192.0.2.7:5010, 192.0.2.8:5010]"));
    Run r = pgquorum(f);
    assertThat(r.exit()).as(r.output()).isNotZero();
    assertThat(r.output())
        .contains("raft.partner_addrs[0] = '192.0.2.7:5010' (resolves to 192.0.2.7) is not a loopback address")
        .contains("raft.tls: {certfile:")
        .contains("raft.insecure: true (PATRONI_RAFT_INSECURE=true)")
        .doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(dir.resolve("raft")).as("nothing written").doesNotExist();
    assertThat(dir.resolve("pgdata")).as("PostgreSQL never set up").doesNotExist();
  }

  @Test
  void anUnreadableRestCertificateStopsTheStartNamingTheKey() throws Exception {
    Path f = Files.writeString(dir.resolve("tls.yml"), valid().replace("restapi:\n", "restapi:\n"
        + "  certfile: " + dir.resolve("missing.crt") + "\n  keyfile: " + dir.resolve("missing.key") + "\n"));
    Run r = pgquorum(f);
    assertThat(r.exit()).as(r.output()).isEqualTo(2);
    assertThat(r.output()).contains("restapi.certfile: " + dir.resolve("missing.crt") + " does not exist")
        .doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(dir.resolve("pgdata")).as("PostgreSQL never set up").doesNotExist();
  }
}
