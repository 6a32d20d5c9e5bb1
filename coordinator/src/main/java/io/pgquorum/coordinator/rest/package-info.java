/**
 * Patroni-compatible REST API: health checks for load balancers, status and metrics for monitoring, admin
 * endpoints for tools, and the client a node uses to ask its peers during a leader race.
 *
 * <p>Every answer is computed from the last {@link io.pgquorum.coordinator.ha.NodeStatus} the HA loop published;
 * nothing here waits for the loop, so a slow cycle never makes a health check time out.
 */
package io.pgquorum.coordinator.rest;
