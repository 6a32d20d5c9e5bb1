/**
 * {@code pgctl}: the command-line tool for a pgquorum cluster (patronictl's equivalent), entry point
 * {@link io.pgquorum.pgctl.PgCtl}.
 *
 * <p>It reads the cluster straight from the embedded Raft DCS, as a client of the group a node's configuration
 * names, and renders it the way patronictl does: {@code ClusterSnapshot} -> {@code ClusterView} (patronictl's
 * derived values: role, state, lag) -> {@code MemberTable} (columns and cells) -> {@code MemberOutput} (pretty,
 * tsv, json, yaml; {@code TextTable} draws the box).
 */
package io.pgquorum.pgctl;
