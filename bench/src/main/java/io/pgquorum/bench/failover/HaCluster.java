package io.pgquorum.bench.failover;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A running HA cluster of either system, as the failover and cost suites see it: N nodes, each one coordinator
 * (pgquorum daemon, or Patroni plus its etcd member) driving one PostgreSQL 15, all on 127.0.0.1.
 */
public interface HaCluster extends AutoCloseable {

  /** Result system name ({@link io.pgquorum.bench.report.Result#PGQUORUM} or {@code PATRONI}). */
  String system();

  /** Number of nodes. */
  int size();

  /** Member name of node {@code node} (as it appears in the DCS leader key). */
  String name(int node);

  /** The node answering 200 on {@code GET /primary} when exactly one does, else -1. */
  int primary();

  /** A superuser JDBC connection straight to node {@code node}'s PostgreSQL. */
  Connection connect(int node, int connectTimeoutSeconds, int socketTimeoutSeconds) throws SQLException;

  /**
   * The leader key as the DCS shows it when asked through node {@code viaNode}, by a linearizable read from the
   * bench itself (never the coordinators' own published status): the holder's name, "" when the DCS answered
   * that there is no leader key, or null when it did not answer in time. pgquorum: the bench's Raft client
   * contacting that node's member first ({@link RaftLeaderKeyReader}; the daemon's {@code GET /cluster} shows the
   * HA loop's last snapshot, a cycle late); Patroni: a read from that node's etcd member (asking Patroni's
   * {@code /cluster} would make it re-read the DCS and replace its own cache, perturbing what is measured).
   */
  String dcsLeader(int viaNode);

  /**
   * Where the bench (and an HAProxy it starts) reaches node {@code node}'s PostgreSQL directly.
   */
  Endpoint postgresEndpoint(int node);

  /** Where the bench (and an HAProxy it starts) reaches node {@code node}'s REST API directly. */
  Endpoint restEndpoint(int node);

  /** A superuser JDBC connection to {@code at} (a proxy in front of the cluster), with the cluster's password. */
  Connection connectTo(Endpoint at, int connectTimeoutSeconds, int socketTimeoutSeconds) throws SQLException;

  /** A host and port. */
  record Endpoint(String host, int port) {
    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  /** kill -9 of everything of node {@code node} at once (coordinator, its helpers, its DCS member, PostgreSQL). */
  void killNode(int node);

  /** SIGTERM of node {@code node}'s coordinator process only (daemon JVM / patroni); PostgreSQL is left to it. */
  void terminateCoordinator(int node);

  /** Waits up to {@code within} for node {@code node}'s coordinator process to exit; true when it did. */
  boolean awaitCoordinatorExit(int node, Duration within);

  /** Starts whatever {@link #killNode} or {@link #terminateCoordinator} stopped on node {@code node}. */
  void restartNode(int node);

  /** Waits for one primary and every other node streaming from it. */
  void awaitHealthy(Duration within);

  /** PIDs of node {@code node}'s coordinator processes (cost: pgquorum daemon + watchdog; patroni + etcd). */
  List<Long> coordinatorPids(int node);

  /** PIDs of node {@code node}'s PostgreSQL processes (postmaster and its children), for context. */
  List<Long> postgresPids(int node);

  /** Facts about the settings in effect (timing as the system reports it), for result notes. */
  Map<String, String> settings();

  /** The tail of every node's log, passwords masked, for failure messages. */
  String diagnostics();

  /** Optional explanation of how the network was arranged, for notes. */
  default Optional<String> networkNote() {
    return Optional.empty();
  }

  /** Stops every process this cluster started (by PID). Never throws. */
  @Override
  void close();
}
