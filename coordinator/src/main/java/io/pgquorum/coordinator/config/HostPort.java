package io.pgquorum.coordinator.config;

/** A {@code host:port} pair as written in Patroni's {@code listen}/{@code connect_address} keys. */
public record HostPort(String host, int port) {
  @Override
  public String toString() {
    return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
  }
}
