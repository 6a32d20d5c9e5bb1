package io.pgquorum.bench.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgquorum.bench.failover.ConfigRest;
import io.pgquorum.bench.failover.HaCluster;
import io.pgquorum.bench.failover.SyncInEffect;
import io.pgquorum.bench.failover.Variant;
import io.pgquorum.jepsen.stack.PgClusterSpec.SyncMode;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;

/**
 * Switches a running cluster's replication mode the way an operator does, {@code PATCH /config} on the primary's
 * REST API (the same request for pgquorum and Patroni), and waits until the mode is in effect: first in the dynamic
 * configuration the primary reports ({@code GET /config}), then in the primary's PostgreSQL ({@link SyncInEffect}).
 */
final class ModeSwitch {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ModeSwitch() {}

  /** The JSON merge patch setting {@code mode} (both keys, so that no earlier strict setting survives). */
  static String patchBody(SyncMode mode) {
    return switch (mode) {
      case OFF -> "{\"synchronous_mode\":false,\"synchronous_mode_strict\":false}";
      case ON -> "{\"synchronous_mode\":true,\"synchronous_mode_strict\":false}";
      case QUORUM -> "{\"synchronous_mode\":\"quorum\",\"synchronous_mode_strict\":false}";
      case STRICT -> "{\"synchronous_mode\":true,\"synchronous_mode_strict\":true}";
    };
  }

  /** null when the dynamic configuration {@code config} ({@code GET /config}) asks for {@code mode}, else why not. */
  static String configProblem(SyncMode mode, JsonNode config) {
    String sync = word(config.get("synchronous_mode"));
    boolean strict = truthy(word(config.get("synchronous_mode_strict")));
    SyncMode seen = sync.equals("quorum") ? SyncMode.QUORUM
        : truthy(sync) ? (strict ? SyncMode.STRICT : SyncMode.ON) : SyncMode.OFF;
    return seen == mode ? null : "GET /config asks for " + Variant.modeName(seen) + " (synchronous_mode '" + sync
        + "', synchronous_mode_strict " + strict + "), not " + Variant.modeName(mode);
  }

  /** PATCHes the mode in, then waits up to {@code within} for the configuration and PostgreSQL to show it. */
  static void apply(HaCluster c, SyncMode mode, Duration within) {
    int p = c.primary();
    if (p < 0) {
      throw new IllegalStateException(c.system() + ": no single primary to send PATCH /config to");
    }
    HttpResponse<String> answer = ConfigRest.send(c, p, HttpRequest.newBuilder(ConfigRest.uri(c, p))
        .method("PATCH", HttpRequest.BodyPublishers.ofString(patchBody(mode)))
        .header("Content-Type", "application/json"));
    if (answer.statusCode() != 200) {
      throw new IllegalStateException(c.system() + ": PATCH /config " + patchBody(mode) + " answered "
          + answer.statusCode() + ": " + answer.body());
    }
    long deadline = System.nanoTime() + within.toNanos();
    String last = "no answer yet";
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r = ConfigRest.send(c, p, HttpRequest.newBuilder(ConfigRest.uri(c, p)).GET());
      try {
        last = r.statusCode() == 200 ? configProblem(mode, JSON.readTree(r.body())) : "GET /config " + r.statusCode();
      } catch (IOException e) {
        last = "GET /config is not JSON: " + e.getMessage();
      }
      if (last == null) {
        SyncInEffect.await(c, mode, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        return;
      }
      sleep(200); // poll interval of a condition with a deadline
    }
    throw new IllegalStateException(c.system() + ": " + Variant.modeName(mode) + " not in the dynamic "
        + "configuration within " + within.toSeconds() + " s of PATCH /config (last: " + last + ")");
  }


  private static String word(JsonNode n) {
    return n == null || n.isNull() ? "false" : n.asText().strip().toLowerCase(Locale.ROOT);
  }

  private static boolean truthy(String w) {
    return w.equals("true") || w.equals("on") || w.equals("yes");
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
