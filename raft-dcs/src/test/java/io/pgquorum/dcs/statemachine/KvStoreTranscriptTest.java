package io.pgquorum.dcs.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.testkit.datadriven.DataDriven;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The replicated key-value state machine, specified by transcripts: {@code src/test/testdata/kvstore/*.txt},
 * one file per behaviour family, each run as a dynamic test (see also the README.md there). Regenerate the
 * expected outputs with {@code -Ddatadriven.rewrite=true} and review them with {@code git diff}.
 *
 * <p>A transcript is a little Raft log. {@link KvStore} takes {@code (index, command)} and nothing else: no
 * term (Ratis only hands it committed entries), no clock (time enters only as the leader's {@code stamp} in
 * the command, and a lease runs out only when an {@code expire} naming its lease revision is applied).
 *
 * <h2>Vocabulary</h2>
 * <pre>
 * init [max-sessions=N] [members=(a,b,...)]
 *     Start over with fresh members (default: one member "m", 4096 sessions). Saved snapshots are kept.
 *     Without init, a file starts with member "m".
 * apply index=I [on=M|(M,..)] [client=C seq=S [acked=A]] [stamp=MS] OP...
 *     Apply one command at log index I on every member (or those named). OP is one of
 *       put KEY VALUE [ttl=MS] [owner=O] [if=COND]      delete KEY [if=COND]      delete-prefix PREFIX
 *       refresh KEY [owner=O] [create=REV]               expire KEY lease=REV      op-unset (no operation)
 *     COND: absent | mod:REV | value:V | unset (a precondition with no kind set).
 *     client/seq/acked are the exactly-once session (acked = acked_below); stamp = stamp_millis.
 *     Prints the reply ("ok rev=I" or "FAILURE rev=I: detail"; deleted=N for delete, delete-prefix and
 *     expire), the reply's entry, then one "change KEY@REV written|deleted" line per changed key. A retry
 *     answered without executing starts with "not executed", and says "cached reply of index N" only after
 *     checking that it equals the reply index N gave. A thrown exception prints "error: ..." and whether the
 *     state (snapshot bytes) is unchanged.
 * repeat VAR=FROM..TO apply ...$VAR...
 *     The apply once per value; prints "COUNT x KIND" per outcome kind.
 * get KEY | read PREFIX [keys] | leases | sessions | dump           [on=M|(M,..)]
 *     Observe members. An entry prints as "KEY value=V create=C mod=M ver=N" plus ttl, lease, owner and
 *     updated (stamp) when not zero/empty. "read P keys" prints the count and the keys in order.
 * snapshot name=S [on=M]
 *     Save member M's snapshot (bytes) as S; prints format, last index, entry and session counts.
 * restore from=S [on=M|(M,..)] [max-sessions=N]  |  restore format=F last-index=I [on=...]
 *     Install snapshot S (parsed from its bytes) or a foreign empty snapshot of format F on members,
 *     creating any member named in on= that does not exist yet.
 * compare NAME NAME...
 *     "identical" when members and saved snapshots have the same snapshot bytes, else "differ" and each.
 * </pre>
 * Keys and values are single words; {@code ""} is the empty string and {@code \\uXXXX} a character (printed
 * the same way when invisible). With several members, a command whose outputs agree prints once (an assertion
 * that the replicas agree); otherwise it prints each member's output under its name.
 *
 * <p>After the files, a coverage check runs every transcript again and fails unless each outcome kind the
 * state machine can produce ({@link ReplyKinds}, read from its source) appears in at least one of them.
 */
class KvStoreTranscriptTest {
  static final Path DIR = Path.of("src/test/testdata/kvstore");

  @TestFactory
  Stream<DynamicTest> transcripts() {
    ReplyKinds kinds = ReplyKinds.fromSource();
    Stream<DynamicTest> files = DataDriven.files(DIR).stream().map(f -> DynamicTest.dynamicTest(
        DIR.relativize(f).toString(), () -> DataDriven.run(f, new KvStoreDriver(kinds, new TreeSet<>())::handle)));
    return Stream.concat(files, Stream.of(DynamicTest.dynamicTest(
        "every outcome kind of KvStore appears in a transcript", () -> coverage(kinds))));
  }

  /** Runs every transcript again (milliseconds) so that the check does not depend on which tests ran. */
  private static void coverage(ReplyKinds kinds) {
    Map<String, Set<String>> seenIn = new TreeMap<>();
    for (Path f : DataDriven.files(DIR)) {
      Set<String> observed = new TreeSet<>();
      try {
        DataDriven.run(f, new KvStoreDriver(kinds, observed)::handle);
      } catch (AssertionError e) {
        // Its own dynamic test shows the mismatch; repeating the whole diff here would only add noise.
        throw new AssertionError("coverage unknown: " + f.getFileName() + " does not pass its own test");
      }
      observed.forEach(k -> seenIn.computeIfAbsent(k, x -> new TreeSet<>()).add(f.getFileName().toString()));
    }
    List<String> missing = new ArrayList<>();
    kinds.all().forEach((kind, where) -> {
      if (!seenIn.containsKey(kind)) {
        missing.add(kind + "  (from " + String.join(", ", where) + ")");
      }
    });
    List<String> unknown = seenIn.keySet().stream().filter(k -> k.startsWith("UNKNOWN")).toList();
    assertThat(unknown).as("outcomes that match no kind read from KvStore.java/Sessions.java "
        + "(ReplyKinds no longer understands the code)").isEmpty();
    assertThat(missing).as("outcome kinds of KvStore that no transcript in %s shows; add a case that "
        + "produces each", DIR).isEmpty();
  }
}
