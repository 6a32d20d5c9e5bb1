package io.pgquorum.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.testkit.FreePorts;
import io.pgquorum.testkit.proc.Commands;
import io.pgquorum.testkit.proc.Daemon;
import io.pgquorum.testkit.proc.Launch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bundle's HAProxy and PgBouncer samples ({@code conf/haproxy.cfg}, {@code conf/pgbouncer.ini}) run for real in
 * front of a test cluster, changed only where their comments tell an operator to change them: the nodes' addresses,
 * the listening ports (free ones here), file locations, and the TLS check words the HAProxy sample gives for a REST
 * API with client certificates. Both run in the foreground as {@link Daemon}s and are stopped by PID.
 */
final class ProxySamples implements AutoCloseable {
  private static final Duration STOP = Duration.ofSeconds(20);

  /** A node as the samples see it: its name (the sample's server names), PostgreSQL and REST ports on loopback. */
  record Backend(String name, int pgPort, int restPort) {}

  final int writePort = FreePorts.next();
  final int readPort = FreePorts.next();
  final int statsPort = FreePorts.next();
  final int bouncerPort = FreePorts.next();
  private final Path dir;
  private final List<Daemon> started = new ArrayList<>();

  ProxySamples(Path dir) throws IOException {
    this.dir = Files.createDirectories(dir);
  }

  /**
   * The HAProxy sample pointed at {@code backends} (server {@code nodeN} at its PostgreSQL port, checked on its REST
   * port), listening on this object's ports, with the sample's {@code tls-checks:} words (CA file and client PEM
   * replaced) appended to every {@code default-server} line.
   */
  static String haproxyConfig(String sample, List<Backend> backends, int write, int read, int stats, Path caFile,
      Path clientPem) {
    Matcher tls = Pattern.compile("(?m)^# tls-checks: (.+)$").matcher(sample);
    assertThat(tls.find()).as("the HAProxy sample gives the words for TLS checks").isTrue();
    String words = tls.group(1).trim().replace("/etc/pgquorum/ca.crt", caFile.toString())
        .replace("/etc/haproxy/pgquorum-client.pem", clientPem.toString());
    assertThat(words).as("TLS check words with the test's files").contains(caFile.toString())
        .contains(clientPem.toString());
    String out = sample.replace("bind *:5000", "bind 127.0.0.1:" + write)
        .replace("bind *:5001", "bind 127.0.0.1:" + read).replace("bind *:7000", "bind 127.0.0.1:" + stats);
    for (int i = 0; i < backends.size(); i++) {
      Backend b = backends.get(i);
      String line = "server " + b.name() + " 10.0.0." + (i + 1) + ":5432 check port 8008";
      assertThat(out).as("the sample's server line for %s", b.name()).contains(line);
      out = out.replace(line, "server " + b.name() + " 127.0.0.1:" + b.pgPort() + " check port " + b.restPort());
    }
    out = Pattern.compile("(?m)^(\\s+default-server .+)$").matcher(out).replaceAll("$1 " + Matcher.quoteReplacement(
        words));
    assertThat(out).as("every address replaced").doesNotContain("10.0.0.").doesNotContain("*:");
    return out;
  }

  /**
   * The PgBouncer sample pointed at this HAProxy (its databases on the write and read ports, database
   * {@code dbname} on the servers), listening on {@link #bouncerPort}, with {@code userlist} as its auth_file.
   */
  static String pgbouncerConfig(String sample, int write, int read, int listen, String dbname, Path userlist,
      Path socketDir) {
    String out = sample.replace("appdb = host=127.0.0.1 port=5000 dbname=appdb",
        "appdb = host=127.0.0.1 port=" + write + " dbname=" + dbname)
        .replace("appdb_ro = host=127.0.0.1 port=5001 dbname=appdb",
            "appdb_ro = host=127.0.0.1 port=" + read + " dbname=" + dbname)
        .replace("listen_port = 6432", "listen_port = " + listen)
        .replace("auth_file = /etc/pgbouncer/userlist.txt", "auth_file = " + userlist);
    assertThat(out).as("the sample's lines, replaced").contains("port=" + write).contains("port=" + read)
        .contains("listen_port = " + listen).contains("auth_file = " + userlist);
    // Not in the sample (PgBouncer's default /tmp serves there); its own directory keeps two runs apart.
    return out + "unix_socket_dir = " + socketDir + "\n";
  }

  /** Starts HAProxy with {@code config} in the foreground (-db), after {@code haproxy -c} accepted the file. */
  void startHaproxy(String config) throws IOException {
    Path file = dir.resolve("haproxy.cfg");
    Files.writeString(file, config);
    Commands.runChecked(List.of("/usr/sbin/haproxy", "-c", "-f", file.toString()), 60);
    start("haproxy", List.of("/usr/sbin/haproxy", "-db", "-f", file.toString()));
  }

  /** Where {@link #startPgbouncer} writes the user list the PgBouncer configuration must name. */
  Path userlist() {
    return dir.resolve("userlist.txt");
  }

  /** Starts PgBouncer with {@code config} in the foreground, {@code user} and {@code password} in its user list. */
  void startPgbouncer(String config, String user, String password) throws IOException {
    assertThat(Path.of("/usr/sbin/pgbouncer")).as("PgBouncer is installed (.ci/run installs it)").isExecutable();
    // Plain text is one of the forms auth_file takes; PgBouncer runs the SCRAM exchanges from it.
    Files.writeString(userlist(), "\"" + user + "\" \"" + password + "\"\n");
    Path file = dir.resolve("pgbouncer.ini");
    Files.writeString(file, config);
    start("pgbouncer", List.of("/usr/sbin/pgbouncer", file.toString()));
  }

  Path dir() {
    return dir;
  }

  private void start(String name, List<String> command) {
    Daemon d = new Daemon(name, dir.resolve(name + ".log"));
    d.launch(new Launch(command, Map.of(), "started as " + String.join(" ", command), false));
    started.add(d);
  }

  /** The daemons' logs, for a failure message. */
  String logs() {
    StringBuilder b = new StringBuilder();
    for (Daemon d : started) {
      b.append("--- ").append(d.what()).append(" (alive: ").append(d.alive()).append(")\n")
          .append(d.logOfLaunch()).append('\n');
    }
    return b.toString();
  }

  @Override
  public void close() {
    for (Daemon d : started) {
      if (d.alive()) {
        d.terminate();
        if (!d.awaitExit(STOP)) {
          d.kill(STOP);
        }
      }
    }
  }
}
