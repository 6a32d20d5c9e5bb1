package io.pgquorum.coordinator.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's physical replication slots in line with what the decision wants (member slots, and on a
 * replica copies of the leader's slots moved to its published positions). Only slots pgquorum created or wanted
 * for a member are ever dropped (they are listed in {@value #OWNED_FILE} in the data directory), so a slot an
 * operator made for a backup tool survives; an active slot is never dropped.
 */
final class SlotSync {
  private static final Logger LOG = LoggerFactory.getLogger(SlotSync.class);
  static final String OWNED_FILE = "pgquorum.slots";

  private final PgContext ctx;
  private final Jdbc jdbc;

  private final ProbeConnection kept;

  SlotSync(PgContext ctx, Jdbc jdbc, ProbeConnection kept) {
    this.ctx = ctx;
    this.jdbc = jdbc;
    this.kept = kept;
  }

  void sync(Set<String> names, Map<String, Long> advanceTo) {
    String op = "sync replication slots";
    Set<String> wanted = names.stream().map(SlotNames::forMember).collect(Collectors.toCollection(TreeSet::new));
    OwnedSlotNames ownedFile = ownedNames();
    Set<String> owned = ownedFile.read();
    try {
      // The connection kept from the probe earlier in the cycle: this runs every cycle (see ProbeConnection).
      kept.run(ctx.pgCtlTimeout(), c -> {
        syncOn(c, op, wanted, owned, advanceTo);
        return null;
      });
    } catch (SQLException e) {
      throw new PostgresException(op + " failed: " + jdbc.describe(e), e);
    } finally {
      ownedFile.write(owned);
    }
  }

  /** Only the moves of {@link #sync}: nothing created or dropped (a replica without the DCS, see the caller). */
  void advanceOnly(Map<String, Long> advanceTo) {
    String op = "advance replication slots";
    try {
      kept.run(ctx.pgCtlTimeout(), c -> {
        advance(c, op, advanceTo);
        return null;
      });
    } catch (SQLException e) {
      throw new PostgresException(op + " failed: " + jdbc.describe(e), e);
    }
  }

  /** The slot sync's statements on {@code c}: what {@link #sync} did on a connection of its own. */
  private void syncOn(Connection c, String op, Set<String> wanted, Set<String> owned, Map<String, Long> advanceTo)
      throws SQLException {
    Map<String, Boolean> existing = new LinkedHashMap<>();
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT slot_name, active FROM pg_replication_slots"
            + " WHERE slot_type = 'physical'")) {
      while (r.next()) {
        existing.put(r.getString(1), r.getBoolean(2));
      }
    }
    for (String slot : wanted) {
      if (existing.containsKey(slot)) {
        // A member's slot this node wants is pgquorum's even when the member made it itself, right before its
        // first connection after a clone (LocalPostgres.createSlotOn): dropped like ours once no longer wanted.
        owned.add(slot);
      } else {
        // Reserve WAL at once: the member may still be cloning and must find its WAL when it connects.
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_create_physical_replication_slot(?, true)")) {
          ps.setString(1, slot);
          ps.execute();
        }
        owned.add(slot);
        LOG.info("{}: created slot {}", op, slot);
      }
    }
    for (Map.Entry<String, Boolean> e : existing.entrySet()) {
      String slot = e.getKey();
      if (wanted.contains(slot) || !owned.contains(slot)) {
        continue;
      }
      if (e.getValue()) {
        LOG.info("{}: slot {} is no longer wanted but still active; keeping it for now", op, slot);
        continue;
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
        ps.setString(1, slot);
        ps.execute();
        owned.remove(slot);
        LOG.info("{}: dropped slot {}", op, slot);
      } catch (SQLException ex) {
        // it became active between the query and the drop: try again next time
        LOG.info("{}: could not drop slot {}: {}", op, slot, jdbc.describe(ex));
      }
    }
    owned.removeIf(s -> !existing.containsKey(s) && !wanted.contains(s));
    advance(c, op, advanceTo);
  }


  /**
   * Moves each inactive slot forward to its target, never past this server's replay position (on a replica;
   * the current one on a primary): PostgreSQL refuses to move a slot beyond what the server has, and a target a
   * little ahead (the leader published it before this replica replayed it) is reached on a later cycle. Never
   * back: a slot already past its target stays (pg_replication_slot_advance refuses to go backwards anyway).
   */
  private void advance(Connection c, String op, Map<String, Long> advanceTo) throws SQLException {
    String sql = "SELECT pg_replication_slot_advance(slot_name, LEAST(?::pg_lsn, CASE WHEN pg_is_in_recovery()"
        + " THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)) FROM pg_replication_slots"
        + " WHERE slot_name = ? AND slot_type = 'physical' AND NOT active AND restart_lsn IS NOT NULL"
        + " AND restart_lsn < LEAST(?::pg_lsn, CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()"
        + " ELSE pg_current_wal_lsn() END)";
    for (Map.Entry<String, Long> e : advanceTo.entrySet()) {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setString(1, Lsn.format(e.getValue()));
        ps.setString(2, e.getKey());
        ps.setString(3, Lsn.format(e.getValue()));
        ps.execute();
      } catch (SQLException ex) {
        // it became active (its member connected) between the check and the move: nothing to move then
        LOG.info("{}: could not advance slot {}: {}", op, e.getKey(), jdbc.describe(ex));
      }
    }
  }

  private OwnedSlotNames ownedNames() {
    return new OwnedSlotNames(ctx.dataDir.resolve(OWNED_FILE));
  }
}
