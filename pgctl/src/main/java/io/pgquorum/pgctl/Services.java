package io.pgquorum.pgctl;

import java.util.Map;

/**
 * What pgctl's commands reach beyond the DCS read, replaceable in tests: the terminal, the environment (PG*
 * variables for query), members' REST APIs, their PostgreSQL, the DCS writes of remove and flush, and the pace of
 * watch mode.
 *
 * @param terminal standard input and output are a terminal: prompts can be answered, the screen can be cleared
 */
record Services(boolean terminal, Map<String, String> env, MemberApi api, SqlRunner sql, ClusterWriter writer,
    Pacer pacer) {

  Services {
    env = Map.copyOf(env);
  }

  /** The real ones; {@code insecure} is {@code -k}. */
  static Services real(Map<String, String> env, boolean insecure) {
    return new Services(System.console() != null, env, new HttpMemberApi(insecure), new JdbcSqlRunner(),
        new DcsClusterWriter(DcsClusterSource.DEFAULT_TIMEOUT), Pacer.FOREVER);
  }
}
