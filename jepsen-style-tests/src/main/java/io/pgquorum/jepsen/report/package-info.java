/**
 * The per-run HTML report: one self-contained page (inline CSS and SVG, no scripts, no external resources) with
 * the checkers' verdicts, a timeline of every node's role, lease and fencing token, faults drawn as bands, and
 * client operation outcomes. Entry point: {@link io.pgquorum.jepsen.report.HtmlReport}.
 */
package io.pgquorum.jepsen.report;
