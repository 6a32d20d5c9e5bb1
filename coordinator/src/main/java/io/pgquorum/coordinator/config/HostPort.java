package io.pgquorum.coordinator.config;

/**
 * A {@code host:port} pair as written in Patroni's {@code listen}/{@code connect_address} keys. The host is stored
 * without IPv6 brackets; for {@code postgresql.listen} it may be a comma-separated list
 * ({@code 127.0.0.1,::1}), which is what PostgreSQL's {@code listen_addresses} takes.
 */
public record HostPort(String host, int port) {
  @Override
  public String toString() {
    boolean bracket = host.contains(":") && !host.contains(",");
    return bracket ? "[" + host + "]:" + port : host + ":" + port;
  }
}
