package io.pgquorum.coordinator.rest;

import io.pgquorum.coordinator.config.Credentials;
import io.pgquorum.coordinator.config.HostPort;
import io.pgquorum.coordinator.config.RestApiConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/** A small HTTP client for tests against a {@link RestServer} on a loopback port. */
final class TestHttp {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();

  private final int port;

  TestHttp(int port) {
    this.port = port;
  }

  static RestApiConfig config(Optional<Credentials> auth, List<String> allowlist) {
    return new RestApiConfig(new HostPort("127.0.0.1", 0), new HostPort("127.0.0.1", 8008), auth, allowlist);
  }

  HttpResponse<String> send(String method, String path) throws IOException, InterruptedException {
    return send(method, path, null, null);
  }

  HttpResponse<String> send(String method, String path, String body, String authorization)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }
}
