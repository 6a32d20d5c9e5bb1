package io.pgquorum.bench.failover;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.OptionalDouble;

/**
 * One value out of a pgquorum node's {@code GET /metrics} (Prometheus text), for the suites that read what a node
 * counted about itself (its lease headroom, its fencing actions) rather than infer it from outside.
 */
public final class MetricsScrape {
  private MetricsScrape() {}

  /** Node {@code node}'s {@code /metrics} body; an answer other than 200 is an error naming the node. */
  public static String fetch(HaCluster c, int node) {
    HttpResponse<String> r = ConfigRest.send(c, node, HttpRequest.newBuilder(
        URI.create("http://" + c.restEndpoint(node) + "/metrics")).GET());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(c.system() + ": " + c.name(node) + "'s GET /metrics answered "
          + r.statusCode());
    }
    return r.body();
  }

  /**
   * The value of the first sample of {@code family} whose labels contain {@code label} (e.g.
   * {@code reason="lease_deadline"}; null: any), NaN included; empty when there is none.
   */
  public static OptionalDouble value(String body, String family, String label) {
    for (String line : body.split("\n")) {
      boolean named = line.startsWith(family + "{") || line.startsWith(family + " ");
      if (named && (label == null || line.substring(0, line.lastIndexOf(' ')).contains(label))) {
        String v = line.substring(line.lastIndexOf(' ') + 1).trim();
        return OptionalDouble.of(v.equals("NaN") ? Double.NaN : Double.parseDouble(v));
      }
    }
    return OptionalDouble.empty();
  }

  /** As {@link #value}, required: its absence is an error naming the node and the family. */
  public static double required(HaCluster c, int node, String family, String label) {
    return value(fetch(c, node), family, label).orElseThrow(() -> new IllegalStateException(c.system() + ": no "
        + family + (label == null ? "" : "{" + label + "}") + " sample in " + c.name(node) + "'s /metrics"));
  }
}
