package io.pgquorum.pgctl;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.pgquorum.coordinator.cluster.ClusterStore;
import io.pgquorum.coordinator.cluster.DcsKeys;
import io.pgquorum.coordinator.config.MergePatch;
import io.pgquorum.dcs.ratis.RatisDcsClient;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A member's REST API as far as pause and resume need it, the test playing the coordinator: {@code PATCH /config}
 * merges the JSON patch into the DCS config key, then the member (named {@code name}) publishes {@code pause} in
 * its member key, as a node does on its next cycle. With {@link #requireAuthorization} set, any other
 * Authorization header is answered 401 as the daemon does.
 */
final class ConfigPatchServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};

  private final HttpServer server;
  private final RatisDcsClient dcs;
  private final DcsKeys keys;
  private final ClusterStore member;
  private final Map<String, Object> memberData = new LinkedHashMap<>();
  /** Every request seen: method, path and Authorization header ("-" when none). */
  final List<String> requests = Collections.synchronizedList(new ArrayList<>());
  volatile Optional<String> requireAuthorization = Optional.empty();

  ConfigPatchServer(RatisDcsClient dcs, DcsKeys keys, String name) throws IOException {
    this.dcs = dcs;
    this.keys = keys;
    this.member = new ClusterStore(dcs, keys, name);
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.start();
    memberData.put("api_url", apiUrl());
    memberData.put("state", "running");
    memberData.put("role", "primary");
  }

  String apiUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/patroni";
  }

  /** Writes this member's key (again), as a running node keeps it. */
  void publish() {
    member.touchMember(memberData, Duration.ofMinutes(5));
  }

  ClusterStore store() {
    return member;
  }

  private void handle(HttpExchange x) throws IOException {
    String auth = Optional.ofNullable(x.getRequestHeaders().getFirst("Authorization")).orElse("-");
    requests.add(x.getRequestMethod() + " " + x.getRequestURI().getPath() + " " + auth);
    try (x) {
      if (requireAuthorization.isPresent() && !requireAuthorization.get().equals(auth)) {
        reply(x, 401, "authentication required");
      } else if (x.getRequestMethod().equals("PATCH") && x.getRequestURI().getPath().equals("/config")) {
        Map<String, Object> patch = JSON.readValue(x.getRequestBody(), MAP);
        Map<String, Object> stored = JSON.readValue(dcs.get(keys.config()).orElseThrow().value(), MAP);
        Map<String, Object> changed = MergePatch.apply(stored, patch);
        dcs.put(keys.config(), JSON.writeValueAsString(changed));
        if (Boolean.TRUE.equals(changed.get("pause"))) {
          memberData.put("pause", true);
        } else {
          memberData.remove("pause");
        }
        publish();
        reply(x, 200, JSON.writeValueAsString(changed));
      } else {
        reply(x, 501, "unsupported request: " + x.getRequestMethod() + " " + x.getRequestURI().getPath());
      }
    }
  }

  private static void reply(HttpExchange x, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    x.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
