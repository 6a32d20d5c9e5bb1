package io.pgquorum.dcs.ratis;

import io.pgquorum.dcs.api.DcsException;
import io.pgquorum.dcs.api.Precondition;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure a running member is registered ({@link Registrations}): writes its registration once the group
 * has a leader, unless it is there already, then stops. Members that came in through {@link MemberBoot}'s
 * late-founder or join paths were registered before their division ran; this covers founding members (they
 * cannot register before the group they found has a leader: the window {@link MemberBoot} documents), members
 * restarted from their own log, and members of groups that predate registrations.
 *
 * <p>Runs on its own thread: its calls block for up to the client's operation timeout, which must not delay
 * the member's timer (lease expiry, watches).
 */
final class Registrar implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Registrar.class);

  private final Thread thread;
  private volatile boolean closed;

  /**
   * @param votingNow whether this member is a voter of the configuration its division knows (a member that was
   *     removed keeps running until stopped, and must not register itself again)
   * @param how what the registration records about how this member came to have a log (founder, running)
   */
  Registrar(DcsServerConfig config, List<PeerAddress> currentMembers, BooleanSupplier votingNow, String how) {
    Map<String, PeerAddress> members = new LinkedHashMap<>();
    config.initialMembers().forEach(p -> members.put(p.id(), p));
    currentMembers.forEach(p -> members.putIfAbsent(p.id(), p));
    this.thread = new Thread(() -> loop(config, List.copyOf(members.values()), votingNow, how),
        "dcs-" + config.self().id() + "-registrar");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  private void loop(DcsServerConfig config, List<PeerAddress> members, BooleanSupplier votingNow, String how) {
    String key = Registrations.key(config.self().id());
    long pauseMs = 200;
    try (RatisDcsClient client = RatisDcsClient.connect(DcsClientConfig.builder()
        .groupName(config.groupName())
        .members(members)
        .localMember(config.self())
        .tls(config.tls().orElse(null))
        .build(), "dcs-registrar-" + config.self().id())) {
      while (!closed) {
        if (votingNow.getAsBoolean()) {
          try {
            if (client.get(key).isPresent()) {
              return;
            }
            if (client.put(key, Registrations.value(config.self(), how), Precondition.absent(), null)
                .succeeded()) {
              LOG.info("DCS member {} registered with group '{}'", config.self(), config.groupName());
            }
            return; // written, or written by someone else meanwhile
          } catch (DcsException e) {
            LOG.debug("DCS member {} not registered yet: {}", config.self(), MemberBoot.brief(e));
          }
        }
        try {
          TimeUnit.MILLISECONDS.sleep(pauseMs); // back-off between attempts while the group has no leader
        } catch (InterruptedException e) {
          return;
        }
        pauseMs = Math.min(pauseMs * 2, Duration.ofSeconds(5).toMillis());
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
  }
}
