package io.pgquorum.pgctl;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * Host and port of a member's {@code conn_url} ({@code postgres://host:port/postgres}). Parsed by hand rather than
 * with {@link java.net.URI}, which gives no host for names it considers invalid (underscores, for instance) even
 * though PostgreSQL connects to them fine.
 *
 * @param host the host (an IPv6 address keeps its brackets, so {@code host:port} stays readable)
 * @param port the port, when the URL names one
 */
record ConnAddress(Optional<String> host, OptionalInt port) {
  static final ConnAddress NONE = new ConnAddress(Optional.empty(), OptionalInt.empty());

  static ConnAddress parse(String connUrl) {
    if (connUrl == null || connUrl.isBlank()) {
      return NONE;
    }
    String rest = connUrl.trim();
    int scheme = rest.indexOf("://");
    if (scheme >= 0) {
      rest = rest.substring(scheme + 3);
    }
    int end = indexOfAny(rest, "/?#");
    String authority = end >= 0 ? rest.substring(0, end) : rest;
    int at = authority.lastIndexOf('@');
    if (at >= 0) {
      authority = authority.substring(at + 1); // user info never reaches the output
    }
    String host;
    String port = "";
    if (authority.startsWith("[")) {
      int close = authority.indexOf(']');
      if (close < 0) {
        return NONE;
      }
      host = authority.substring(0, close + 1);
      String after = authority.substring(close + 1);
      port = after.startsWith(":") ? after.substring(1) : "";
    } else {
      int colon = authority.lastIndexOf(':');
      host = colon >= 0 ? authority.substring(0, colon) : authority;
      port = colon >= 0 ? authority.substring(colon + 1) : "";
    }
    OptionalInt p = OptionalInt.empty();
    if (port.matches("\\d{1,5}")) {
      p = OptionalInt.of(Integer.parseInt(port));
    }
    return new ConnAddress(host.isEmpty() ? Optional.empty() : Optional.of(host), p);
  }

  private static int indexOfAny(String s, String chars) {
    for (int i = 0; i < s.length(); i++) {
      if (chars.indexOf(s.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }
}
