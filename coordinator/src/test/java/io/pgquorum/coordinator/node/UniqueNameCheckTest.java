package io.pgquorum.coordinator.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgquorum.coordinator.cluster.ClusterStore;
import io.pgquorum.coordinator.cluster.DcsKeys;
import io.pgquorum.coordinator.cluster.LeaseOwner;
import io.pgquorum.coordinator.config.ConfigException;
import io.pgquorum.dcs.api.Dcs;
import io.pgquorum.dcs.api.DcsUnavailableException;
import io.pgquorum.dcs.memory.InMemoryDcs;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UniqueNameCheckTest {
  static final DcsKeys KEYS = new DcsKeys("/service/demo/");
  static final Duration TTL = Duration.ofSeconds(8);
  /** A partner runs the group (or cannot be told not to): the check reads the DCS within its budget. */
  static final Supplier<Optional<String>> NO_ANSWER = Optional::empty;
  final InMemoryDcs dcs = new InMemoryDcs();

  @AfterEach
  void close() {
    dcs.close();
  }

  ClusterStore daemon(String nodeId, long n) {
    LeaseOwner me = new LeaseOwner("node2", nodeId, n);
    return new ClusterStore(dcs.client(me.id()), KEYS, "node2", me::isEarlierIncarnationOfThisNode);
  }

  @Test
  void aRunningDaemonWithTheNameRefusesTheStartNamingTheKey() {
    daemon("aaaaaaaaaaaaaaaa", 1).touchMember(Map.of("api_url", "http://10.0.0.2:8008/patroni"), TTL);
    ClusterStore second = daemon("bbbbbbbbbbbbbbbb", 1);
    second.livenessProbe(url -> true);
    assertThatThrownBy(() -> UniqueNameCheck.atStart(second, "node2", Duration.ofSeconds(2), NO_ANSWER))
        .isInstanceOf(ConfigException.class)
        .hasMessage("name: Can't start; there is already a node named 'node2' running (its REST API "
            + "http://10.0.0.2:8008/patroni answers and it owns /service/demo/members/node2); give every node a "
            + "unique name");
  }

  @Test
  void aDaemonWhoseApiDoesNotAnswerLetsTheStartGoOnUnderTheGuard() {
    daemon("aaaaaaaaaaaaaaaa", 1).touchMember(Map.of("api_url", "http://10.0.0.2:8008/patroni"), TTL);
    ClusterStore second = daemon("bbbbbbbbbbbbbbbb", 1);
    second.livenessProbe(url -> false);
    assertThatCode(() -> UniqueNameCheck.atStart(second, "node2", Duration.ofSeconds(2), NO_ANSWER))
        .doesNotThrowAnyException();
  }

  @Test
  void anEarlierStartOfThisNodeNeverBlocksARestart() {
    daemon("aaaaaaaaaaaaaaaa", 1).touchMember(Map.of("api_url", "http://10.0.0.2:8008/patroni"), TTL);
    ClusterStore restarted = daemon("aaaaaaaaaaaaaaaa", 2);
    restarted.livenessProbe(url -> true); // even if something answers there
    assertThatCode(() -> UniqueNameCheck.atStart(restarted, "node2", Duration.ofSeconds(2), NO_ANSWER))
        .doesNotThrowAnyException();
  }

  @Test
  void anUnreachableDcsIsRetriedWithinTheBudgetThenLeftToTheGuard() {
    AtomicInteger reads = new AtomicInteger();
    Dcs down = (Dcs) Proxy.newProxyInstance(Dcs.class.getClassLoader(), new Class<?>[] {Dcs.class},
        (proxy, method, args) -> switch (method.getName()) {
          case "read" -> {
            reads.incrementAndGet();
            throw new DcsUnavailableException("no majority answered", Duration.ofMillis(100), null, null);
          }
          case "ownerId" -> "node2@aaaaaaaaaaaaaaaa#1";
          default -> throw new UnsupportedOperationException(method.getName());
        });
    ClusterStore store = new ClusterStore(down, KEYS, "node2");
    long start = System.nanoTime();
    assertThatCode(() -> UniqueNameCheck.atStart(store, "node2", Duration.ofMillis(600), NO_ANSWER))
        .doesNotThrowAnyException();
    assertThat(reads.get()).as("retried").isGreaterThan(1);
    // The bound is the behaviour (never wait for the DCS for ever); 600 ms budget, generous margin.
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("bounded").isLessThan(Duration.ofSeconds(5));
  }

  /** A DCS whose first {@code failures} reads fail as during a Raft election, then {@code behind} answers. */
  Dcs electingThen(Dcs behind, int failures, AtomicInteger reads) {
    return (Dcs) Proxy.newProxyInstance(Dcs.class.getClassLoader(), new Class<?>[] {Dcs.class},
        (proxy, method, args) -> {
          if (method.getName().equals("read") && reads.incrementAndGet() <= failures) {
            throw new DcsUnavailableException("no leader yet", Duration.ofMillis(100), null, null);
          }
          try {
            return method.invoke(behind, args);
          } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  @Test
  void whenNoPartnerRunsTheGroupTheStartGoesOnWithoutWaitingForTheRead() throws Exception {
    java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
    Dcs hanging = (Dcs) Proxy.newProxyInstance(Dcs.class.getClassLoader(), new Class<?>[] {Dcs.class},
        (proxy, method, args) -> switch (method.getName()) {
          case "read" -> {
            never.await(); // a read nobody answers: it would fail only after the client's operation timeout
            throw new DcsUnavailableException("no majority answered", Duration.ofMillis(100), null, null);
          }
          case "ownerId" -> "node2@bbbbbbbbbbbbbbbb#1";
          default -> throw new UnsupportedOperationException(method.getName());
        });
    ClusterStore store = new ClusterStore(hanging, KEYS, "node2");
    AtomicInteger asked = new AtomicInteger();
    try {
      assertThatCode(() -> UniqueNameCheck.atStart(store, "node2", Duration.ofMinutes(10), () -> {
        asked.incrementAndGet();
        return Optional.of("none of its partners runs a member of DCS group 'demo' yet");
      })).doesNotThrowAnyException();
      assertThat(never.getCount()).as("the read is still unanswered").isEqualTo(1);
      assertThat(asked.get()).isEqualTo(1);
    } finally {
      never.countDown();
    }
  }

  @Test
  void aReadThatFailsIsFollowedByAskingAgainWhetherAnyPartnerRunsTheGroup() {
    AtomicInteger reads = new AtomicInteger();
    LeaseOwner me = new LeaseOwner("node2", "bbbbbbbbbbbbbbbb", 1);
    ClusterStore store = new ClusterStore(electingThen(dcs.client(me.id()), Integer.MAX_VALUE, reads), KEYS,
        "node2", me::isEarlierIncarnationOfThisNode);
    AtomicInteger asked = new AtomicInteger();
    // The partners' members stop (a whole-cluster restart) while this check waits: it stops waiting too.
    assertThatCode(() -> UniqueNameCheck.atStart(store, "node2", Duration.ofMinutes(10),
        () -> asked.incrementAndGet() == 1 ? Optional.empty() : Optional.of("none runs it")))
        .doesNotThrowAnyException();
    assertThat(reads.get()).isGreaterThanOrEqualTo(1);
    assertThat(asked.get()).isEqualTo(2);
  }

  @Test
  void aReadThatAnswersIsNotHeldUpByTheQuestion() {
    daemon("aaaaaaaaaaaaaaaa", 1).touchMember(Map.of("api_url", "http://10.0.0.2:8008/patroni"), TTL);
    ClusterStore second = daemon("bbbbbbbbbbbbbbbb", 1);
    second.livenessProbe(url -> true);
    java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
    // A question that never comes back: the read's answer decides without it (a hang here fails the test at the
    // preemptive bound, which is a guard against hanging the build, not a timing expectation).
    try {
      org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(60), () ->
          assertThatThrownBy(() -> UniqueNameCheck.atStart(second, "node2", Duration.ofMinutes(10), () -> {
            try {
              never.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return Optional.empty();
          })).isInstanceOf(ConfigException.class));
    } finally {
      never.countDown();
    }
  }

  @Test
  void whileAPartnerRunsTheGroupAnElectionIsWaitedOutAndALiveDuplicateIsStillRefused() {
    daemon("aaaaaaaaaaaaaaaa", 1).touchMember(Map.of("api_url", "http://10.0.0.2:8008/patroni"), TTL);
    AtomicInteger reads = new AtomicInteger();
    LeaseOwner me = new LeaseOwner("node2", "bbbbbbbbbbbbbbbb", 1);
    ClusterStore second = new ClusterStore(electingThen(dcs.client(me.id()), 2, reads), KEYS, "node2",
        me::isEarlierIncarnationOfThisNode);
    second.livenessProbe(url -> true);
    assertThatThrownBy(() -> UniqueNameCheck.atStart(second, "node2", Duration.ofSeconds(30), NO_ANSWER))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("there is already a node named 'node2' running");
    assertThat(reads.get()).as("two failed reads, then the one that saw the key").isEqualTo(3);
  }
}
