package io.pgquorum.jepsen.report;

import static io.pgquorum.jepsen.report.Html.esc;
import static io.pgquorum.jepsen.report.Html.px;

import io.pgquorum.jepsen.history.History;
import io.pgquorum.jepsen.history.Op;
import io.pgquorum.jepsen.history.OpType;
import io.pgquorum.jepsen.report.ClientLanes.ClientOp;
import io.pgquorum.jepsen.report.FaultBands.Band;
import io.pgquorum.jepsen.report.NodeTracks.Segment;
import io.pgquorum.jepsen.report.NodeTracks.TokenChange;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The timeline as inline SVG: x is harness time. From top to bottom: the time axis, fault labels, one lane per
 * node (role as coloured segments, the held lease as a thin bar under it, fencing tokens as small labels), then
 * one lane per node for client operations (marks at completion time, or stacked counts per time bin when there
 * are too many to draw one by one), faults as translucent bands behind all lanes. Hovering shows details
 * through SVG {@code <title>} elements, so no script is needed.
 */
final class TimelineSvg {
  /** Above this many client operations, marks are replaced by per-bin counts. */
  static final int MAX_INDIVIDUAL_OPS = 5_000;
  /** The smallest bin; wider bins are used when 100 ms would be narrower than {@link #MIN_BIN_PX}. */
  static final long BIN_NANOS = 100_000_000L;
  static final double MIN_BIN_PX = 2.0;
  /** Hover details are written for at most this many marks (the rest are drawn without): keeps the page small. */
  static final int MAX_TITLED_MARKS = 1_500;

  static final double LEFT = 110;
  static final double PLOT_WIDTH = 1180;
  static final double RIGHT = 20;
  static final double WIDTH = LEFT + PLOT_WIDTH + RIGHT;

  private static final double AXIS_H = 22;
  private static final double LABEL_ROW_H = 14;
  private static final double SECTION_H = 20;
  private static final double NODE_LANE_H = 40;
  private static final double OPS_LANE_H = 32;
  /** A generous estimate of a band label character's width (10 px bold sans-serif). */
  private static final double LABEL_CHAR_PX = 6.0;

  private final History history;
  private final TimeAxis axis;
  private final Map<String, NodeTracks> nodes;
  private final List<String> nodeLanes;
  private final ClientLanes clients;
  private final List<Band> bands;
  private final Set<Long> anomalyIndexes;
  private final StringBuilder b = new StringBuilder(64 * 1024);
  private int titledMarks;

  /**
   * @param nodeNames every node to give a lane (observed or not), in display order
   * @param anomalyIndexes history indexes that checkers flagged: marked on the client lanes
   */
  TimelineSvg(History history, long endNanos, Map<String, NodeTracks> nodes, List<String> nodeNames,
      ClientLanes clients, List<Band> bands, Collection<Long> anomalyIndexes) {
    this.history = history;
    this.axis = new TimeAxis(endNanos, LEFT, PLOT_WIDTH);
    this.nodes = nodes;
    this.nodeLanes = nodeNames;
    this.clients = clients;
    this.bands = bands;
    this.anomalyIndexes = new TreeSet<>(anomalyIndexes);
  }

  /** Whether client operations are drawn as per-bin counts rather than one mark each. */
  boolean binned() {
    return clients.total > MAX_INDIVIDUAL_OPS;
  }

  /** The bin width used when {@link #binned()}: 100 ms, or a multiple of it that is at least 2 px wide. */
  long binNanos() {
    long bin = BIN_NANOS;
    while (bin / axis.nanosPerPixel() < MIN_BIN_PX) {
      bin += BIN_NANOS;
    }
    return bin;
  }

  String render() {
    List<LabelSpot> labelSpots = labelSpots();
    int rows = labelSpots.stream().mapToInt(l -> l.row() + 1).max().orElse(0);
    double labelsTop = AXIS_H;
    double lanesTop = labelsTop + Math.max(rows, 1) * LABEL_ROW_H + 4;
    double nodesTop = lanesTop + SECTION_H;
    double opsHeader = nodesTop + Math.max(nodeLanes.size(), 1) * NODE_LANE_H;
    double opsTop = opsHeader + SECTION_H;
    double lanesBottom = opsTop + Math.max(clients.lanes.size(), 1) * OPS_LANE_H;
    double height = lanesBottom + AXIS_H;

    b.append("<svg class=\"timeline\" role=\"img\" width=\"").append(px(WIDTH)).append("\" height=\"")
        .append(px(height)).append("\" viewBox=\"0 0 ").append(px(WIDTH)).append(' ').append(px(height))
        .append("\" font-family=\"sans-serif\" font-size=\"11\">\n");
    b.append("<title>Timeline: node roles, leases, tokens, faults and client operations</title>\n");

    laneBackgrounds(nodesTop, NODE_LANE_H, nodeLanes.size());
    laneBackgrounds(opsTop, OPS_LANE_H, clients.lanes.size());
    grid(lanesTop, lanesBottom);
    faultBands(labelsTop, labelSpots, lanesTop, lanesBottom);

    sectionHeader(lanesTop, "Nodes: role (bar), lease held (thin bar below), fencing token (t=\u2026)");
    int i = 0;
    for (String node : nodeLanes) {
      nodeLane(node, nodes.get(node), nodesTop + i++ * NODE_LANE_H);
    }
    if (nodeLanes.isEmpty()) {
      note(nodesTop + NODE_LANE_H / 2 + 4, "no observer events (role, lease, token) in this history");
    }

    int maxBin = binned() ? maxBinCount() : 0;
    String opsTitle = binned()
        ? String.format(Locale.ROOT, "Client operations: %d ops, counts per %d ms by completion time "
            + "(ok / info / fail stacked; a full lane = %d ops)", clients.total, binNanos() / 1_000_000, maxBin)
        : "Client operations at completion time: ok (top), info (middle), fail (bottom); line = invoke to completion";
    sectionHeader(opsHeader, opsTitle);
    i = 0;
    for (Map.Entry<String, List<ClientOp>> lane : clients.lanes.entrySet()) {
      double y = opsTop + i++ * OPS_LANE_H;
      laneLabel(y, OPS_LANE_H, lane.getKey(), lane.getValue().size() + " ops");
      if (binned()) {
        binnedLane(lane.getValue(), y, maxBin);
      } else {
        markLane(lane.getValue(), y);
      }
      anomalyMarks(lane.getValue(), y);
    }
    if (clients.lanes.isEmpty()) {
      note(opsTop + OPS_LANE_H / 2 + 4, "no client operations in this history");
    }

    axisLabels(14, true);
    axisLabels(lanesBottom + 14, false);
    b.append("</svg>\n");
    return b.toString();
  }

  // ---- layout pieces ----

  private void laneBackgrounds(double top, double h, int n) {
    for (int i = 0; i < n; i++) {
      if (i % 2 == 0) {
        rect(0, top + i * h, WIDTH, h, "lane-bg");
      }
    }
  }

  private void grid(double top, double bottom) {
    for (double s : axis.ticks()) {
      double x = axis.x((long) (s * 1e9));
      b.append("<line class=\"grid\" x1=\"").append(px(x)).append("\" y1=\"").append(px(top))
          .append("\" x2=\"").append(px(x)).append("\" y2=\"").append(px(bottom)).append("\"/>\n");
    }
  }

  private void axisLabels(double y, boolean top) {
    for (double s : axis.ticks()) {
      double x = axis.x((long) (s * 1e9));
      text(x, y, "middle", "axis", TimeAxis.tickLabel(s));
    }
    text(LEFT - 8, y, "end", "axis-name", top ? "harness time" : "");
  }

  private void sectionHeader(double y, String label) {
    text(6, y + 14, "start", "section", label);
  }

  private void note(double y, String label) {
    text(LEFT + 8, y, "start", "note", label);
  }

  private void laneLabel(double y, double h, String name, String sub) {
    text(LEFT - 8, y + h / 2 + (sub == null ? 4 : 0), "end", "lane-name", name);
    if (sub != null) {
      text(LEFT - 8, y + h / 2 + 12, "end", "lane-sub", sub);
    }
  }

  /** Where a band's label goes: its row above the lanes and its x (shifted left when it would run off). */
  private record LabelSpot(int row, double x) {
  }

  /**
   * Puts each band's label in the first row where it does not overlap an earlier label, so overlapping faults
   * stay readable; a label that would run past the right edge ends at the edge instead.
   */
  private List<LabelSpot> labelSpots() {
    List<Double> rowEnds = new ArrayList<>();
    List<LabelSpot> spots = new ArrayList<>();
    for (Band band : bands) {
      double w = LABEL_CHAR_PX * bandLabelText(band).length() + 6;
      double x0 = Math.max(LEFT, Math.min(axis.x(band.startNanos()) + 3, WIDTH - 2 - w));
      int row = 0;
      while (row < rowEnds.size() && rowEnds.get(row) > x0) {
        row++;
      }
      if (row == rowEnds.size()) {
        rowEnds.add(x0 + w);
      } else {
        rowEnds.set(row, x0 + w);
      }
      spots.add(new LabelSpot(row, x0));
    }
    return spots;
  }

  private static String bandLabelText(Band band) {
    return bandLabel(band) + (band.stopped() ? "" : " (never stopped)");
  }

  private static String bandLabel(Band band) {
    String d = Html.shorten(band.description(), 60);
    String base = d == null || d.isEmpty() || d.equals("null") ? band.kind() : d;
    return base.startsWith(band.kind()) ? base : band.kind() + ": " + base;
  }

  private void faultBands(double labelsTop, List<LabelSpot> spots, double top, double bottom) {
    for (int i = 0; i < bands.size(); i++) {
      Band band = bands.get(i);
      double x0 = axis.x(band.startNanos());
      double x1 = Math.max(axis.x(band.endNanos()), x0 + 1);
      String cls = "band band-" + cssKind(band.kind());
      String tip = bandLabel(band) + "\n" + Html.seconds(band.startNanos()) + " s \u2013 "
          + (band.stopped() ? Html.seconds(band.endNanos()) + " s" : "end of run (never stopped)")
          + (band.started() ? "" : "\n(start not recorded)");
      b.append("<g class=\"").append(cls).append("\"><title>").append(esc(tip)).append("</title>");
      rect(x0, top, x1 - x0, bottom - top, "band-fill");
      b.append("<line class=\"band-edge\" x1=\"").append(px(x0)).append("\" y1=\"")
          .append(px(labelsTop + spots.get(i).row() * LABEL_ROW_H)).append("\" x2=\"").append(px(x0))
          .append("\" y2=\"").append(px(bottom)).append("\"/>");
      b.append("<line class=\"band-edge").append(band.stopped() ? "" : " open").append("\" x1=\"")
          .append(px(x1)).append("\" y1=\"").append(px(top)).append("\" x2=\"").append(px(x1))
          .append("\" y2=\"").append(px(bottom)).append("\"/>");
      text(spots.get(i).x(), labelsTop + spots.get(i).row() * LABEL_ROW_H + 11, "start", "band-label",
          bandLabelText(band));
      b.append("</g>\n");
    }
  }

  private void nodeLane(String node, NodeTracks t, double y) {
    laneLabel(y, NODE_LANE_H, node, null);
    double roleY = y + 14;
    double roleH = 15;
    double leaseY = roleY + roleH + 3;
    if (t == null) {
      text(LEFT + 8, roleY + 11, "start", "note", "not observed");
      return;
    }
    for (Segment s : t.roles) {
      double x0 = axis.x(s.startNanos());
      double w = Math.max(axis.x(s.endNanos()) - x0, 0.5);
      String tip = node + ": " + s.label() + "\n" + Html.seconds(s.startNanos()) + " s \u2013 "
          + Html.seconds(s.endNanos()) + " s";
      b.append("<g><title>").append(esc(tip)).append("</title>");
      rect(x0, roleY, w, roleH, "role role-" + roleClass(s.label()));
      if (w > 6.5 * s.label().length() + 8) {
        text(x0 + 4, roleY + 11, "start", "role-text role-text-" + roleClass(s.label()), s.label());
      }
      b.append("</g>\n");
    }
    for (Segment s : t.leases) {
      double x0 = axis.x(s.startNanos());
      double w = Math.max(axis.x(s.endNanos()) - x0, 0.5);
      b.append("<g><title>").append(esc(node + ": lease held " + Html.seconds(s.startNanos()) + " s \u2013 "
          + Html.seconds(s.endNanos()) + " s\nlast observation: " + s.detail())).append("</title>");
      rect(x0, leaseY, w, 4, "lease");
      b.append("</g>\n");
    }
    double lastLabelEnd = -1;
    for (TokenChange tc : t.tokens) {
      double x = axis.x(tc.atNanos());
      String label = "t=" + Html.shorten(tc.token(), 20);
      b.append("<g><title>").append(esc(node + ": fencing token " + tc.token() + " from "
          + Html.seconds(tc.atNanos()) + " s")).append("</title>");
      b.append("<line class=\"token-tick\" x1=\"").append(px(x)).append("\" y1=\"").append(px(y + 3))
          .append("\" x2=\"").append(px(x)).append("\" y2=\"").append(px(roleY + roleH)).append("\"/>");
      // Tokens that change faster than their labels fit keep their tick and tooltip but not the text.
      if (x > lastLabelEnd) {
        text(x + 2, y + 11, "start", "token", label);
        lastLabelEnd = x + 2 + 5.5 * label.length() + 4;
      }
      b.append("</g>\n");
    }
  }

  private void markLane(List<ClientOp> ops, double y) {
    // Marks without a tooltip share one path per outcome: compact, and the common case (thousands of oks).
    StringBuilder[] paths = {new StringBuilder(), new StringBuilder(), new StringBuilder()};
    StringBuilder[] spans = {new StringBuilder(), new StringBuilder(), new StringBuilder()};
    for (ClientOp op : ops) {
      int row = row(op.outcome());
      long end = op.endNanos(history.endNanos());
      double x = axis.x(end);
      double x0 = axis.x(op.invoke().timeNanos());
      double top = y + 3 + row * 9;
      if (x - x0 >= 3) {
        spans[row].append('M').append(px(x0)).append(' ').append(px(top + 3)).append('H').append(px(x));
      }
      boolean interesting = op.outcome() != OpType.OK || op.completion() == null;
      if (interesting && titledMarks < MAX_TITLED_MARKS) {
        titledMarks++;
        b.append("<g><title>").append(esc(describe(op))).append("</title>");
        rect(x - 1, top, 2.5, 7, "op op-" + cls(op.outcome()));
        b.append("</g>\n");
      } else {
        paths[row].append('M').append(px(x)).append(' ').append(px(top)).append("v7");
      }
    }
    for (int r = 0; r < 3; r++) {
      String c = cls(r == 0 ? OpType.OK : r == 1 ? OpType.INFO : OpType.FAIL);
      if (spans[r].length() > 0) {
        b.append("<path class=\"span span-").append(c).append("\" d=\"").append(spans[r]).append("\"/>\n");
      }
      if (paths[r].length() > 0) {
        b.append("<path class=\"tick tick-").append(c).append("\" d=\"").append(paths[r]).append("\"/>\n");
      }
    }
  }

  private int maxBinCount() {
    long bin = binNanos();
    int max = 1;
    for (List<ClientOp> ops : clients.lanes.values()) {
      Map<Long, Integer> counts = new java.util.HashMap<>();
      for (ClientOp op : ops) {
        max = Math.max(max, counts.merge(op.endNanos(history.endNanos()) / bin, 1, Integer::sum));
      }
    }
    return max;
  }

  private void binnedLane(List<ClientOp> ops, double y, int maxCount) {
    long bin = binNanos();
    java.util.TreeMap<Long, int[]> counts = new java.util.TreeMap<>();
    for (ClientOp op : ops) {
      counts.computeIfAbsent(op.endNanos(history.endNanos()) / bin, k -> new int[3])[row(op.outcome())]++;
    }
    double full = OPS_LANE_H - 5;
    double bottom = y + OPS_LANE_H - 2;
    StringBuilder[] paths = {new StringBuilder(), new StringBuilder(), new StringBuilder()};
    for (Map.Entry<Long, int[]> e : counts.entrySet()) {
      double x0 = axis.x(e.getKey() * bin);
      double w = Math.max(axis.x((e.getKey() + 1) * bin) - x0 - 0.4, 0.6);
      double base = bottom;
      // Stacked bottom-up: ok, info, fail, so failures sit on top where they catch the eye.
      for (int r = 0; r < 3; r++) {
        int n = e.getValue()[r];
        if (n == 0) {
          continue;
        }
        double h = Math.max(full * n / maxCount, 1);
        paths[r].append('M').append(px(x0)).append(' ').append(px(base - h)).append('h').append(px(w))
            .append('v').append(px(h)).append('h').append(px(-w)).append('z');
        base -= h;
      }
    }
    for (int r = 0; r < 3; r++) {
      if (paths[r].length() > 0) {
        String c = cls(r == 0 ? OpType.OK : r == 1 ? OpType.INFO : OpType.FAIL);
        b.append("<path class=\"bar bar-").append(c).append("\" d=\"").append(paths[r]).append("\"/>\n");
      }
    }
  }

  private void anomalyMarks(List<ClientOp> ops, double y) {
    if (anomalyIndexes.isEmpty()) {
      return;
    }
    for (ClientOp op : ops) {
      boolean flagged = anomalyIndexes.contains(op.invoke().index())
          || (op.completion() != null && anomalyIndexes.contains(op.completion().index()));
      if (flagged) {
        double x = axis.x(op.endNanos(history.endNanos()));
        b.append("<g class=\"anomaly\"><title>").append(esc("flagged by a checker: " + describe(op)))
            .append("</title><path d=\"M").append(px(x - 4)).append(' ').append(px(y - 1)).append("h8l-4 6z\"/>")
            .append("</g>\n");
      }
    }
  }

  // ---- helpers ----

  private static int row(OpType outcome) {
    return outcome == OpType.OK ? 0 : outcome == OpType.FAIL ? 2 : 1;
  }

  private static String cls(OpType t) {
    return t == OpType.OK ? "ok" : t == OpType.FAIL ? "fail" : "info";
  }

  static String roleClass(String role) {
    String r = role == null ? "unknown" : role.toLowerCase(Locale.ROOT);
    switch (r) {
      case "primary":
      case "leader":
      case "master":
        return "primary";
      case "replica":
      case "standby":
      case "follower":
        return "replica";
      case "unknown":
      case "null":
        return "unknown";
      case "stopped":
      case "down":
      case "dead":
      case "killed":
        return "stopped";
      default:
        return "other";
    }
  }

  private static String cssKind(String kind) {
    switch (kind) {
      case "partition":
      case "kill":
      case "pause":
      case "clock-skew":
      case "packet-loss":
      case "delay":
        return kind;
      default:
        return "other";
    }
  }

  private String describe(ClientOp op) {
    Op inv = op.invoke();
    Op c = op.completion();
    StringBuilder s = new StringBuilder();
    s.append('#').append(inv.index()).append(' ').append(inv.process()).append(' ').append(inv.f());
    if (inv.key() != null) {
      s.append(" key=").append(inv.key());
    }
    s.append(" value=").append(Html.valueText(inv.value()));
    if (c == null) {
      s.append("\nnever completed (invoked at ").append(Html.seconds(inv.timeNanos())).append(" s)");
    } else {
      s.append("\n").append(c.type().name().toLowerCase(Locale.ROOT)).append(" #").append(c.index())
          .append(" value=").append(Html.valueText(c.value()));
      if (c.error() != null) {
        s.append(" error=").append(Html.shorten(c.error(), Html.MAX_VALUE_CHARS));
      }
      s.append("\n").append(Html.seconds(inv.timeNanos())).append(" s \u2013 ")
          .append(Html.seconds(c.timeNanos())).append(" s");
    }
    if (op.node() != null) {
      s.append(" on ").append(op.node());
    }
    return s.toString();
  }

  private void rect(double x, double y, double w, double h, String cls) {
    b.append("<rect class=\"").append(cls).append("\" x=\"").append(px(x)).append("\" y=\"").append(px(y))
        .append("\" width=\"").append(px(w)).append("\" height=\"").append(px(h)).append("\"/>");
  }

  private void text(double x, double y, String anchor, String cls, String content) {
    b.append("<text class=\"").append(cls).append("\" x=\"").append(px(x)).append("\" y=\"").append(px(y))
        .append("\" text-anchor=\"").append(anchor).append("\">").append(esc(content)).append("</text>");
  }
}
