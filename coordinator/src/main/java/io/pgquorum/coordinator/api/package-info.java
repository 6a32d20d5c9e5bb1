/**
 * Embedding a pgquorum node in your own launcher: start it from a YAML file, YAML text or a settings map (Patroni's
 * layout, exactly what {@code bin/pgquorum} reads), watch its role and status, react to role changes, stop it with a
 * handover. {@code bin/pgquorum} itself needs none of this; it is for programs that run a node as one part of
 * something larger (an operator, a test harness, an appliance's supervisor).
 *
 * <h2>Stability</h2>
 * The public types of this package are pgquorum's embedding API, version
 * {@link io.pgquorum.coordinator.api.PgQuorum#API_VERSION} (major.minor). Within a major version nothing here is
 * removed or changes meaning: methods and record components may be added (records only at the end), and enum
 * constants may be added (a {@code switch} over {@link io.pgquorum.coordinator.api.Role} needs a default branch).
 * Everything outside this package, including the types the node uses internally ({@code NodeConfig},
 * {@code PgQuorumNode}, {@code NodeStatus}), is internal and may change in any release. Behaviour the API reports
 * (roles, Patroni's state strings) follows the REST API's.
 *
 * <h2>Threads</h2>
 * {@link io.pgquorum.coordinator.api.EmbeddedNode#status()} never blocks (it reads the status the HA loop last
 * published). Role-change listeners run on one thread of their own, one event at a time, in order; a slow listener
 * delays only later events, never the HA loop. Starting a node blocks while its DCS member waits for its partners.
 */
package io.pgquorum.coordinator.api;
