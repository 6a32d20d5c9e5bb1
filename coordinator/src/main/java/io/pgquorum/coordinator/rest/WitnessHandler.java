package io.pgquorum.coordinator.rest;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.pgquorum.coordinator.metrics.NodeMetrics;
import io.pgquorum.coordinator.metrics.PrometheusText;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A witness's REST endpoint: reads only, answered on the event loop from the last published {@link WitnessStatus}.
 * {@code /liveness} is 200 while the process serves; {@code /health} and {@code /readiness} are 200 while its DCS
 * member is in a group with a leader it heard from recently, else 503; {@code /metrics} renders the member's Raft
 * families as a node does ({@link NodeMetrics#renderRaft}). As on a node, any other read path answers 503 (a
 * mistyped health check takes the witness out of rotation) and any write 501: a witness has nothing to change.
 */
@ChannelHandler.Sharable
final class WitnessHandler extends HttpHandler {

  private final Supplier<WitnessStatus> status;
  private final NodeMetrics metrics;
  private final Duration recent;
  private final LongSupplier nanoTime;

  /**
   * @param status the last published status; null before the first publication
   * @param recent how long ago the member may last have heard from its leader (or a leader from its majority) and
   *     still count as healthy
   */
  WitnessHandler(Supplier<WitnessStatus> status, Duration recent, LongSupplier nanoTime) {
    this.status = status;
    this.recent = recent;
    this.nanoTime = nanoTime;
    // The node's metrics code over the published figures: a scrape never calls into Raft.
    this.metrics = new NodeMetrics(() -> {
      WitnessStatus s = status.get();
      return s == null ? io.pgquorum.dcs.api.RaftStats.NONE : s.raft();
    });
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    if (req.decoderResult().isFailure()) {
      RestHandler.send(ctx, HttpReply.text(400, "malformed HTTP request"), true, true);
      return;
    }
    String method = req.method().name();
    String path = new QueryStringDecoder(req.uri()).path();
    switch (method) {
      case "GET" -> RestHandler.send(ctx, read(path), true, false);
      case "HEAD", "OPTIONS" -> RestHandler.send(ctx, read(path), false, false);
      default -> RestHandler.send(ctx, HttpReply.text(501, "unsupported request: " + method + " " + path
          + " (a witness serves reads only)"), true, false);
    }
  }

  /** Every read endpoint of a witness. */
  HttpReply read(String path) {
    WitnessStatus s = status.get();
    long now = nanoTime.getAsLong();
    switch (path) {
      case "/liveness":
        return HttpReply.json(200, body(s, now));
      case "/health":
      case "/readiness":
        return HttpReply.json(s != null && s.healthy(now, recent) ? 200 : 503, body(s, now));
      case "/metrics":
        if (s == null) {
          return HttpReply.text(503, "no status published yet");
        }
        StringBuilder out = new StringBuilder(2048);
        metrics.renderRaft(out, "scope=\"" + PrometheusText.escape(s.scope()) + "\",name=\""
            + PrometheusText.escape(s.name()) + "\"");
        return new HttpReply(200, MetricsText.CONTENT_TYPE, out.toString().getBytes(StandardCharsets.UTF_8),
            Map.of());
      default:
        return HttpReply.text(503, "unknown path " + path + " (a witness serves /liveness, /health, /readiness, "
            + "/metrics)");
    }
  }

  private static Map<String, Object> body(WitnessStatus s, long now) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("role", "witness");
    if (s == null) {
      m.put("state", "starting");
      return m;
    }
    m.put("state", "running");
    m.put("scope", s.scope());
    m.put("name", s.name());
    Map<String, Object> raft = new LinkedHashMap<>();
    raft.put("term", s.raft().term());
    raft.put("leader", s.raft().leaderId().orElse(null));
    raft.put("is_leader", s.raft().leader());
    raft.put("commit_index", s.raft().commitIndex());
    raft.put("applied_index", s.raft().appliedIndex());
    raft.put("contact_age_ms", s.contactAgeMillis(now));
    m.put("raft", raft);
    return m;
  }
}
