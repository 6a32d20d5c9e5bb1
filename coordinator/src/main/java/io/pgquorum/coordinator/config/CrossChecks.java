package io.pgquorum.coordinator.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Checks that involve more than one section: ports that would collide, directories that would nest. */
final class CrossChecks {
  private CrossChecks() {}

  private record Endpoint(String key, String host, int port) {}

  /** Two services bound to the same port on the same (or a wildcard) host cannot both start. */
  static void addresses(RestApiConfig restapi, RaftConfig raft, PostgresConfig postgresql, Problems problems) {
    List<Endpoint> endpoints = new ArrayList<>();
    if (restapi != null) {
      add(endpoints, "restapi.listen", restapi.listen());
    }
    if (postgresql != null) {
      add(endpoints, "postgresql.listen", postgresql.listen());
    }
    if (raft != null) {
      String key = raft.bindAddr().isPresent() ? "raft.bind_addr" : "raft.self_addr";
      String text = raft.bindAddr().orElse(raft.selfAddr());
      HostPort hp = Addresses.parsePeer(key, text, true, Addresses.Kind.LISTEN, new Problems());
      if (hp != null) {
        add(endpoints, key, hp);
      }
    }
    List<String> reported = new ArrayList<>();
    for (int i = 0; i < endpoints.size(); i++) {
      for (int j = i + 1; j < endpoints.size(); j++) {
        Endpoint a = endpoints.get(i);
        Endpoint b = endpoints.get(j);
        if (a.key().equals(b.key()) || a.port() != b.port() || reported.contains(a.key() + b.key())) {
          continue;
        }
        boolean sameHost = a.host().equals(b.host()) || Addresses.isWildcard(a.host())
            || Addresses.isWildcard(b.host());
        if (sameHost) {
          reported.add(a.key() + b.key());
          problems.error(b.key(), "port " + b.port() + " on " + b.host() + " is also used by " + a.key()
              + "; each service needs its own host:port");
        }
      }
    }
  }

  private static void add(List<Endpoint> endpoints, String key, HostPort hp) {
    for (String host : Addresses.hosts(hp)) {
      String h = host.toLowerCase(Locale.ROOT);
      endpoints.add(new Endpoint(key, h.equals("*") ? "0.0.0.0" : h, hp.port()));
    }
  }

  /**
   * The data directory is emptied by re-clones and rewritten by pg_basebackup and pg_rewind; nothing pgquorum
   * needs to keep may live inside it, and it must not live inside the Raft directory either.
   */
  static void directories(RaftConfig raft, PostgresConfig postgresql, LogConfig log, Problems problems) {
    if (postgresql == null) {
      return;
    }
    Path pgdata = abs(postgresql.dataDir());
    String why = " (PostgreSQL's data directory is emptied and rewritten when a replica is re-cloned or rewound)";
    if (raft != null) {
      Path raftDir = abs(raft.dataDir());
      if (raftDir.startsWith(pgdata)) {
        problems.error("raft.data_dir", "must not be inside postgresql.data_dir" + why);
      } else if (pgdata.startsWith(raftDir)) {
        problems.error("postgresql.data_dir", "must not be inside raft.data_dir (the Raft log and snapshots "
            + "live there)");
      }
    }
    if (abs(postgresql.pgpass()).startsWith(pgdata)) {
      problems.error("postgresql.pgpass", "must not be inside postgresql.data_dir" + why);
    }
    if (log != null && log.dir().isPresent() && abs(log.dir().get()).startsWith(pgdata)) {
      problems.error("log.dir", "must not be inside postgresql.data_dir" + why);
    }
  }

  private static Path abs(Path p) {
    return p.toAbsolutePath().normalize();
  }
}
