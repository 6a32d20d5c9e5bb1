package io.pgquorum.dcs.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgquorum.dcs.api.DcsUnavailableException;
import io.pgquorum.dcs.api.Precondition;
import io.pgquorum.dcs.api.WriteResult;
import io.pgquorum.dcs.lease.LeaseTracker;
import io.pgquorum.dcs.proto.Command;
import io.pgquorum.dcs.proto.Query;
import io.pgquorum.dcs.proto.QueryReply;
import io.pgquorum.dcs.proto.Reply;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Exactly-once sessions as a client sees them. Found by the fault-injection harness: a client whose very first
 * write timed out before any member applied it got "session expired" for every later write, each reported as of
 * unknown outcome, although nothing of that session had ever been applied.
 */
class ClientSessionTest {
  private final StoreHost host = new StoreHost(new LeaseTracker(System::nanoTime, 0.0));
  private long index;

  /** A client over one store whose next {@code lost} submissions time out without being applied. */
  private final class FlakyClient extends AbstractDcsClient {
    final AtomicInteger lost = new AtomicInteger();

    FlakyClient() {
      super("c");
    }

    @Override
    protected synchronized Reply submit(Command command) {
      if (lost.getAndDecrement() > 0) {
        throw new DcsUnavailableException("no majority answered (outcome unknown)", java.time.Duration.ofSeconds(2), null, null);
      }
      return host.apply(++index, command);
    }

    @Override
    protected QueryReply query(Query query) {
      return host.read(query.getReadPrefix().getPrefix());
    }

    @Override
    protected QueryReply queryLocal(Query query) {
      return query(query);
    }

    @Override
    public void close() {}
  }

  @Test
  void aFirstCommandLostBeforeAnyAnswerDoesNotPoisonTheNextOnes() {
    FlakyClient c = new FlakyClient();
    c.lost.set(1);
    assertThatThrownBy(() -> c.put("/k", "1")).isInstanceOf(DcsUnavailableException.class);
    WriteResult r = c.put("/k", "2", Precondition.none(), null);
    assertThat(r.succeeded()).isTrue();
    assertThat(c.get("/k")).hasValueSatisfying(kv -> assertThat(kv.value()).isEqualTo("2"));
  }

  @Test
  void aConfirmedSessionIsKeptAcrossALostCommand() {
    FlakyClient c = new FlakyClient();
    c.put("/k", "1");
    ClientSession confirmed = c.session();
    c.lost.set(1);
    assertThatThrownBy(() -> c.put("/k", "2")).isInstanceOf(DcsUnavailableException.class);
    // The session exists in the state machine: keeping it keeps exactly-once for retries of later commands.
    assertThat(c.session()).isSameAs(confirmed);
    assertThat(c.put("/k", "3").succeeded()).isTrue();
  }
}
