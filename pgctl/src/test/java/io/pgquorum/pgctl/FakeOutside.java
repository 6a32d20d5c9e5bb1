package io.pgquorum.pgctl;

import io.pgquorum.coordinator.config.NodeConfig;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A scripted outside world for pgctl's commands: REST answers, SQL results, DCS writes and watch pacing. */
final class FakeOutside {
  /** Answers by "METHOD url"; a missing entry is an unreachable member. */
  final Map<String, MemberApi.Response> answers = new LinkedHashMap<>();
  final List<String> requests = new ArrayList<>();
  final List<String> writes = new ArrayList<>();
  final List<SqlRunner.Target> connections = new ArrayList<>();
  final List<Duration> waits = new ArrayList<>();
  /** SQL results by member host; a missing host throws {@link #sqlFailure}. */
  final Map<String, Optional<SqlRunner.Rows>> results = new LinkedHashMap<>();
  SQLException sqlFailure = new SQLException("Connection to 10.0.0.9:5432 refused.\nCheck it.", "08001");
  boolean clearSucceeds = true;
  boolean terminal = true;
  Map<String, String> env = Map.of();
  /** How many refreshes the watch may make after the first. */
  int refreshes = 0;

  Services services() {
    MemberApi api = (NodeConfig config, String apiUrl, String method, String endpoint) -> {
      String url = endpoint == null ? apiUrl : apiUrl.replaceFirst("/patroni$", "/" + endpoint);
      requests.add(method + " " + url);
      MemberApi.Response r = answers.get(method + " " + url);
      if (r == null) {
        throw CtlException.failure("ConnectException (" + url + ")");
      }
      return r;
    };
    SqlRunner sql = (target, inRecovery, text) -> {
      connections.add(target);
      Optional<SqlRunner.Rows> r = results.get(target.host());
      if (r == null) {
        throw sqlFailure;
      }
      return r;
    };
    ClusterWriter writer = new ClusterWriter() {
      @Override
      public long removeCluster(NodeConfig config) {
        writes.add("deletePrefix " + config.keyPrefix());
        return 5;
      }

      @Override
      public boolean clearFailover(NodeConfig config, long revision) {
        writes.add("clearFailover at " + revision);
        return clearSucceeds;
      }
    };
    Pacer pacer = (interval, started) -> {
      waits.add(interval);
      return refreshes-- > 0;
    };
    return new Services(terminal, env, api, sql, writer, pacer);
  }
}
