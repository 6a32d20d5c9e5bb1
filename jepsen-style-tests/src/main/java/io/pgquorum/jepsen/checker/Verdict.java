package io.pgquorum.jepsen.checker;

/** A checker's answer. UNKNOWN means the checker gave up (for example a search budget ran out), not "valid". */
public enum Verdict {
  VALID, INVALID, UNKNOWN
}
