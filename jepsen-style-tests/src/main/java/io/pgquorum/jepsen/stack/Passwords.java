package io.pgquorum.jepsen.stack;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The cluster's PostgreSQL passwords, fresh per cluster, and their masking: logs and failure messages are
 * printed and saved with reports, the passwords never are.
 */
record Passwords(String superuser, String replication) {
  static Passwords random() {
    return new Passwords(secret(), secret());
  }

  /** {@code text} with both passwords replaced by {@code ***}. */
  String mask(String text) {
    return text.replace(superuser, "***").replace(replication, "***");
  }

  private static String secret() {
    return HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
  }
}
