package io.pgquorum.coordinator.rest;

import io.pgquorum.coordinator.config.Credentials;
import io.pgquorum.coordinator.ha.FailsafeAsker;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failsafe mode's round over HTTP: {@code POST <api_url's origin>/failsafe} to every peer at once, with this node's
 * {@code restapi.authentication} (the peers' POST endpoints ask for it, as Patroni's do) and TLS settings. A peer
 * counts as accepting only on a 200 within the timeout; each peer gets one retry inside it (Patroni's), since one
 * refused connection must not demote a healthy primary.
 */
public final class FailsafeClient implements FailsafeAsker {
  private static final Logger log = LoggerFactory.getLogger(FailsafeClient.class);

  private final SSLContext tls;
  private final Duration timeout;
  private final Optional<String> authorization;
  private final String connUrl;
  private final String apiUrl;

  /**
   * @param timeout bound for the whole round (both tries of every peer)
   * @param credentials this node's {@code restapi.authentication}, if any
   * @param tls for {@code https://} peers (see {@link RestTls#client}); null: the JDK's defaults
   * @param connUrl this node's conn_url and {@code apiUrl} its api_url (Patroni's body carries them)
   */
  public FailsafeClient(Duration timeout, Optional<Credentials> credentials, SSLContext tls, String connUrl,
      String apiUrl) {
    // No client of its own: PeerClient's (same timeout and TLS in the node) is built on first use and shared, so a
    // node whose failsafe mode is off starts no further HTTP selector thread.
    this.tls = tls;
    this.timeout = timeout;
    this.authorization = credentials.map(Credentials::basicAuthorization);
    this.connUrl = connUrl;
    this.apiUrl = apiUrl;
  }

  /** {@code <scheme>://<authority>/failsafe} of an api_url (which names {@code /patroni} in Patroni's layout). */
  static URI endpoint(String apiUrl) {
    URI u = URI.create(apiUrl);
    return URI.create(u.getScheme() + "://" + u.getRawAuthority() + "/failsafe");
  }

  @Override
  public Set<String> accepted(Map<String, String> peers, String leader, Duration ttl, Map<String, Long> slots) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("name", leader);
    fields.put("conn_url", connUrl);
    fields.put("api_url", apiUrl);
    fields.put("ttl", ttl.toMillis() / 1000.0);
    // Patroni's slots: slot name to WAL position in bytes (see FailsafeRules.slotsToSend).
    fields.put("slots", new java.util.TreeMap<>(slots));
    String body = new String(Json.bytes(fields), StandardCharsets.UTF_8);
    Map<String, CompletableFuture<Boolean>> pending = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : peers.entrySet()) {
      pending.put(e.getKey(), ask(e.getKey(), e.getValue(), body, deadline, true));
    }
    Set<String> out = new TreeSet<>();
    for (Map.Entry<String, CompletableFuture<Boolean>> e : pending.entrySet()) {
      try {
        long left = Math.max(1, deadline - System.nanoTime());
        if (e.getValue().get(left, TimeUnit.NANOSECONDS)) {
          out.add(e.getKey());
        }
      } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException ex) {
        log.debug("failsafe: {} did not answer in time: {}", e.getKey(), ex.toString());
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return out;
  }

  private CompletableFuture<Boolean> ask(String name, String apiUrl, String body, long deadline, boolean retry) {
    URI uri;
    try {
      uri = endpoint(apiUrl);
    } catch (IllegalArgumentException e) {
      log.warn("failsafe: member {} has an unusable api_url: {}", name, e.getMessage());
      return CompletableFuture.completedFuture(false);
    }
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      return CompletableFuture.completedFuture(false);
    }
    HttpRequest.Builder r = HttpRequest.newBuilder(uri).timeout(Duration.ofNanos(left))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    authorization.ifPresent(a -> r.header("Authorization", a));
    return PeerClient.client(timeout, tls).sendAsync(r.build(), HttpResponse.BodyHandlers.ofString())
        .handle((res, err) -> {
          if (err == null && res.statusCode() == 200) {
            return CompletableFuture.completedFuture(true);
          }
          if (err == null) {
            log.info("failsafe: {} answered {} {}", name, res.statusCode(), res.body().strip());
            return CompletableFuture.completedFuture(false); // an answer, not a lost packet: no retry
          }
          return retry ? ask(name, apiUrl, body, deadline, false) : CompletableFuture.completedFuture(false);
        }).thenCompose(f -> f);
  }
}
