package io.pgquorum.pgctl;

import io.pgquorum.coordinator.config.NodeConfig;

/** Requests to a member's REST API (the {@code api_url} of its member key), as patronictl's request_patroni. */
@FunctionalInterface
interface MemberApi {
  /**
   * Sends one request.
   *
   * @param apiUrl the member's api_url ({@code http://host:port/patroni})
   * @param method GET, DELETE, POST, PATCH
   * @param endpoint the path without its slash ({@code restart}), or null for the api_url itself
   * @return the status and body of the answer
   * @throws CtlException when the member cannot be reached (message: why)
   */
  Response send(NodeConfig config, String apiUrl, String method, String endpoint);

  /**
   * As above with a JSON {@code body} (null: none), e.g. pause's {@code PATCH /config}. Implementations that only
   * read (test doubles of the read commands) need not support a body.
   */
  default Response send(NodeConfig config, String apiUrl, String method, String endpoint, String body) {
    if (body == null) {
      return send(config, apiUrl, method, endpoint);
    }
    throw new UnsupportedOperationException("this MemberApi sends no request bodies");
  }

  /** An HTTP answer. */
  record Response(int status, String body) {}
}
