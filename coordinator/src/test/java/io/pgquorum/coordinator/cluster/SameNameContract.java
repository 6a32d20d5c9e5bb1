package io.pgquorum.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pgquorum.dcs.api.Dcs;
import io.pgquorum.dcs.api.KeyValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Two daemons with the same member name, through {@link ClusterStore} as the node uses it (each DCS client owned by
 * its daemon's incarnation): another node's daemon never refreshes, overwrites or deletes the first one's keys and
 * sees them as a duplicate; a later start of the same node re-adopts its lease with the fencing token unchanged.
 * Run against the in-memory DCS and a real three-member Ratis group.
 */
abstract class SameNameContract {
  static final String NODE_A = "aaaaaaaaaaaaaaaa";
  static final String NODE_B = "bbbbbbbbbbbbbbbb";
  static final Duration TTL = Duration.ofSeconds(8);

  /** A client of one shared store whose leases belong to {@code ownerId}. */
  protected abstract Dcs client(String ownerId);

  private DcsKeys keys;

  @BeforeEach
  void uniquePrefix(TestInfo info) {
    keys = new DcsKeys("/service/" + info.getTestMethod().orElseThrow().getName() + System.nanoTime() + "/");
  }

  /** The store a daemon of node {@code nodeId}, start {@code n}, named {@code name} uses. */
  ClusterStore daemon(String name, String nodeId, long n) {
    LeaseOwner me = new LeaseOwner(name, nodeId, n);
    return new ClusterStore(client(me.id()), keys, name, me::isEarlierIncarnationOfThisNode);
  }

  static Map<String, Object> fields(String api) {
    return Map.of("conn_url", "postgres://127.0.0.1:5432/postgres", "api_url", api, "state", "running",
        "role", "primary");
  }

  @Test
  void aSecondDaemonWithTheSameNameCannotRefreshOrReleaseTheLeaderLease() {
    ClusterStore first = daemon("node1", NODE_A, 1);
    ClusterStore duplicate = daemon("node1", NODE_B, 1);
    LeaderLock lock = first.acquireLeader(TTL).orElseThrow();

    assertThat(duplicate.refreshLeader(lock.fencingToken())).as("the duplicate refreshes the lease").isFalse();
    assertThat(duplicate.refreshLeader(0)).isFalse();
    assertThat(duplicate.releaseLeader()).as("the duplicate deletes the leader key").isFalse();
    assertThat(duplicate.acquireLeader(TTL)).isEmpty();

    KeyValue leader = get(keys.leader());
    assertThat(leader.owner()).isEqualTo(first.ownerId());
    assertThat(leader.createRevision()).isEqualTo(lock.fencingToken());
    assertThat(first.refreshLeader(lock.fencingToken())).isTrue();
  }

  @Test
  void aSecondDaemonWithTheSameNameLeavesTheMemberKeyAloneAndSeesADuplicateUntilItIsConfirmed() {
    ClusterStore first = daemon("node1", NODE_A, 3);
    ClusterStore duplicate = daemon("node1", NODE_B, 1);
    List<DuplicateNameException> confirmed = new ArrayList<>();
    duplicate.onConfirmedDuplicate(confirmed::add);
    first.load();
    first.touchMember(fields("http://10.0.0.1:8008/patroni"), TTL);

    assertThatThrownBy(duplicate::load).isInstanceOfSatisfying(DuplicateNameException.class, e -> {
      assertThat(e.confirmed()).isFalse();
      assertThat(e.key()).isEqualTo(keys.member("node1"));
      assertThat(e.owner()).isEqualTo(first.ownerId());
      assertThat(e.apiUrl()).contains("http://10.0.0.1:8008/patroni");
    });
    assertThatThrownBy(() -> duplicate.touchMember(fields("http://10.0.0.2:8008/patroni"), TTL))
        .isInstanceOf(DuplicateNameException.class);
    duplicate.deleteMember();
    assertThat(get(keys.member("node1")).value()).contains("10.0.0.1");
    assertThat(confirmed).isEmpty();

    // The first daemon keeps its key fresh: that proves it alive.
    first.load();
    first.touchMember(fields("http://10.0.0.1:8008/patroni"), TTL);
    assertThatThrownBy(duplicate::load).isInstanceOfSatisfying(DuplicateNameException.class,
        e -> assertThat(e.confirmed()).isTrue());
    assertThat(confirmed).hasSize(1);
    assertThat(confirmed.get(0).getMessage())
        .contains("there is already a node named 'node1' running", keys.member("node1"));
  }

  @Test
  void aDuplicateWhoseRestApiAnswersIsConfirmedAtOnceAndTheApiIsAskedOncePerKey() {
    ClusterStore first = daemon("node1", NODE_A, 1);
    ClusterStore duplicate = daemon("node1", NODE_B, 1);
    List<String> asked = new ArrayList<>();
    duplicate.livenessProbe(url -> {
      asked.add(url);
      return url.equals("http://10.0.0.1:8008/patroni");
    });
    first.touchMember(fields("http://10.0.0.1:8008/patroni"), TTL);
    assertThatThrownBy(duplicate::load).isInstanceOfSatisfying(DuplicateNameException.class, e -> {
      assertThat(e.confirmed()).isTrue();
      assertThat(e.getMessage()).isEqualTo("there is already a node named 'node1' running (its REST API "
          + "http://10.0.0.1:8008/patroni answers and it owns " + keys.member("node1") + "); give every node a "
          + "unique name");
    });

    ClusterStore silent = daemon("node1", NODE_B, 2);
    silent.livenessProbe(url -> {
      asked.add(url);
      return false;
    });
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(silent::load).isInstanceOfSatisfying(DuplicateNameException.class,
          e -> assertThat(e.confirmed()).isFalse());
    }
    assertThat(asked).hasSize(2);

    ClusterStore restarted = daemon("node1", NODE_A, 2);
    restarted.livenessProbe(url -> {
      asked.add(url);
      return true;
    });
    restarted.load();
    assertThat(asked).as("an earlier start of this node is never asked").hasSize(2);
  }

  @Test
  void aLeaderKeyHoldingTheNameIsADuplicateToAnotherNodeAndARefreshConfirmsIt() {
    ClusterStore first = daemon("node1", NODE_A, 1);
    ClusterStore duplicate = daemon("node1", NODE_B, 1);
    LeaderLock lock = first.acquireLeader(TTL).orElseThrow();
    assertThatThrownBy(duplicate::load).isInstanceOfSatisfying(DuplicateNameException.class, e -> {
      assertThat(e.confirmed()).isFalse();
      assertThat(e.key()).isEqualTo(keys.leader());
    });
    assertThat(first.refreshLeader(lock.fencingToken())).isTrue();
    assertThatThrownBy(duplicate::load).isInstanceOfSatisfying(DuplicateNameException.class,
        e -> assertThat(e.confirmed()).isTrue());
  }

  @Test
  void keysOfADeadDuplicateStopBlockingOnceTheyExpire() {
    ClusterStore gone = daemon("node1", NODE_A, 1);
    ClusterStore next = daemon("node1", NODE_B, 1);
    gone.acquireLeader(Duration.ofSeconds(1)).orElseThrow();
    gone.touchMember(fields("http://10.0.0.1:8008/patroni"), Duration.ofSeconds(1));
    assertThatThrownBy(next::load).isInstanceOf(DuplicateNameException.class);
    await().atMost(Duration.ofSeconds(15)).ignoreException(DuplicateNameException.class)
        .until(() -> next.load().leader().isEmpty());
    next.touchMember(fields("http://10.0.0.2:8008/patroni"), TTL);
    assertThat(get(keys.member("node1")).owner()).isEqualTo(next.ownerId());
  }

  @Test
  void aLaterStartOfTheSameNodeReadoptsTheLeaseWithTheSameFencingToken() {
    ClusterStore crashed = daemon("node1", NODE_A, 4);
    LeaderLock lock = crashed.acquireLeader(TTL).orElseThrow();
    crashed.touchMember(fields("http://10.0.0.1:8008/patroni"), TTL);

    ClusterStore restarted = daemon("node1", NODE_A, 5);
    ClusterSnapshot snap = restarted.load(); // its own node's keys: no duplicate
    assertThat(snap.isLeader("node1")).isTrue();
    assertThat(restarted.refreshLeader(snap.leader().orElseThrow().fencingToken())).isTrue();
    KeyValue leader = get(keys.leader());
    assertThat(leader.owner()).isEqualTo(restarted.ownerId());
    assertThat(leader.createRevision()).as("fencing token").isEqualTo(lock.fencingToken());
    assertThat(leader.value()).as("Patroni's layout: the value is the member name").isEqualTo("node1");
    assertThat(restarted.refreshLeader(lock.fencingToken())).isTrue();
    restarted.touchMember(fields("http://10.0.0.1:8008/patroni"), TTL);
    assertThat(get(keys.member("node1")).owner()).isEqualTo(restarted.ownerId());

    // The earlier start's lease is gone from under it, and a later start is never "earlier".
    assertThat(crashed.refreshLeader(lock.fencingToken())).isFalse();
    assertThatThrownBy(crashed::load).isInstanceOf(DuplicateNameException.class);
    assertThat(restarted.releaseLeader()).isTrue();
    assertThat(restarted.load().leader()).isEmpty();
  }

  @Test
  void anOlderStartOfTheSameNodeDoesNotTakeOverALeaseOfAnotherLockRevision() {
    ClusterStore crashed = daemon("node1", NODE_A, 1);
    LeaderLock lock = crashed.acquireLeader(TTL).orElseThrow();
    ClusterStore restarted = daemon("node1", NODE_A, 2);
    assertThat(restarted.refreshLeader(lock.fencingToken() + 1)).isFalse();
    assertThat(get(keys.leader()).owner()).isEqualTo(crashed.ownerId());
  }

  private Dcs reader;

  private KeyValue get(String key) {
    if (reader == null) {
      reader = client("reader");
    }
    return reader.get(key).orElseThrow();
  }
}
