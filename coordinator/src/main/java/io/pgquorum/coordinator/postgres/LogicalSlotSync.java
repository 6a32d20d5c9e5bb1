package io.pgquorum.coordinator.postgres;

import io.pgquorum.coordinator.config.PermanentSlots;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the decision's permanent logical slots ({@code ha.LogicalSlotWants}): makes them on a primary, moves a
 * standby's copies, drops the ones pgquorum made or copied that are no longer configured, and copies a slot's
 * state from the primary into a standby's {@code pg_replslot}. Only slots listed in {@value #OWNED_FILE} (in the
 * data directory: it travels with the data, so a promoted standby still knows which copies are pgquorum's) are
 * ever dropped, so a logical slot an operator made by hand survives whatever the configuration says.
 */
final class LogicalSlotSync {
  private static final Logger LOG = LoggerFactory.getLogger(LogicalSlotSync.class);
  static final String OWNED_FILE = "pgquorum.logical-slots";

  /** A logical slot on this server; {@code confirmed} its confirmed_flush position in bytes (0 when unset). */
  private record Existing(String database, String plugin, boolean active, long confirmed) {}

  private final PgContext ctx;
  private final Jdbc jdbc;

  LogicalSlotSync(PgContext ctx, Jdbc jdbc) {
    this.ctx = ctx;
    this.jdbc = jdbc;
  }

  void sync(List<PermanentSlots.Slot> keep, Map<String, Long> advanceTo) {
    String op = "sync logical replication slots";
    OwnedSlotNames ownedFile = ownedNames();
    Set<String> owned = ownedFile.read();
    Set<String> wanted = keep.stream().map(PermanentSlots.Slot::name).collect(Collectors.toCollection(TreeSet::new));
    try (Connection c = jdbc.admin()) {
      boolean standby = inRecovery(c);
      Map<String, Existing> existing = existing(c);
      for (PermanentSlots.Slot slot : keep) {
        Existing e = existing.get(slot.name());
        if (e != null) {
          if (!e.database().equals(slot.database().orElse("")) || !e.plugin().equals(slot.plugin().orElse(""))) {
            // Never dropped to be remade: a consumer's position would be lost with it. The operator decides.
            LOG.warn("{}: slot {} is in database {} with plugin {}, the configuration says {} with {}; left as it is",
                op, slot.name(), e.database(), e.plugin(), slot.database().orElse(""), slot.plugin().orElse(""));
          }
        } else if (!standby) {
          create(slot);
          owned.add(slot.name());
        }
      }
      for (Map.Entry<String, Existing> e : existing.entrySet()) {
        String slot = e.getKey();
        if (wanted.contains(slot) || !owned.contains(slot)) {
          continue;
        }
        if (e.getValue().active()) {
          LOG.info("{}: slot {} is no longer configured but still active; keeping it for now", op, slot);
          continue;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
          ps.setString(1, slot);
          ps.execute();
          owned.remove(slot);
          LOG.info("{}: dropped slot {} (no longer configured)", op, slot);
        } catch (SQLException ex) {
          // a consumer connected between the query and the drop: try again next time
          LOG.info("{}: could not drop slot {}: {}", op, slot, jdbc.describe(ex));
        }
      }
      owned.removeIf(s -> !existing.containsKey(s) && !wanted.contains(s));
      advanceTo.forEach((slot, at) -> {
        Existing e = existing.get(slot);
        // Already there: no connection to its database this cycle (the advance would do nothing).
        if (e != null && !e.active() && e.confirmed() < at) {
          advance(op, slot, e.database(), at);
        }
      });
    } catch (SQLException e) {
      throw new PostgresException(op + " failed: " + jdbc.describe(e), e);
    } finally {
      ownedFile.write(owned);
    }
  }

  /**
   * Writes each slot's state, read from {@code from} with pg_read_binary_file (the rewind role is granted it, as
   * pg_rewind needs it too), into {@code pg_replslot/<name>} here; PostgreSQL loads it at its next start. Each slot
   * is written into {@code <name>.tmp} and renamed: PostgreSQL removes a {@code .tmp} slot directory at its start,
   * so a copy cut short never loads half a slot.
   */
  void copy(Upstream from, List<PermanentSlots.Slot> slots) {
    String op = "copy logical slots from " + from.name();
    try (Connection c = jdbc.remote(from.host(), from.port(), ctx.pg.rewindRole());
        PreparedStatement ps = c.prepareStatement("SELECT pg_read_binary_file('pg_replslot/' || ? || '/state')")) {
      OwnedSlotNames ownedFile = ownedNames();
      Set<String> owned = ownedFile.read();
      for (PermanentSlots.Slot slot : slots) {
        ps.setString(1, slot.name());
        byte[] state;
        try (ResultSet r = ps.executeQuery()) {
          r.next();
          state = r.getBytes(1);
        }
        install(slot.name(), state);
        owned.add(slot.name());
        LOG.info("{}: wrote the state of slot {} ({} bytes) into pg_replslot", op, slot.name(), state.length);
      }
      ownedFile.write(owned);
    } catch (SQLException e) {
      throw new PostgresException(op + " failed: " + jdbc.describe(e), e);
    } catch (IOException e) {
      throw new PostgresException(op + " failed: " + e.getMessage(), e);
    }
  }

  private void install(String name, byte[] state) throws IOException {
    Path slots = ctx.dataDir.resolve("pg_replslot");
    Path tmp = slots.resolve(name + ".tmp");
    Path dir = slots.resolve(name);
    deleteSlotDir(tmp);
    Files.createDirectory(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path file = tmp.resolve("state");
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(state));
      ch.force(true);
    }
    // A directory left by an earlier copy that PostgreSQL never loaded (no restart since) is replaced.
    deleteSlotDir(dir);
    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
    try (FileChannel ch = FileChannel.open(slots, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  private static void deleteSlotDir(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      try (var files = Files.list(dir)) {
        for (Path f : files.toList()) {
          Files.delete(f);
        }
      }
      Files.delete(dir);
    }
  }

  private void create(PermanentSlots.Slot slot) throws SQLException {
    String db = slot.database().orElseThrow();
    try (Connection c = jdbc.adminIn(db);
        PreparedStatement ps = c.prepareStatement("SELECT pg_create_logical_replication_slot(?, ?)")) {
      ps.setString(1, slot.name());
      ps.setString(2, slot.plugin().orElseThrow());
      ps.execute();
    }
    LOG.info("sync logical replication slots: created slot {} in database {} with plugin {}", slot.name(), db,
        slot.plugin().orElseThrow());
  }

  /**
   * Moves a standby's copy forward, never past what this server replayed (PostgreSQL refuses that) and never back
   * (nothing is done when it is already there). Only from the slot's own database, which PostgreSQL requires for
   * a logical slot. A failure is logged: the next cycle tries again.
   */
  private void advance(String op, String slot, String database, long at) {
    String target = "LEAST(?::pg_lsn, CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()"
        + " ELSE pg_current_wal_lsn() END)";
    String sql = "SELECT pg_replication_slot_advance(slot_name, " + target + ") FROM pg_replication_slots"
        + " WHERE slot_name = ? AND slot_type = 'logical' AND NOT active AND confirmed_flush_lsn < " + target;
    try (Connection c = jdbc.adminIn(database); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, Lsn.format(at));
      ps.setString(2, slot);
      ps.setString(3, Lsn.format(at));
      ps.execute();
    } catch (SQLException ex) {
      LOG.info("{}: could not advance slot {}: {}", op, slot, jdbc.describe(ex));
    }
  }

  private static boolean inRecovery(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT pg_is_in_recovery()")) {
      r.next();
      return r.getBoolean(1);
    }
  }

  private static Map<String, Existing> existing(Connection c) throws SQLException {
    Map<String, Existing> out = new TreeMap<>();
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT slot_name, database, plugin, active,"
            + " coalesce(pg_wal_lsn_diff(confirmed_flush_lsn, '0/0'), 0)::bigint FROM pg_replication_slots"
            + " WHERE slot_type = 'logical'")) {
      while (r.next()) {
        out.put(r.getString(1), new Existing(r.getString(2), r.getString(3), r.getBoolean(4), r.getLong(5)));
      }
    }
    return out;
  }

  private OwnedSlotNames ownedNames() {
    return new OwnedSlotNames(ctx.dataDir.resolve(OWNED_FILE));
  }
}
