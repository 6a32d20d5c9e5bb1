package io.pgquorum.coordinator.rest;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslHandler;
import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.ha.NodeStatus;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes one HTTP request: reads (GET/HEAD/OPTIONS) are answered on the event loop from the published status;
 * writes pass the allowlist and authentication, then run on the admin thread so a slow DCS write never stalls a
 * health check.
 */
@ChannelHandler.Sharable
final class RestHandler extends HttpHandler {
  private static final Logger log = LoggerFactory.getLogger(RestHandler.class);

  private final Supplier<NodeStatus> status;
  private final AccessControl access;
  private final AdminRequests admin;
  private final ExecutorService adminExecutor;
  private final ExecutorService slowReads;
  private final FailsafeEndpoint failsafe = new FailsafeEndpoint();
  /** Null until the node hands them over (and in tests without them). */
  private volatile io.pgquorum.coordinator.metrics.NodeMetrics metrics;

  RestHandler(Supplier<NodeStatus> status, AccessControl access, AdminActions admin, ExecutorService adminExecutor,
      ExecutorService slowReads) {
    this.slowReads = slowReads;
    this.status = status;
    this.access = access;
    this.admin = new AdminRequests(admin, status);
    this.adminExecutor = adminExecutor;
  }

  /** Failsafe mode's promises, once the HA loop exists. */
  /** Adds the node's internal metrics to {@code /metrics}, from now on. */
  void useMetrics(io.pgquorum.coordinator.metrics.NodeMetrics m) {
    metrics = m;
  }

  void useFailsafe(io.pgquorum.coordinator.ha.FailsafePromises promises) {
    failsafe.use(promises);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    if (req.decoderResult().isFailure()) {
      send(ctx, HttpReply.text(400, "malformed HTTP request"), true, true);
      return;
    }
    String method = req.method().name();
    QueryStringDecoder uri = new QueryStringDecoder(req.uri());
    String path = uri.path();
    switch (method) {
      case "GET":
        if (path.equals("/backup")) {
          // The backup job's state from memory: answered here, so a client waiting for its backup (pgctl backup
          // --wait) is never queued behind a slow read.
          send(ctx, admin.read(path), true, false);
          return;
        }
        if (AdminRequests.slowRead(path)) {
          slowRead(ctx, path);
          return;
        }
        send(ctx, read(path, uri.parameters()), true, false);
        return;
      case "HEAD":
      case "OPTIONS":
        send(ctx, read(path, uri.parameters()), false, false);
        return;
      default:
        write(ctx, method, path, req);
    }
  }

  private void write(ChannelHandlerContext ctx, String method, String path, FullHttpRequest req) {
    java.net.InetAddress remote = remoteAddress(ctx.channel().remoteAddress());
    boolean certificate = hasClientCertificate(ctx);
    String authorization = req.headers().get(HttpHeaderNames.AUTHORIZATION);
    byte[] body = ByteBufUtil.getBytes(req.content());
    if (!access.needsLookup(remote)) {
      // Decided without name resolution: refusals are answered here, at once, and never queue.
      HttpReply refusal = refusal(method, path, remote, certificate, authorization);
      if (refusal != null) {
        send(ctx, refusal, true, false);
        return;
      }
      if (failsafePost(method, path)) {
        // From memory only, so on this thread: behind a switchover on the admin thread it would come too late.
        send(ctx, failsafe.post(body, status.get()), true, false);
        return;
      }
    }
    try {
      // Otherwise the checks run on the admin thread: the allowlist may resolve names, which must never stall
      // the I/O threads that answer health checks.
      adminExecutor.execute(() -> send(ctx, guarded(method, path, body, remote, certificate, authorization), true,
          false));
    } catch (RejectedExecutionException e) {
      send(ctx, HttpReply.text(503, "too many requests waiting, or the server is shutting down; retry"), true,
          true);
    }
  }

  /**
   * A read that runs a command ({@code GET /backups} runs pgbackrest info): on the slow-read thread, never on the
   * event loop that answers health checks nor on the admin thread that runs switchovers. Unauthenticated, as every
   * read is (Patroni's rule).
   */
  private void slowRead(ChannelHandlerContext ctx, String path) {
    try {
      slowReads.execute(() -> {
        HttpReply reply;
        try {
          reply = admin.read(path);
        } catch (RuntimeException e) {
          log.error("GET {} failed", path, e);
          reply = HttpReply.text(500, "internal error while handling GET " + path + "; see the node's log");
        }
        send(ctx, reply, true, false);
      });
    } catch (RejectedExecutionException e) {
      send(ctx, HttpReply.text(503, "too many requests waiting, or the server is shutting down; retry"), true,
          true);
    }
  }

  /** The checks, then the endpoint (on the admin thread). */
  HttpReply guarded(String method, String path, byte[] body, java.net.InetAddress remote, boolean certificate,
      String authorization) {
    HttpReply refusal = refusal(method, path, remote, certificate, authorization);
    if (refusal == null && failsafePost(method, path)) {
      return failsafe.post(body, status.get());
    }
    return refusal != null ? refusal : runAdmin(method, path, body);
  }

  /**
   * Patroni's order: allowlist (403), client certificate (403), authentication (401), unknown endpoint (501);
   * null when the request may run. May resolve names (see {@link AccessControl#needsLookup}).
   */
  private HttpReply refusal(String method, String path, java.net.InetAddress remote, boolean certificate,
      String authorization) {
    if (!access.allows(remote, memberHosts())) {
      return HttpReply.text(403, "access denied: this address is not in restapi.allowlist");
    }
    if (access.clientCertificateRequired() && !certificate) {
      return HttpReply.text(403, "client certificate required (restapi.verify_client)");
    }
    if (!access.authenticated(authorization)) {
      return HttpReply.text(401, "authentication required")
          .withHeader(HttpHeaderNames.WWW_AUTHENTICATE.toString(), AccessControl.CHALLENGE);
    }
    if (!AdminRequests.handles(method, path) && !failsafePost(method, path)) {
      return HttpReply.text(501, "unsupported request: " + method + " " + path);
    }
    return null;
  }

  /** Failsafe mode's promise ({@link FailsafeEndpoint}): answered from memory, not by the admin actions. */
  private static boolean failsafePost(String method, String path) {
    return method.equals("POST") && path.equals("/failsafe");
  }

  /** The REST hosts of the members last read from the DCS (for allowlist_include_members). */
  private List<String> memberHosts() {
    NodeStatus s = status.get();
    if (s == null || s.cluster().isEmpty()) {
      return List.of();
    }
    List<String> hosts = new java.util.ArrayList<>();
    for (io.pgquorum.coordinator.cluster.Member m : s.cluster().get().members().values()) {
      AccessControl.hostOf(m.apiUrl()).ifPresent(hosts::add);
    }
    return hosts;
  }

  /** A verified client certificate on this connection (TLS with verify_client optional or required). */
  private static boolean hasClientCertificate(ChannelHandlerContext ctx) {
    SslHandler tls = ctx.pipeline().get(SslHandler.class);
    if (tls == null) {
      return false;
    }
    try {
      return tls.engine().getSession().getPeerCertificates().length > 0;
    } catch (SSLPeerUnverifiedException e) {
      return false;
    }
  }

  private HttpReply runAdmin(String method, String path, byte[] body) {
    try {
      return admin.handle(method, path, body);
    } catch (RuntimeException e) {
      log.error("{} {} failed", method, path, e);
      return HttpReply.text(500, "internal error while handling " + method + " " + path + "; see the node's log");
    }
  }

  /** Every read endpoint; anything that is not a named document is a health check (unknown paths: 503). */
  HttpReply read(String path, Map<String, List<String>> query) {
    NodeStatus s = status.get();
    switch (path) {
      case "/patroni":
        return s == null ? HttpReply.json(503, notYet()) : HttpReply.json(200, StatusJson.of(s));
      case "/cluster":
        return snapshot(s).map(c -> HttpReply.json(200, ClusterJson.cluster(s.scope(), c)))
            .orElseGet(() -> HttpReply.text(503, "the cluster state has not been read from the DCS yet"));
      case "/history":
        return snapshot(s).map(c -> HttpReply.json(200, ClusterJson.history(c)))
            .orElseGet(() -> HttpReply.text(503, "the cluster state has not been read from the DCS yet"));
      case "/config":
        return snapshot(s).flatMap(ClusterSnapshot::config).map(v -> configReply(v.value()))
            .orElseGet(() -> HttpReply.text(502, "no valid dynamic configuration in the DCS"));
      case "/failsafe":
        return FailsafeEndpoint.get(s);
      case "/metrics":
        return s == null ? HttpReply.text(503, "no status published yet")
            : new HttpReply(200, MetricsText.CONTENT_TYPE,
                MetricsText.of(s, Instant.now(), metrics).getBytes(java.nio.charset.StandardCharsets.UTF_8), Map.of());
      default:
        try {
          int code = HealthCheck.evaluate(path, query, s, System.nanoTime(), Instant.now());
          return HttpReply.json(code, s == null ? notYet() : StatusJson.of(s));
        } catch (BadRequest e) {
          return HttpReply.text(400, e.getMessage());
        }
    }
  }

  private static HttpReply configReply(DynamicConfig c) {
    return HttpReply.json(200, ClusterJson.redacted(c.raw()));
  }

  private static Optional<ClusterSnapshot> snapshot(NodeStatus s) {
    return s == null ? Optional.empty() : s.cluster();
  }

  /** Before the first HA cycle there is nothing to report; say so in the status shape tools expect. */
  private static Map<String, Object> notYet() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("state", "starting");
    m.put("role", "uninitialized");
    m.put("cluster_unlocked", true);
    return m;
  }

  private static java.net.InetAddress remoteAddress(SocketAddress a) {
    return a instanceof InetSocketAddress inet ? inet.getAddress() : null;
  }

  /**
   * Writes the reply. {@code withBody=false} (HEAD/OPTIONS) sends the status only. Connection reuse follows the
   * request (the keep-alive handler in the pipeline); {@code close} forces a close after a protocol error.
   */
  static void send(ChannelHandlerContext ctx, HttpReply reply, boolean withBody, boolean close) {
    byte[] body = withBody ? reply.body() : new byte[0];
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.valueOf(reply.status()), Unpooled.wrappedBuffer(body));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType());
    res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    reply.headers().forEach((k, v) -> res.headers().set(k, v));
    if (close) {
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.writeAndFlush(res);
    }
  }
}
