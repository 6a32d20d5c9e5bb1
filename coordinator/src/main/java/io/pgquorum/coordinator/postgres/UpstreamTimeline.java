package io.pgquorum.coordinator.postgres;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * What an upstream says about its timeline, asked over the replication protocol (IDENTIFY_SYSTEM,
 * TIMELINE_HISTORY) with the replication role, as a standby would.
 */
record UpstreamTimeline(String systemIdentifier, int timeline, List<TimelineHistory.Entry> history) {

  static UpstreamTimeline fetch(Jdbc jdbc, Upstream upstream) {
    try (Connection c = jdbc.replication(upstream.host(), upstream.port()); Statement s = c.createStatement()) {
      String sysid;
      int timeline;
      try (ResultSet r = s.executeQuery("IDENTIFY_SYSTEM")) {
        r.next();
        sysid = r.getString("systemid");
        timeline = r.getInt("timeline");
      }
      List<TimelineHistory.Entry> history = List.of();
      if (timeline > 1) {
        try (ResultSet r = s.executeQuery("TIMELINE_HISTORY " + timeline)) {
          r.next();
          // The content column is documented as bytea; accept a text column as well.
          String content = "bytea".equals(r.getMetaData().getColumnTypeName(2))
              ? new String(r.getBytes(2), StandardCharsets.UTF_8) : r.getString(2);
          history = TimelineHistory.parse(content);
        }
      }
      return new UpstreamTimeline(sysid, timeline, history);
    } catch (SQLException e) {
      throw new PostgresException("reading the timeline of " + upstream.name() + " (" + upstream.host() + ":"
          + upstream.port() + ") failed: " + jdbc.describe(e), e);
    }
  }
}
