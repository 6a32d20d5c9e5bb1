package io.pgquorum.dcs.memory;

import io.pgquorum.dcs.api.Dcs;
import io.pgquorum.dcs.host.AbstractDcsClient;
import io.pgquorum.dcs.host.StoreHost;
import io.pgquorum.dcs.lease.LeaseTracker;
import io.pgquorum.dcs.planted.PlantedBugs;
import io.pgquorum.dcs.proto.Command;
import io.pgquorum.dcs.proto.Expire;
import io.pgquorum.dcs.proto.Query;
import io.pgquorum.dcs.proto.QueryReply;
import io.pgquorum.dcs.proto.Reply;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A single-process DCS with the same semantics as the Raft one (it runs the same state machine, lease
 * tracker and client code), for fast tests of code built on {@link Dcs}. Not replicated, not durable.
 *
 * <p>Create one store and as many clients (one per simulated member) as needed with {@link #client(String)}.
 *
 * <p>Two modes. The default one runs on the real clocks and checks lease expiry every 10 ms on a thread of its
 * own. The {@linkplain #stepped stepped} one, for the deterministic simulator, reads the clocks it is given and
 * expires leases only when {@link #expireDue()} is called: which leases have run out then depends on nothing but
 * the virtual time and the order of calls, so a seed reproduces a run exactly.
 */
public final class InMemoryDcs implements AutoCloseable {
  private final StoreHost host;
  private final LongSupplier wallMillis;
  /** Created lazily in stepped mode (only a watch needs it there); always in the default mode. */
  private ScheduledExecutorService timer;
  private long nextIndex = 1;

  /** A store whose lease expiry runs on {@link System#nanoTime()} and is checked every 10 ms. */
  public InMemoryDcs() {
    this(LeaseTracker.DEFAULT_MAX_CLOCK_RATE_DRIFT);
  }

  public InMemoryDcs(double maxClockRateDrift) {
    this.host = new StoreHost(new LeaseTracker(System::nanoTime, maxClockRateDrift));
    this.wallMillis = System::currentTimeMillis;
    timer().scheduleWithFixedDelay(this::expireDue, 10, 10, TimeUnit.MILLISECONDS);
  }

  private InMemoryDcs(LongSupplier nanoClock, LongSupplier wallMillis, double maxClockRateDrift, PlantedBugs bugs) {
    this.host = new StoreHost(new LeaseTracker(nanoClock, maxClockRateDrift, bugs));
    this.wallMillis = wallMillis;
  }

  /**
   * A store on the given clocks (the lease clock plays the Raft leader's monotonic clock; the wall clock only
   * stamps values for display) whose leases expire only when {@link #expireDue()} is called. No thread is started
   * unless a watch needs a timeout.
   */
  public static InMemoryDcs stepped(LongSupplier nanoClock, LongSupplier wallMillis, double maxClockRateDrift,
      PlantedBugs bugs) {
    return new InMemoryDcs(nanoClock, wallMillis, maxClockRateDrift, bugs);
  }

  private synchronized ScheduledExecutorService timer() {
    if (timer == null) {
      timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "in-memory-dcs-timer");
        t.setDaemon(true);
        return t;
      });
    }
    return timer;
  }

  /** A client whose leases are owned by {@code ownerId}. */
  public Dcs client(String ownerId) {
    return new Client(ownerId);
  }

  private synchronized Reply append(Command command) {
    // Plays the Raft leader: stamps time into the command, then "commits" it at the next index.
    return host.apply(nextIndex++, command.toBuilder().setStampMillis(wallMillis.getAsLong()).build());
  }

  /**
   * Proposes (and, being the only member, commits) the expiry of every lease that ran out on the lease clock;
   * returns how many were proposed. The default mode's timer calls it every 10 ms; a stepped store's driver does.
   */
  public int expireDue() {
    int n = 0;
    for (Expire expire : host.dueExpiries()) {
      append(Command.newBuilder().setExpire(expire).build());
      n++;
    }
    return n;
  }

  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }

  private final class Client extends AbstractDcsClient {
    Client(String ownerId) {
      super(ownerId);
    }

    @Override
    protected Reply submit(Command command) {
      return append(command);
    }

    @Override
    protected QueryReply query(Query query) {
      return switch (query.getKindCase()) {
        case READ_PREFIX -> host.read(query.getReadPrefix().getPrefix());
        case WATCH -> {
          try {
            yield host.watch(StoreHost.prefixes(query.getWatch()), query.getWatch().getAfterRevision(),
                query.getWatch().getMaxWaitMillis(), timer()).join();
          } catch (CompletionException e) {
            throw new IllegalStateException("watch failed", e.getCause());
          }
        }
        // The in-memory DCS has no Raft leader: every refresh is an entry of its one log.
        case LOCAL_REFRESH, TERM_CHECK -> throw new IllegalArgumentException("no " + query.getKindCase()
            + " in the in-memory DCS");
        case KIND_NOT_SET -> throw new IllegalArgumentException("empty query");
      };
    }

    @Override
    protected QueryReply queryLocal(Query query) {
      // The single member is always in contact with itself.
      return query(query).toBuilder().setViewAgeMillis(0).setMemberId("in-memory").build();
    }

    @Override
    public void close() {
      // Clients share the store; closing one does not stop it.
    }
  }
}
