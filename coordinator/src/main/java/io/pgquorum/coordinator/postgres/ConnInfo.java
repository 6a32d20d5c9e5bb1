package io.pgquorum.coordinator.postgres;

import java.util.LinkedHashMap;
import java.util.Map;

/** libpq {@code key=value} connection strings (primary_conninfo, pg_rewind's --source-server). */
final class ConnInfo {
  private ConnInfo() {}

  /** Renders the pairs in order, quoting values that are empty or contain spaces, quotes or backslashes. */
  static String render(Map<String, String> pairs) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, String> e : pairs.entrySet()) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(e.getKey()).append('=').append(quote(e.getValue()));
    }
    return sb.toString();
  }

  static String quote(String value) {
    boolean plain = !value.isEmpty();
    for (int i = 0; i < value.length() && plain; i++) {
      char c = value.charAt(i);
      plain = !(Character.isWhitespace(c) || c == '\'' || c == '\\' || c == '=');
    }
    if (plain) {
      return value;
    }
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  /** Parses a libpq key/value string; lenient (a malformed tail is ignored), since it only reads our own. */
  static Map<String, String> parse(String conninfo) {
    Map<String, String> out = new LinkedHashMap<>();
    int i = 0;
    int n = conninfo.length();
    while (i < n) {
      while (i < n && Character.isWhitespace(conninfo.charAt(i))) {
        i++;
      }
      int eq = conninfo.indexOf('=', i);
      if (i >= n || eq < 0) {
        break;
      }
      String key = conninfo.substring(i, eq).trim();
      i = eq + 1;
      while (i < n && Character.isWhitespace(conninfo.charAt(i))) {
        i++;
      }
      StringBuilder value = new StringBuilder();
      if (i < n && conninfo.charAt(i) == '\'') {
        i++;
        while (i < n && conninfo.charAt(i) != '\'') {
          char c = conninfo.charAt(i);
          if (c == '\\' && i + 1 < n) {
            value.append(conninfo.charAt(i + 1));
            i += 2;
          } else {
            value.append(c);
            i++;
          }
        }
        i++; // closing quote
      } else {
        while (i < n && !Character.isWhitespace(conninfo.charAt(i))) {
          char c = conninfo.charAt(i);
          if (c == '\\' && i + 1 < n) {
            value.append(conninfo.charAt(i + 1));
            i += 2;
          } else {
            value.append(c);
            i++;
          }
        }
      }
      out.put(key, value.toString());
    }
    return out;
  }
}
