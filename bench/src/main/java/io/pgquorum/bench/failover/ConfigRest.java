package io.pgquorum.bench.failover;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A node's {@code /config} over its REST API, for the suites that change the dynamic configuration mid-run. */
public final class ConfigRest {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private ConfigRest() {}

  /** {@code http://<node's REST endpoint>/config}. */
  public static URI uri(HaCluster c, int node) {
    return URI.create("http://" + c.restEndpoint(node) + "/config");
  }

  /** Sends {@code req} (5 s bound); an unreachable REST API is an error naming the system and node. */
  public static HttpResponse<String> send(HaCluster c, int node, HttpRequest.Builder req) {
    try {
      return HTTP.send(req.timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(c.system() + ": " + c.name(node) + "'s REST API: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
