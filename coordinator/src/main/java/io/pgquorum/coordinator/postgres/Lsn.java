package io.pgquorum.coordinator.postgres;

/** WAL positions: PostgreSQL's {@code X/Y} text form and the byte offset pgquorum reports and compares. */
final class Lsn {
  private Lsn() {}

  /** Parses {@code 16/B374D848} into its byte offset. */
  static long parse(String text) {
    String s = text.trim();
    int slash = s.indexOf('/');
    if (slash <= 0 || slash == s.length() - 1) {
      throw new IllegalArgumentException("not a WAL location: " + text);
    }
    long hi = Long.parseLong(s.substring(0, slash), 16);
    long lo = Long.parseLong(s.substring(slash + 1), 16);
    return (hi << 32) | lo;
  }

  static String format(long lsn) {
    return Long.toHexString(lsn >>> 32).toUpperCase() + "/" + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase();
  }
}
