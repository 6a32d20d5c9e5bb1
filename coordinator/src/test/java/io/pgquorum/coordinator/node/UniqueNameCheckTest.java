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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UniqueNameCheckTest {
  static final DcsKeys KEYS = new DcsKeys("/service/demo/");
  static final Duration TTL = Duration.ofSeconds(8);
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
    assertThatThrownBy(() -> UniqueNameCheck.atStart(second, "node2", Duration.ofSeconds(2)))
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
    assertThatCode(() -> UniqueNameCheck.atStart(second, "node2", Duration.ofSeconds(2))).doesNotThrowAnyException();
  }

  @Test
  void anEarlierStartOfThisNodeNeverBlocksARestart() {
    daemon("aaaaaaaaaaaaaaaa", 1).touchMember(Map.of("api_url", "http://10.0.0.2:8008/patroni"), TTL);
    ClusterStore restarted = daemon("aaaaaaaaaaaaaaaa", 2);
    restarted.livenessProbe(url -> true); // even if something answers there
    assertThatCode(() -> UniqueNameCheck.atStart(restarted, "node2", Duration.ofSeconds(2)))
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
    assertThatCode(() -> UniqueNameCheck.atStart(store, "node2", Duration.ofMillis(600)))
        .doesNotThrowAnyException();
    assertThat(reads.get()).as("retried").isGreaterThan(1);
    // The bound is the behaviour (never wait for the DCS for ever); 600 ms budget, generous margin.
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("bounded").isLessThan(Duration.ofSeconds(5));
  }
}
