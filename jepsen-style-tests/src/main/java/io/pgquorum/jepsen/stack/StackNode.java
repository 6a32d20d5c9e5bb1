package io.pgquorum.jepsen.stack;

import io.pgquorum.testkit.proc.Daemon;
import io.pgquorum.testkit.proc.ProcInfo;
import java.nio.file.Path;
import java.util.Optional;

/** One node of a {@link PgCluster}: its identity, directory, daemon process, PostgreSQL pauser and clock rate. */
final class StackNode {
  final NodePorts ports;
  final Path dir;
  final Daemon daemon;
  final PostgresPause pgPause;
  /** The WAL sender streaming to this node, while paused (it lives on the upstream's PostgreSQL). */
  final WalSenderPause walSenderPause = new WalSenderPause();
  /** Where it listens and how it is reached, as the network arranged it (set once the network is up). */
  NodeAddresses addr;
  /** The clock rate its daemon runs at (libfaketime when not 1). */
  double clockRate = 1.0;

  StackNode(NodePorts ports, Path dir, String freezerGroup) {
    this.ports = ports;
    this.dir = dir;
    this.daemon = new Daemon(ports.name() + "'s daemon", dir.resolve("daemon.out"));
    this.pgPause = new PostgresPause(freezerGroup);
  }

  int index() {
    return ports.index();
  }

  String name() {
    return ports.name();
  }

  Path dataDir() {
    return dir.resolve("pgdata");
  }

  Path config() {
    return dir.resolve("pgquorum.yml");
  }

  Path raftDir() {
    return dir.resolve("raft");
  }

  Path pgpass() {
    return dir.resolve("pgpass");
  }

  /** The live postmaster, from {@code postmaster.pid} (a SIGKILLed one leaves its file behind). */
  Optional<Long> postmasterPid() {
    return ProcInfo.pidFromFile(dataDir().resolve("postmaster.pid"));
  }
}
