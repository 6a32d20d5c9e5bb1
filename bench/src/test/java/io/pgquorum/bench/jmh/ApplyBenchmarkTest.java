package io.pgquorum.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.dcs.proto.Reply;
import org.junit.jupiter.api.Test;

/** The benchmark methods do what they claim: every invocation is a fresh, successful compare-and-set. */
class ApplyBenchmarkTest {

  @Test
  void everyStateMachineInvocationExecutesANewCompareAndSet() throws Exception {
    ApplyBenchmark b = new ApplyBenchmark();
    b.setUp();
    long previous = 0;
    for (int i = 0; i < 300; i++) {
      Reply reply = Reply.parseFrom(b.stateMachineApplyCas());
      assertThat(reply.getSucceeded()).isTrue();
      // A cached (replayed) reply would repeat an old revision; a fresh execution writes at a new one.
      assertThat(reply.getEntry().getModRevision()).isGreaterThan(previous);
      assertThat(reply.getEntry().getVersion()).isEqualTo(i + 2);
      previous = reply.getEntry().getModRevision();
    }
  }

  @Test
  void everyKvStoreInvocationWritesANewVersion() {
    ApplyBenchmark b = new ApplyBenchmark();
    b.setUp();
    for (int i = 0; i < 100; i++) {
      Reply reply = b.kvStoreApplyCas();
      assertThat(reply.getSucceeded()).isTrue();
      assertThat(reply.getEntry().getVersion()).isEqualTo(i + 2);
      assertThat(reply.getEntry().getValue().toStringUtf8()).isEqualTo(ApplyBenchmark.VALUE);
    }
  }
}
