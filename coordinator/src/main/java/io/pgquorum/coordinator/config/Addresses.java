package io.pgquorum.coordinator.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code host:port} values as Patroni writes them: {@code 10.0.0.1:5432}, {@code db1.example.com:8008},
 * {@code [::1]:5432}; for {@code postgresql.listen} also a host list ({@code 127.0.0.1,10.0.0.1:5432}) and
 * wildcards ({@code *}, {@code 0.0.0.0}, {@code ::}). Raft members may carry an explicit id ({@code id@host:port}),
 * as in the raft-dcs module.
 *
 * <p>IPv6 literals must be bracketed: {@code ::1:5432} is itself a valid IPv6 address, so guessing where the port
 * starts would be wrong some of the time.
 */
final class Addresses {
  private static final Set<String> WILDCARDS = Set.of("*", "0.0.0.0", "::");
  private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9._-]*[A-Za-z0-9_])?");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");
  private static final Pattern PEER_ID = Pattern.compile("[A-Za-z0-9._:-]+");

  private Addresses() {}

  /** How strict to be about the host part. */
  enum Kind {
    /** One concrete host others can dial (connect_address, raft.self_addr, raft.partner_addrs). */
    CONNECT,
    /** One host or a wildcard, to bind (restapi.listen, raft.bind_addr). */
    LISTEN,
    /** A comma-separated host list or wildcard (postgresql.listen). */
    LISTEN_LIST
  }

  static boolean isWildcard(String host) {
    return WILDCARDS.contains(host);
  }

  /** The individual hosts of a (possibly comma-separated) host part. */
  static List<String> hosts(HostPort hp) {
    List<String> out = new ArrayList<>();
    for (String h : hp.host().split(",")) {
      out.add(h.trim());
    }
    return out;
  }

  /** Parses the value at {@code path}; reports and returns null when it is not valid. */
  static HostPort parse(String path, Object value, Kind kind, Problems problems) {
    if (!(value instanceof String)) {
      problems.error(path, "expected host:port, got " + problems.show(value));
      return null;
    }
    String text = ((String) value).trim();
    String error = check(text, kind);
    if (error != null) {
      problems.error(path, error + ", got " + problems.show(text));
      return null;
    }
    int colon = text.lastIndexOf(':');
    List<String> hosts = new ArrayList<>();
    for (String h : text.substring(0, colon).split(",", -1)) {
      h = h.trim();
      hosts.add(h.startsWith("[") ? h.substring(1, h.length() - 1) : h);
    }
    return new HostPort(String.join(",", hosts), Integer.parseInt(text.substring(colon + 1)));
  }

  /**
   * Parses a Raft member address ({@code host:port} or, when {@code allowId}, {@code id@host:port}); returns the
   * dialled host:port.
   */
  static HostPort parsePeer(String path, Object value, boolean allowId, Kind kind, Problems problems) {
    if (!(value instanceof String)) {
      problems.error(path, "expected host:port, got " + problems.show(value));
      return null;
    }
    String text = ((String) value).trim();
    int at = text.indexOf('@');
    if (at >= 0) {
      String id = text.substring(0, at);
      if (!allowId) {
        problems.error(path, "expected host:port without an id@ prefix, got " + problems.show(text));
        return null;
      }
      if (!PEER_ID.matcher(id).matches()) {
        problems.error(path, "member id before '@' may only contain letters, digits, '.', '_', ':' and '-', got "
            + problems.show(text));
        return null;
      }
      String rest = text.substring(at + 1);
      String error = check(rest, kind);
      if (error != null) {
        problems.error(path, error + ", got " + problems.show(text));
        return null;
      }
      text = rest;
    }
    return parse(path, text, kind, problems);
  }

  /** Null when {@code text} is acceptable, else the reason. */
  private static String check(String text, Kind kind) {
    int colon = text.lastIndexOf(':');
    if (text.isEmpty() || colon < 0 || text.endsWith("]")) {
      return "expected host:port";
    }
    String portText = text.substring(colon + 1);
    if (!portText.matches("\\d{1,5}")) {
      return "expected host:port with a numeric port";
    }
    int port = Integer.parseInt(portText);
    if (port < 1 || port > 65535) {
      return "port " + port + " is outside 1..65535";
    }
    String hostPart = text.substring(0, colon);
    String[] hosts = hostPart.split(",", -1);
    if (hosts.length > 1 && kind != Kind.LISTEN_LIST) {
      return "expected a single host";
    }
    for (String raw : hosts) {
      String h = raw.trim();
      if (h.isEmpty()) {
        return kind == Kind.CONNECT ? "the host is missing"
            : "the host is missing (write 0.0.0.0:" + port + " to listen on every interface)";
      }
      if (h.startsWith("[")) {
        if (!h.endsWith("]") || !IPV6.matcher(h.substring(1, h.length() - 1)).matches()) {
          return "malformed bracketed IPv6 address";
        }
        h = h.substring(1, h.length() - 1);
      } else if (h.contains(":")) {
        return "IPv6 addresses must be in brackets, e.g. [::1]:" + port;
      } else if (!h.equals("*") && !HOSTNAME.matcher(h).matches()) {
        return "the host may only contain letters, digits, '.', '_' and '-'";
      }
      if (isWildcard(h.toLowerCase(Locale.ROOT)) && kind == Kind.CONNECT) {
        return "must be an address other members can reach, not the wildcard " + h;
      }
      if (h.equals("*") && kind == Kind.LISTEN) {
        return "use 0.0.0.0 (or ::) to listen on every interface";
      }
    }
    return null;
  }
}
