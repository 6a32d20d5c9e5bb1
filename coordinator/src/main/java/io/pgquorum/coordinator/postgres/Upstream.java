package io.pgquorum.coordinator.postgres;

/**
 * The server a replica streams from (or clones/rewinds from).
 *
 * @param name the member name; also the replication slot on the upstream is named after <em>this</em> node,
 *     and {@code application_name} in primary_conninfo is this node's name
 * @param host host of its PostgreSQL
 * @param port port of its PostgreSQL
 */
public record Upstream(String name, String host, int port) {}
