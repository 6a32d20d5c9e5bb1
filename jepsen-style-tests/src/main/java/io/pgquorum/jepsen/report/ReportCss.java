package io.pgquorum.jepsen.report;

/** The report's style sheet, inlined into every page so the file opens from disk with nothing else. */
final class ReportCss {
  static final String OK = "#2e9d3a";
  static final String FAIL = "#d32f2f";
  static final String INFO = "#f08c00";

  static final String CSS = """
      body { font-family: -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif; margin: 20px 28px;
             color: #222; background: #fff; font-size: 14px; }
      h1 { font-size: 22px; margin: 0 0 6px 0; }
      h2 { font-size: 17px; margin: 26px 0 8px 0; border-bottom: 1px solid #ddd; padding-bottom: 3px; }
      code, .mono { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 13px; }
      .overall { display: inline-block; padding: 3px 10px; border-radius: 4px; color: #fff; font-weight: bold;
                 margin: 4px 0 8px 0; }
      .overall-valid { background: %OK%; } .overall-invalid { background: %FAIL%; }
      .overall-unknown { background: #808080; }
      .facts { border-collapse: collapse; margin: 6px 0; }
      .facts th { text-align: left; font-weight: normal; color: #666; padding: 2px 14px 2px 0; vertical-align: top; }
      .facts td { padding: 2px 0; }
      .replay { background: #f3f3f3; border: 1px solid #ddd; padding: 2px 6px; border-radius: 3px; }
      table.verdicts, table.events, table.ops, table.steps { border-collapse: collapse; width: 100%; }
      table.verdicts th, table.events th, table.ops th, table.steps th { text-align: left; background: #f0f0f0;
             border-bottom: 2px solid #ccc; padding: 4px 8px; font-size: 13px; }
      table.verdicts td, table.events td, table.ops td, table.steps td { border-bottom: 1px solid #e4e4e4;
             padding: 4px 8px; vertical-align: top; font-size: 13px; }
      td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
      td.checker { font-weight: 600; white-space: nowrap; }
      .verdict { display: inline-block; min-width: 58px; text-align: center; padding: 2px 6px; border-radius: 3px;
                 color: #fff; font-weight: bold; font-size: 12px; text-transform: uppercase; }
      .verdict-valid { background: %OK%; } .verdict-invalid { background: %FAIL%; }
      .verdict-unknown { background: #808080; }
      tr.row-invalid td { background: #fdf0f0; }
      ul.anomalies { margin: 0; padding-left: 16px; font-family: "DejaVu Sans Mono", Menlo, monospace;
                     font-size: 12px; }
      dl.stats { margin: 0; display: grid; grid-template-columns: auto auto; column-gap: 8px; font-size: 12px; }
      dl.stats dt { color: #666; } dl.stats dd { margin: 0; font-variant-numeric: tabular-nums; }
      .muted, .note { color: #888; }
      .type { font-weight: 600; } .type-ok { color: %OK%; } .type-fail { color: %FAIL%; }
      .type-info { color: %INFO%; } .type-invoke { color: #555; }
      tr.ev-start td { background: #fff6f4; }
      .scroll { overflow-x: auto; border: 1px solid #e2e2e2; }
      .legend { margin: 6px 0 4px 0; font-size: 12px; color: #444; }
      .legend span.sw { display: inline-block; width: 14px; height: 10px; vertical-align: middle;
                        margin: 0 4px 0 12px; border: 1px solid rgba(0,0,0,.15); }
      details > summary { cursor: pointer; color: #444; margin: 4px 0; }
      /* timeline */
      svg.timeline { display: block; background: #fff; }
      .lane-bg { fill: #f6f7f9; }
      .grid { stroke: #e1e1e1; stroke-width: 1; }
      .axis { fill: #555; font-size: 10px; } .axis-name { fill: #999; font-size: 10px; }
      .section { fill: #333; font-weight: bold; font-size: 11px; }
      .lane-name { fill: #222; font-weight: 600; font-size: 12px; } .lane-sub { fill: #888; font-size: 9px; }
      .note { fill: #999; font-style: italic; }
      .role-primary { fill: #1f5fbf; } .role-replica { fill: #9cc0ea; } .role-unknown { fill: #c9c9c9; }
      .role-stopped { fill: #444; } .role-other { fill: #a77fd6; }
      .role-text { font-size: 10px; fill: #fff; pointer-events: none; }
      .role-text-replica, .role-text-unknown { fill: #1d2b3a; }
      .lease { fill: #e2a400; }
      .token { fill: #333; font-size: 9px; font-family: "DejaVu Sans Mono", Menlo, monospace; }
      .token-tick { stroke: #333; stroke-width: 1; }
      .band-fill { fill-opacity: 0.13; }
      .band-edge { stroke-width: 1; stroke-opacity: 0.7; } .band-edge.open { stroke-dasharray: 3 3; }
      .band-label { font-size: 10px; font-weight: 600; }
      .band-partition .band-fill { fill: #e53935; } .band-partition line { stroke: #e53935; }
      .band-partition text { fill: #b71c1c; }
      .band-kill .band-fill { fill: #8e24aa; } .band-kill line { stroke: #8e24aa; } .band-kill text { fill: #6a1b9a; }
      .band-pause .band-fill { fill: #fb8c00; } .band-pause line { stroke: #fb8c00; }
      .band-pause text { fill: #e65100; }
      .band-clock-skew .band-fill { fill: #00897b; } .band-clock-skew line { stroke: #00897b; }
      .band-clock-skew text { fill: #00695c; }
      .band-packet-loss .band-fill { fill: #6d4c41; } .band-packet-loss line { stroke: #6d4c41; }
      .band-packet-loss text { fill: #4e342e; }
      .band-delay .band-fill { fill: #3949ab; } .band-delay line { stroke: #3949ab; }
      .band-delay text { fill: #283593; }
      .band-other .band-fill { fill: #757575; } .band-other line { stroke: #757575; }
      .band-other text { fill: #424242; }
      .op-ok { fill: %OK%; } .op-fail { fill: %FAIL%; } .op-info { fill: %INFO%; }
      .tick { stroke-width: 1.5; fill: none; } .tick-ok { stroke: %OK%; } .tick-fail { stroke: %FAIL%; }
      .tick-info { stroke: %INFO%; }
      .span { stroke-width: 1; fill: none; stroke-opacity: 0.45; } .span-ok { stroke: %OK%; }
      .span-fail { stroke: %FAIL%; } .span-info { stroke: %INFO%; }
      .bar-ok { fill: %OK%; } .bar-fail { fill: %FAIL%; } .bar-info { fill: %INFO%; }
      .anomaly path { fill: #000; }
      """.replace("%OK%", OK).replace("%FAIL%", FAIL).replace("%INFO%", INFO);

  private ReportCss() {
  }
}
