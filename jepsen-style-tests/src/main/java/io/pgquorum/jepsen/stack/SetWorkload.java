package io.pgquorum.jepsen.stack;

import io.pgquorum.jepsen.checker.DurabilityChecker;
import io.pgquorum.jepsen.history.HistoryRecorder;
import io.pgquorum.jepsen.history.Op;
import io.pgquorum.jepsen.history.OpType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * "No acknowledged write lost" (P2): a few clients add unique longs to {@code jepsen_set} on whichever node
 * answers 200 on {@code /primary} (when none does, they try the nodes in turn), recording f {@code add}. An add
 * is OK only when its commit returned without the "canceling wait for synchronous replication" warning (such a
 * commit is local only and is recorded INFO); 25006 (read-only) and other definite server errors are FAIL;
 * anything that leaves the outcome unknown is INFO and the client continues under a new process.
 *
 * <p>For the durability rule ({@link io.pgquorum.jepsen.checker.DurabilityChecker}) an OK add records where its
 * commit went: its completion value is {@code [element, timeline, lsnBefore, lsnAfter, token]}. The INSERT
 * returns the primary's timeline, WAL insert position and fencing token from inside the transaction (the commit
 * record comes after that position); once the commit has returned, a second statement on the same connection
 * reads the WAL insert position again (the commit record ends at or before it; null when that read fails, the
 * add stays OK).
 *
 * <p>After the run, {@link #finalRead} reads the whole set from the primary (f {@code read}, ok value = list of
 * longs) and, on the same connection, the primary's timeline and its timeline history file: an INFO event
 * {@code lineage} with value {@code [F, t1, s1, t2, s2, ...]} (F the final timeline, each ancestor t switched
 * away from at LSN s, in bytes).
 */
public final class SetWorkload implements Workload {
  static final String INSERT = "INSERT INTO jepsen_set(value) VALUES (?) RETURNING "
      + "pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::bigint, "
      + "pg_walfile_name(pg_current_wal_insert_lsn()), current_setting('pgquorum.fencing_token', true)";
  static final String INSERT_POSITION = "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::bigint";
  private final PgCluster cluster;
  private final HistoryRecorder recorder;
  private final ClientIds ids;
  private final int clients;
  private final Duration pacing;
  private final AtomicLong nextElement = new AtomicLong(1);
  private final AtomicLong roundRobin = new AtomicLong();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running;

  public SetWorkload(PgCluster cluster, HistoryRecorder recorder, ClientIds ids, int clients) {
    this(cluster, recorder, ids, clients, Duration.ofMillis(30));
  }

  /** @param pacing pause between one client's adds (keeps a 2-core machine usable) */
  public SetWorkload(PgCluster cluster, HistoryRecorder recorder, ClientIds ids, int clients, Duration pacing) {
    if (clients < 1) {
      throw new IllegalArgumentException("clients must be at least 1, got " + clients);
    }
    this.cluster = cluster;
    this.recorder = recorder;
    this.ids = ids;
    this.clients = clients;
    this.pacing = pacing;
  }

  @Override
  public synchronized void start() {
    if (running || !threads.isEmpty()) {
      throw new IllegalStateException("set workload already started");
    }
    running = true;
    for (int i = 0; i < clients; i++) {
      Thread t = new Thread(this::clientLoop, "set-client-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  private int target() {
    int p = cluster.primary();
    return p >= 0 ? p : (int) (roundRobin.getAndIncrement() % cluster.size());
  }

  private void clientLoop() {
    String process = ids.next();
    Connection c = null;
    int connectedTo = -1;
    while (running) {
      int node = target();
      if (c == null || node != connectedTo) {
        SqlOutcome.closeQuietly(c);
        c = null;
        try {
          c = cluster.connect(node, 1, 5);
          connectedTo = node;
        } catch (SQLException e) {
          PgCluster.sleep(100); // nothing was attempted; pace the reconnects
          continue;
        }
      }
      long element = nextElement.getAndIncrement();
      Op invoke = recorder.record(Op.of(process, OpType.INVOKE, "add", null, element, cluster.name(node), null));
      try (PreparedStatement ps = c.prepareStatement(INSERT)) {
        ps.setLong(1, element);
        long before;
        String walFile;
        String token;
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          before = rs.getLong(1);
          walFile = rs.getString(2);
          token = rs.getString(3);
        }
        if (SqlOutcome.syncWaitCancelled(ps.getWarnings()) || SqlOutcome.syncWaitCancelled(c.getWarnings())) {
          recorder.record(invoke.complete(OpType.INFO, element, SqlOutcome.SYNC_CANCEL));
          process = ids.next();
        } else {
          // The commit has returned: the add is acknowledged whatever happens to the next statement.
          Long after = null;
          try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(INSERT_POSITION)) {
            rs.next();
            after = rs.getLong(1);
          } catch (SQLException e) {
            SqlOutcome.closeQuietly(c);
            c = null;
          }
          List<Object> value = new ArrayList<>();
          value.add(element);
          value.add(walFile == null || walFile.length() < 8 ? null : timelineOf(walFile));
          value.add(before);
          value.add(after);
          value.add(parseToken(token));
          recorder.record(invoke.complete(OpType.OK, value, null));
        }
        if (c != null) {
          c.clearWarnings();
        }
      } catch (SQLException e) {
        OpType outcome = SqlOutcome.of(e);
        recorder.record(invoke.complete(outcome, element, SqlOutcome.describe(e)));
        if (outcome == OpType.INFO) {
          process = ids.next();
        }
        // a read-only node or a broken connection: look for the primary again
        SqlOutcome.closeQuietly(c);
        c = null;
      }
      PgCluster.sleep(pacing.toMillis()); // the workload's rate, not a wait for a condition
    }
    SqlOutcome.closeQuietly(c);
  }

  @Override
  public void close() {
    running = false;
    for (Thread t : threads) {
      try {
        t.join(15_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Reads the whole set from the primary, retrying (each attempt recorded) until one succeeds or {@code within}
   * passes. Call it after {@link #close} once the cluster is healthy again.
   *
   * @return the elements, ascending
   * @throws IllegalStateException when no read succeeded in time
   */
  public List<Long> finalRead(Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    String process = ids.next();
    String last = "no primary";
    while (System.nanoTime() < deadline) {
      int p = cluster.primary();
      if (p < 0) {
        PgCluster.sleep(200); // waiting for a primary, with a deadline
        continue;
      }
      Op invoke = recorder.record(Op.of(process, OpType.INVOKE, "read", null, null, cluster.name(p), null));
      try (Connection c = cluster.connect(p, 2, 30); Statement s = c.createStatement()) {
        List<Long> values = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("SELECT value FROM jepsen_set ORDER BY value")) {
          while (rs.next()) {
            values.add(rs.getLong(1));
          }
        }
        recorder.record(invoke.complete(OpType.OK, values, null));
        recordLineage(s, cluster.name(p));
        return values;
      } catch (SQLException e) {
        // A read changes nothing: FAIL is always accurate, and the client may carry on under the same process.
        recorder.record(invoke.complete(OpType.FAIL, null, SqlOutcome.describe(e)));
        last = SqlOutcome.describe(e);
        PgCluster.sleep(200);
      }
    }
    throw new IllegalStateException("final read of jepsen_set did not succeed within " + within.toSeconds()
        + " s: " + last);
  }

  /**
   * Records the final primary's lineage (see the class comment). Best effort: without it the durability checker
   * cannot judge losses and says so (UNKNOWN), which fails the run; a failed read here does not undo the read.
   */
  private void recordLineage(Statement s, String node) {
    List<Object> value = new ArrayList<>();
    try {
      long timeline;
      try (ResultSet rs = s.executeQuery("SELECT pg_walfile_name(pg_current_wal_lsn())")) {
        rs.next();
        timeline = timelineOf(rs.getString(1));
      }
      value.add(timeline);
      if (timeline > 1) {
        // Every ancestor timeline and where it was left, as PostgreSQL recorded it at promotion.
        String file = String.format(java.util.Locale.ROOT, "pg_wal/%08X.history", timeline);
        try (ResultSet rs = s.executeQuery("SELECT pg_read_file('" + file + "')")) {
          rs.next();
          for (long[] sw : parseTimelineHistory(rs.getString(1))) {
            value.add(sw[0]);
            value.add(sw[1]);
          }
        }
      }
    } catch (SQLException | RuntimeException e) {
      recorder.record(Op.of("final-read", OpType.INFO, DurabilityChecker.LINEAGE, null, null, node,
          "cannot read the timeline history: " + e.getMessage()));
      return;
    }
    recorder.record(Op.of("final-read", OpType.INFO, DurabilityChecker.LINEAGE, null, value, node, null));
  }

  /** The timeline of a WAL file name ({@code TTTTTTTTXXXXXXXXYYYYYYYY}, hex). */
  static long timelineOf(String walFileName) {
    if (walFileName == null || walFileName.length() < 8) {
      throw new IllegalArgumentException("not a WAL file name: " + walFileName);
    }
    return Long.parseLong(walFileName.substring(0, 8), 16);
  }

  /**
   * The switch points of a timeline history file: one {@code [timeline, lsn]} per line
   * {@code "<tli>\t<X/Y>\t<reason>"}; blank lines and {@code #} comments are skipped.
   */
  static List<long[]> parseTimelineHistory(String text) {
    List<long[]> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      String[] f = l.split("\\s+");
      if (f.length < 2) {
        throw new IllegalArgumentException("timeline history line without a switch point: " + line);
      }
      out.add(new long[] {Long.parseLong(f[0]), DurabilityChecker.Lsn.parse(f[1])});
    }
    return out;
  }

  private static Long parseToken(String s) {
    try {
      return s == null || s.isBlank() ? null : Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** How many adds were invoked so far. */
  public long invoked() {
    return nextElement.get() - 1;
  }
}
