package io.pgquorum.coordinator.ha;

/** PostgreSQL version numbers (server_version_num) as people write them. */
final class PgVersions {
  private PgVersions() {}

  /** 150004 → "15.4", 90603 → "9.6.3". */
  static String display(int num) {
    int major = num / 10000;
    if (major >= 10) {
      return major + "." + num % 10000;
    }
    return major + "." + (num / 100) % 100 + "." + num % 100;
  }
}
