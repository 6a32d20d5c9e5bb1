package io.pgquorum.pgctl;

import io.pgquorum.coordinator.config.NodeConfig;

/** Requests to a member's REST API (the {@code api_url} of its member key), as patronictl's request_patroni. */
@FunctionalInterface
interface MemberApi {
  /**
   * Sends one request.
   *
   * @param apiUrl the member's api_url ({@code http://host:port/patroni})
   * @param method GET or DELETE
   * @param endpoint the path without its slash ({@code restart}), or null for the api_url itself
   * @return the status and body of the answer
   * @throws CtlException when the member cannot be reached (message: why)
   */
  Response send(NodeConfig config, String apiUrl, String method, String endpoint);

  /** An HTTP answer. */
  record Response(int status, String body) {}
}
