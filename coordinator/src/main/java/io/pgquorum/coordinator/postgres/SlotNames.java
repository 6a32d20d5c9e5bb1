package io.pgquorum.coordinator.postgres;

import java.util.Locale;

/**
 * Physical replication slot names for members. PostgreSQL allows only {@code [a-z0-9_]} and at most 63
 * characters, while member names are free-form; every node must map a member to the same slot name, so this is
 * the one place that does it (Patroni's rule: lower case, anything else becomes {@code _}, truncate to 63).
 */
public final class SlotNames {
  /** NAMEDATALEN - 1. */
  public static final int MAX_LENGTH = 63;

  private SlotNames() {}

  /** The slot the primary keeps for {@code memberName}, and the replica's {@code primary_slot_name}. */
  public static String forMember(String memberName) {
    String lower = memberName.toLowerCase(Locale.ROOT);
    StringBuilder sb = new StringBuilder(lower.length());
    for (int i = 0; i < lower.length(); i++) {
      char c = lower.charAt(i);
      sb.append((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ? c : '_');
    }
    return sb.length() > MAX_LENGTH ? sb.substring(0, MAX_LENGTH) : sb.toString();
  }
}
