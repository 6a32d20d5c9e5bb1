package io.pgquorum.dcs.statemachine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.google.protobuf.ByteString;
import io.pgquorum.dcs.proto.Command;
import io.pgquorum.dcs.proto.Delete;
import io.pgquorum.dcs.proto.DeletePrefix;
import io.pgquorum.dcs.proto.Entry;
import io.pgquorum.dcs.proto.Expire;
import io.pgquorum.dcs.proto.Precondition;
import io.pgquorum.dcs.proto.Put;
import io.pgquorum.dcs.proto.Refresh;
import io.pgquorum.dcs.proto.Snapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Determinism of the replicated state machine over random logs.
 *
 * <p>Every other behaviour of {@link KvStore} is specified by the transcripts of {@link KvStoreTranscriptTest}.
 * This one stays in Java because it is a property over hundreds of generated commands per seed (including a
 * fresh seed each run), not a scenario a reader could check line by line.
 *
 * <p>WHY: determinism is the whole contract of a replicated state machine. Two members applying the same log
 * must end in byte-identical state (a later snapshot from one is installed on the other), and a member restored
 * from a snapshot half-way must end in the same state too.
 */
class KvStoreDeterminismTest {

  static Stream<Arguments> seeds() {
    long fresh = new Random().nextLong();
    return Stream.of(1L, 42L, 20_240_601L, -7_331_519_260_817_263L, fresh)
        .map(seed -> arguments(named("seed " + seed, seed)));
  }

  private record Logged(long index, Command command, KvStore.Applied applied) {}

  private static final List<String> KEYS = List.of("/a", "/a/b", "/a/c", "/ab", "/b", "/lock", "/leader");
  private static final List<String> PREFIXES = List.of("/a", "/a/", "/", "/z", "/lock");
  private static final List<String> OWNERS = List.of("n1", "n2");
  private static final List<String> CLIENTS = List.of("c1", "c2", "c3", "c4");

  @ParameterizedTest(name = "{0}")
  @MethodSource("seeds")
  void sameLogGivesByteIdenticalSnapshotsAndReplies(long seed) throws Exception {
    int maxSessions = 3;  // small, so eviction is part of what must be deterministic
    KvStore original = new KvStore(maxSessions);
    List<Logged> log = randomLog(seed, original, 600);

    KvStore replica = new KvStore(maxSessions);
    KvStore fromSnapshot = new KvStore(maxSessions);
    int half = log.size() / 2;
    for (int i = 0; i < log.size(); i++) {
      Logged entry = log.get(i);
      assertThat(replica.apply(entry.index(), entry.command()))
          .as("seed %d: replica's apply at index %d of %s", seed, entry.index(), entry.command())
          .isEqualTo(entry.applied());
      if (i == half) {
        fromSnapshot.restore(Snapshot.parseFrom(replica.toSnapshot().toByteArray()));
      } else if (i > half) {
        assertThat(fromSnapshot.apply(entry.index(), entry.command()))
            .as("seed %d: snapshot-restored apply at index %d of %s", seed, entry.index(), entry.command())
            .isEqualTo(entry.applied());
      }
    }

    byte[] expected = original.toSnapshot().toByteArray();
    assertThat(replica.toSnapshot().toByteArray()).as("seed %d: replica snapshot bytes", seed).isEqualTo(expected);
    assertThat(fromSnapshot.toSnapshot().toByteArray()).as("seed %d: restored replica snapshot bytes", seed)
        .isEqualTo(expected);
    // The log must actually have exercised both outcomes, or the comparison proves little.
    assertThat(log).as("seed %d: log has successes", seed).anyMatch(l -> l.applied().reply().getSucceeded());
    assertThat(log).as("seed %d: log has failures", seed).anyMatch(l -> !l.applied().reply().getSucceeded());
    assertThat(log).as("seed %d: log has effective changes", seed).anyMatch(l -> !l.applied().changes().isEmpty());
  }

  private static List<Logged> randomLog(long seed, KvStore store, int length) {
    Random random = new Random(seed);
    Map<String, Long> nextSeq = new HashMap<>();
    Map<String, Long> acked = new HashMap<>();
    List<Command> sent = new ArrayList<>();
    List<Logged> log = new ArrayList<>();
    long index = 0;
    for (int i = 0; i < length; i++) {
      index += 1 + random.nextInt(3);
      Command command;
      int who = random.nextInt(10);
      if (who < 2 && !sent.isEmpty()) {
        command = sent.get(random.nextInt(sent.size()));     // a retry, possibly stale, possibly acked
      } else if (who < 4) {
        command = randomOp(random, store);                   // untracked (or a leader-proposed expire)
      } else {
        String client = pick(random, CLIENTS);
        long seq = nextSeq.merge(client, 1L, Long::sum);
        long ackedBelow = acked.merge(client, (long) random.nextInt(2), (a, b) -> Math.min(seq, a + b));
        command = randomOp(random, store).toBuilder()
            .setClientId(ByteString.copyFromUtf8(client)).setSeq(seq).setAckedBelow(ackedBelow).build();
        sent.add(command);
      }
      log.add(new Logged(index, command, store.apply(index, command)));
    }
    return log;
  }

  /** A command chosen with a view of {@code store}, so conditions and lease revisions often match. */
  private static Command randomOp(Random random, KvStore store) {
    String key = pick(random, KEYS);
    Entry current = store.get(key);
    int kind = random.nextInt(100);
    Command.Builder c = Command.newBuilder();
    if (kind < 35) {
      long ttl = random.nextBoolean() ? 0 : 1 + random.nextInt(5_000);
      // Draw in the order the seeds' logs were first generated in: ttl, stamp, value, owner, condition.
      c.setStampMillis(random.nextInt(1_000_000));
      Put.Builder put = Put.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8("v" + random.nextInt(5)))
          .setTtlMillis(ttl).setOwner(pick(random, OWNERS));
      Precondition condition = randomCondition(random, current);
      if (condition != null) {
        put.setCondition(condition);
      }
      return c.setPut(put).build();
    } else if (kind < 50) {
      Delete.Builder delete = Delete.newBuilder().setKey(key);
      Precondition condition = random.nextBoolean() ? null : randomCondition(random, current);
      if (condition != null) {
        delete.setCondition(condition);
      }
      return c.setDelete(delete).build();
    } else if (kind < 55) {
      return c.setDeletePrefix(DeletePrefix.newBuilder().setPrefix(pick(random, PREFIXES))).build();
    } else if (kind < 75) {
      long createRevision = switch (random.nextInt(3)) {
        case 0 -> 0;
        case 1 -> current == null ? 1 : current.getCreateRevision();
        default -> random.nextInt(50);
      };
      return c.setStampMillis(random.nextInt(1_000_000)).setRefresh(Refresh.newBuilder().setKey(key)
          .setOwner(pick(random, OWNERS)).setCreateRevision(createRevision)).build();
    } else if (kind < 95) {
      long leaseRevision = current != null && random.nextInt(3) > 0 ? current.getLeaseRevision() : random.nextInt(50);
      return c.setExpire(Expire.newBuilder().setKey(key).setLeaseRevision(leaseRevision)).build();
    } else if (kind < 97) {
      return Command.getDefaultInstance();
    } else {
      return c.setPut(Put.newBuilder().setKey(random.nextBoolean() ? "" : key)
          .setValue(ByteString.copyFromUtf8("bad")).setTtlMillis(-1).setOwner("n1")).build();
    }
  }

  private static Precondition randomCondition(Random random, Entry current) {
    return switch (random.nextInt(5)) {
      case 0 -> null;
      case 1 -> Precondition.newBuilder().setAbsent(true).build();
      case 2 -> Precondition.newBuilder()
          .setModRevision(current != null && random.nextBoolean() ? current.getModRevision() : random.nextInt(50))
          .build();
      case 3 -> Precondition.newBuilder().setValue(current != null && random.nextBoolean()
          ? current.getValue() : ByteString.copyFromUtf8("v" + random.nextInt(5))).build();
      default -> Precondition.getDefaultInstance();
    };
  }

  private static <T> T pick(Random random, List<T> list) {
    return list.get(random.nextInt(list.size()));
  }
}
