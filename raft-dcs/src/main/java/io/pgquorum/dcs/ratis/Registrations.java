package io.pgquorum.dcs.ratis;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * The DCS's record of which members have (had) a Raft log in this group: one key per member id, written through
 * the group (so it is committed on a majority) before the member can first acknowledge an entry as a voter, and
 * kept while it is a member. A member that finds no Raft log in its {@code raft.data_dir} but is registered has
 * lost its log, and must not vote with an empty one (see {@link MemberBoot}).
 *
 * <p>The keys live outside every Patroni key layout: the coordinator's keys all start with {@code /} (its
 * namespace is always {@code /<namespace>/<scope>/}), these start with {@code _pgquorum/}, so no prefix read,
 * watch or delete of the cluster's keys ever sees them.
 */
public final class Registrations {
  /** Prefix of every registration key. */
  public static final String PREFIX = "_pgquorum/dcs-members/";

  private Registrations() {}

  /** The registration key of member {@code memberId}. */
  public static String key(String memberId) {
    return PREFIX + memberId;
  }

  /** The member id a registration key belongs to, if it is one. */
  public static Optional<String> memberOf(String key) {
    return key.startsWith(PREFIX) && key.length() > PREFIX.length()
        ? Optional.of(key.substring(PREFIX.length())) : Optional.empty();
  }

  /**
   * The value: where the member was and how it came to have a log (for people reading the DCS; nothing parses
   * it back). {@code how} is one of founder, late-founder, joined, added, running.
   */
  static String value(PeerAddress member, String how) {
    return "{\"address\": \"" + member.address() + "\", \"how\": \"" + how + "\", \"at\": \""
        + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "\"}";
  }
}
