/**
 * The node's internal metrics (the DCS member's Raft figures, the HA loop's cycles, decisions, lease refreshes and
 * fencing) kept in a Dropwizard {@code MetricRegistry} and rendered in Prometheus text format for {@code /metrics}.
 */
package io.pgquorum.coordinator.metrics;
