package io.pgquorum.dcs.ratis;

import io.pgquorum.dcs.api.DcsConfigException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A DCS member's identity and address, written {@code host:port} or {@code id@host:port}.
 *
 * <p>Without an explicit id, the id is the address itself: like Patroni's pysyncobj-based {@code raft:}
 * section, members are then known by the address their partners dial, and every member derives the same id
 * for the same partner without extra configuration.
 *
 * @param id the Raft peer id
 * @param host host name or IP address (IPv6 in brackets)
 * @param port TCP port
 */
public record PeerAddress(String id, String host, int port) {
  private static final Pattern FORM =
      Pattern.compile("^(?:([A-Za-z0-9._:-]+)@)?(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9._-]+):(\\d{1,5})$");

  /**
   * Parses {@code text}; {@code key} names the setting it came from (for example {@code raft.partner_addrs[1]}),
   * so that the error says where to look.
   */
  public static PeerAddress parse(String key, String text) {
    if (text == null || text.isBlank()) {
      throw new DcsConfigException(key + " is empty; expected host:port or id@host:port");
    }
    Matcher m = FORM.matcher(text.trim());
    if (!m.matches()) {
      throw new DcsConfigException(key + " = '" + text + "' is not host:port or id@host:port");
    }
    int port = Integer.parseInt(m.group(3));
    if (port < 1 || port > 65535) {
      throw new DcsConfigException(key + " = '" + text + "': port " + port + " is outside 1..65535");
    }
    String host = m.group(2);
    String id = m.group(1) != null ? m.group(1) : host + ":" + port;
    return new PeerAddress(id, host, port);
  }

  /** {@code host:port}, as dialled. */
  public String address() {
    return host + ":" + port;
  }

  @Override
  public String toString() {
    return id.equals(address()) ? address() : id + "@" + address();
  }
}
