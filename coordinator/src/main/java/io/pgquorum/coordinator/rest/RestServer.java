package io.pgquorum.coordinator.rest;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.pgquorum.coordinator.config.RestApiConfig;
import io.pgquorum.coordinator.ha.NodeStatus;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's HTTP server: Patroni's REST API on {@code restapi.listen}, answering from the last published
 * {@link NodeStatus}. Small by design (one acceptor thread, two I/O threads, one admin thread): it serves health
 * checks and a few tools, and must not compete with PostgreSQL for CPU.
 *
 * <p>With {@code restapi.certfile} it serves HTTPS only (JDK TLS 1.2/1.3), asking for client certificates as
 * {@code restapi.verify_client} says (see {@link RestTls}).
 *
 * <p>Unknown read paths answer 503 (as Patroni: a mistyped health check takes the node out of rotation); unknown
 * write requests answer 501. Bodies larger than 64 KiB answer 413.
 */
public final class RestServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RestServer.class);

  /** Largest request body accepted; admin bodies are a few hundred bytes, a config patch a few KiB. */
  static final int MAX_BODY_BYTES = 64 * 1024;
  /** State-changing requests waiting for the admin thread beyond this are refused (503). */
  static final int ADMIN_QUEUE = 64;
  /** Slow reads waiting beyond the running one; more are answered 503 at once. */
  static final int SLOW_READ_QUEUE = 4;
  /** Keep-alive connections idle this long are closed. */
  private static final int IDLE_SECONDS = 60;

  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final ExecutorService adminExecutor;
  private final ExecutorService slowReads;
  private final Channel channel;
  private final int port;
  /** The node's handler; null on a witness's server, which has no metrics or failsafe to hand over. */
  private volatile RestHandler handler;

  private RestServer(EventLoopGroup boss, EventLoopGroup workers, ExecutorService adminExecutor,
      ExecutorService slowReads, Channel channel) {
    this.boss = boss;
    this.workers = workers;
    this.adminExecutor = adminExecutor;
    this.slowReads = slowReads;
    this.channel = channel;
    this.port = ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /**
   * Binds {@code config.listen()} (port 0 picks a free port, see {@link #port()}) and starts serving.
   *
   * @param status the last status the HA loop published; may return null before the first cycle
   * @param admin what the admin endpoints delegate to ({@link AdminActions#unsupported()} when none)
   * @throws IllegalStateException when the address cannot be bound (names {@code restapi.listen})
   * @throws IllegalArgumentException when {@code restapi.allowlist} holds a malformed entry
   * @throws io.pgquorum.coordinator.config.ConfigException when a TLS file cannot be used (names the key)
   */
  /**
   * Checks what {@link #start} would refuse, without binding or starting anything: the allowlist entries and the
   * TLS files. A node runs this before it starts its DCS member, which may wait a long time for its partners; a
   * bad certificate must stop the start at once, naming its key, not after that wait.
   *
   * @throws IllegalArgumentException for a malformed allowlist entry
   * @throws io.pgquorum.coordinator.config.ConfigException when a TLS file cannot be used (names the key)
   */
  public static void preflight(RestApiConfig config) {
    AccessControl.from(config);
    config.tls().map(RestTls::server);
  }

  public static RestServer start(RestApiConfig config, Supplier<NodeStatus> status, AdminActions admin) {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(admin, "admin");
    AccessControl access = AccessControl.from(config);
    // Read and checked before any thread starts: a bad certificate or key stops the start, naming the key.
    Optional<RestTls.Server> tls = config.tls().map(RestTls::server);
    // One thread: admin requests are rare, and running them one at a time keeps their DCS writes ordered. A
    // bounded queue: a flood of requests waiting for an allowlist lookup must not grow memory without end (the
    // overflow is answered 503 at once).
    ExecutorService adminExecutor = singleThread("pgquorum-rest-admin", ADMIN_QUEUE);
    // Reads that run a command (GET /backups: pgbackrest info, up to its command timeout) get a thread of their
    // own with a short queue: anyone may send them (reads are unauthenticated), and on the admin thread a script
    // polling them would hold up switchover, failover and restart requests.
    ExecutorService slowReads = singleThread("pgquorum-rest-slow-read", SLOW_READ_QUEUE);
    RestHandler handler = new RestHandler(status, access, admin, adminExecutor, slowReads);
    RestServer server = serve(config, tls, handler, adminExecutor, slowReads);
    server.handler = handler;
    return server;
  }

  /**
   * A witness's endpoint ({@link WitnessHandler}: liveness, health, readiness, Raft metrics) on
   * {@code config.listen()}, with the node's TLS and binding. It serves reads only, so the allowlist and
   * authentication, which guard writes, are checked (a malformed entry fails the start as on a node) but never
   * consulted.
   *
   * @param status the witness's last published status; may return null before the first publication
   * @param recent how old the member's last contact with its leader may be for {@code /health} to answer 200
   */
  public static RestServer startWitness(RestApiConfig config, Supplier<WitnessStatus> status, Duration recent) {
    Objects.requireNonNull(status, "status");
    AccessControl.from(config);
    Optional<RestTls.Server> tls = config.tls().map(RestTls::server);
    // Never given a task (a pool starts its thread on the first one): the witness's handler answers every
    // request on the event loop from the published status.
    ExecutorService unusedAdmin = singleThread("pgquorum-rest-admin", 1);
    ExecutorService unusedSlowReads = singleThread("pgquorum-rest-slow-read", 1);
    return serve(config, tls, new WitnessHandler(status, recent, System::nanoTime), unusedAdmin, unusedSlowReads);
  }

  private static ExecutorService singleThread(String name, int queue) {
    return new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(queue), r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    });
  }

  private static RestServer serve(RestApiConfig config, Optional<RestTls.Server> tls, ChannelHandler handler,
      ExecutorService adminExecutor, ExecutorService slowReads) {
    EventLoopGroup boss =
        new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("pgquorum-rest-accept", true),
            NioIoHandler.newFactory());
    EventLoopGroup workers =
        new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory("pgquorum-rest-io", true),
            NioIoHandler.newFactory());
    ServerBootstrap b = new ServerBootstrap()
        .group(boss, workers)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            tls.ifPresent(t -> ch.pipeline().addLast(new SslHandler(t.newEngine())));
            ch.pipeline()
                .addLast(new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS))
                .addLast(new HttpServerCodec())
                .addLast(new HttpServerKeepAliveHandler())
                .addLast(new HttpObjectAggregator(MAX_BODY_BYTES))
                .addLast(handler);
          }
        });
    InetSocketAddress address = bindAddress(config);
    // Waiting without sync(): sync() rethrows a BindException undeclared, which would slip past a catch.
    ChannelFuture bound = b.bind(address).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      shutdown(boss, workers, adminExecutor, slowReads);
      Throwable cause = bound.cause();
      throw new IllegalStateException("restapi.listen: cannot bind " + config.listen() + ": "
          + (cause == null ? "unknown error" : cause.getMessage()), cause);
    }
    RestServer server = new RestServer(boss, workers, adminExecutor, slowReads, bound.channel());
    log.info("REST API listening on {}:{} ({})", address.getHostString(), server.port,
        tls.map(t -> "HTTPS, verify_client " + t.verifyClient().configName()).orElse("HTTP"));
    return server;
  }

  /** {@code *}, an empty host and {@code 0.0.0.0} all mean every interface. */
  private static InetSocketAddress bindAddress(RestApiConfig config) {
    String host = config.listen().host();
    if (host == null || host.isEmpty() || host.equals("*")) {
      return new InetSocketAddress(config.listen().port());
    }
    return new InetSocketAddress(host, config.listen().port());
  }

  /** Adds the node's internal metrics (Raft, HA loop, lease, fencing) to {@code GET /metrics}, from now on. */
  public void useMetrics(io.pgquorum.coordinator.metrics.NodeMetrics metrics) {
    handler.useMetrics(metrics);
  }

  /** Answers {@code POST /failsafe} with {@code promises} (the HA loop's), from now on. */
  public void useFailsafe(io.pgquorum.coordinator.ha.FailsafePromises promises) {
    handler.useFailsafe(promises);
  }

  /** The port actually bound (differs from the configured one when that was 0). */
  public int port() {
    return port;
  }

  /** Stops accepting, closes connections and stops the threads; waits a bounded time. */
  @Override
  public void close() {
    channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    shutdown(boss, workers, adminExecutor, slowReads);
  }

  private static void shutdown(EventLoopGroup boss, EventLoopGroup workers, ExecutorService adminExecutor,
      ExecutorService slowReads) {
    adminExecutor.shutdownNow();
    slowReads.shutdownNow();
    // No quiet period: nothing else submits work to these loops once the server channel is closed.
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    boss.terminationFuture().awaitUninterruptibly(3, TimeUnit.SECONDS);
    workers.terminationFuture().awaitUninterruptibly(3, TimeUnit.SECONDS);
  }
}
