package io.pgquorum.coordinator.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgquorum.coordinator.ha.PeerView;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks peers for their status during a leader race: {@code GET <api_url>} (Patroni's api_url points at
 * {@code /patroni}) on every peer at once. A peer that does not answer in time, answers garbage, or cannot be
 * reached is reported {@link PeerView#unreachable unreachable}; the call never takes much longer than the timeout.
 * An {@code https://} api_url is asked over TLS (see {@link RestTls#client}); a peer whose certificate does not
 * verify counts as unreachable, which only makes this node more cautious in the race.
 */
public final class PeerClient {
  private static final Logger log = LoggerFactory.getLogger(PeerClient.class);

  /** Extra time past the timeout for the futures to settle before unfinished ones count as unreachable. */
  private static final Duration SLACK = Duration.ofMillis(200);

  /**
   * The client, reused while the timeout stays the same (the loop passes a constant): an HttpClient owns a
   * selector thread and a connection pool, so one per race would pile up threads until garbage collection.
   */
  private static volatile Cached cached;

  private record Cached(Duration connectTimeout, SSLContext tls, HttpClient client) {}

  private PeerClient() {}

  /**
   * Fetches every peer's status in parallel.
   *
   * @param apiUrlsByName each peer's api_url by member name
   * @param timeout bound for connecting and for the whole request, per peer; the call returns within about this
   * @return one view per peer, in the map's iteration order
   * @throws IllegalArgumentException when the timeout is not positive
   */
  public static List<PeerView> fetchAll(Map<String, String> apiUrlsByName, Duration timeout) {
    return fetchAll(apiUrlsByName, timeout, null);
  }

  /**
   * As {@link #fetchAll(Map, Duration)}, speaking TLS to {@code https://} api_urls with {@code tls} (see
   * {@link RestTls#client}: the certificate to present, the CA to trust); null means the JDK's defaults.
   */
  public static List<PeerView> fetchAll(Map<String, String> apiUrlsByName, Duration timeout, SSLContext tls) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("peer status timeout must be positive, got " + timeout);
    }
    if (apiUrlsByName.isEmpty()) {
      return List.of();
    }
    HttpClient client = client(timeout, tls);
    Map<String, CompletableFuture<PeerView>> pending = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : apiUrlsByName.entrySet()) {
      pending.put(e.getKey(), fetch(client, e.getKey(), e.getValue(), timeout));
    }
    long deadline = System.nanoTime() + timeout.plus(SLACK).toNanos();
    List<PeerView> out = new ArrayList<>(pending.size());
    for (Map.Entry<String, CompletableFuture<PeerView>> e : pending.entrySet()) {
      out.add(await(e.getKey(), e.getValue(), deadline));
    }
    return out;
  }

  /** The shared client for {@code timeout} and {@code tls} (also {@link FailsafeClient}'s). */
  static HttpClient client(Duration timeout, SSLContext tls) {
    Cached c = cached;
    if (c == null || !c.connectTimeout().equals(timeout) || c.tls() != tls) {
      // A race between two callers builds two clients; one is simply dropped, which is harmless.
      HttpClient.Builder b = HttpClient.newBuilder()
          .connectTimeout(timeout)
          .followRedirects(HttpClient.Redirect.NEVER)
          .version(HttpClient.Version.HTTP_1_1);
      if (tls != null) {
        b.sslContext(tls);
      }
      c = new Cached(timeout, tls, b.build());
      cached = c;
    }
    return c.client();
  }

  private static CompletableFuture<PeerView> fetch(HttpClient client, String name, String apiUrl,
      Duration timeout) {
    HttpRequest req;
    try {
      req = HttpRequest.newBuilder(URI.create(apiUrl)).timeout(timeout).GET()
          .header("Accept", "application/json").build();
    } catch (IllegalArgumentException e) {
      log.warn("member {}: api_url '{}' is not a valid URL", name, apiUrl);
      return CompletableFuture.completedFuture(PeerView.unreachable(name));
    }
    return client.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray())
        // Patroni reads the body whatever the status code: /patroni answers the status JSON either way.
        .thenApply(res -> {
          PeerView view = parse(name, res.body());
          log.debug("member {}: status from {}: HTTP {}, {}", name, apiUrl, res.statusCode(),
              view.reachable() ? "role " + view.role().orElse("unknown") : "not a status document");
          return view;
        })
        .exceptionally(err -> {
          log.debug("member {}: no status from {}: {}", name, apiUrl, err.toString());
          return PeerView.unreachable(name);
        });
  }

  private static PeerView await(String name, CompletableFuture<PeerView> f, long deadline) {
    try {
      return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      return PeerView.unreachable(name);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return PeerView.unreachable(name);
    } catch (ExecutionException e) {
      return PeerView.unreachable(name);
    }
  }

  /** Reads Patroni's status JSON; anything that is not a JSON object counts as no answer. */
  static PeerView parse(String name, byte[] body) {
    JsonNode n;
    try {
      n = Json.MAPPER.readTree(body);
    } catch (java.io.IOException e) {
      return PeerView.unreachable(name);
    }
    if (n == null || !n.isObject()) {
      return PeerView.unreachable(name);
    }
    Optional<String> role = Optional.ofNullable(n.path("role").textValue()).map(PeerClient::normaliseRole);
    // A streaming replica says "streaming" (Patroni 3+): its PostgreSQL runs as much as one that says "running".
    String state = n.path("state").textValue();
    boolean running = "running".equals(state) || "streaming".equals(state);
    JsonNode xlog = n.path("xlog");
    OptionalLong wal;
    if (xlog.path("location").isNumber()) {
      wal = OptionalLong.of(xlog.path("location").longValue());
    } else {
      OptionalLong received = number(xlog.path("received_location"));
      OptionalLong replayed = number(xlog.path("replayed_location"));
      wal = received.isPresent() || replayed.isPresent()
          ? OptionalLong.of(Math.max(received.orElse(0), replayed.orElse(0))) : OptionalLong.empty();
    }
    int timeline = n.path("timeline").isNumber() ? n.path("timeline").intValue() : 0;
    JsonNode tags = n.path("tags");
    boolean nofailover = truthy(tags.path("nofailover"));
    int priority = tags.path("failover_priority").isNumber() ? tags.path("failover_priority").intValue()
        : parseIntOr(tags.path("failover_priority").textValue(), nofailover ? 0 : 1);
    return new PeerView(name, true, role, running, wal, timeline, priority, nofailover,
        number(n.path("timeline_epoch")));
  }

  /** Patroni before 3.1 says "master". */
  private static String normaliseRole(String role) {
    return role.equals("master") ? "primary" : role;
  }

  private static OptionalLong number(JsonNode v) {
    return v.isNumber() ? OptionalLong.of(v.longValue()) : OptionalLong.empty();
  }

  private static boolean truthy(JsonNode v) {
    return v.isBoolean() ? v.booleanValue() : v.isTextual() && StatusFacts.isTrue(v.textValue());
  }

  private static int parseIntOr(String text, int fallback) {
    if (text == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      return fallback;
    }
  }
}
