package io.pgquorum.bench.failover;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the DCS's Raft leadership is when pgquorum's primary node is killed (issue 15). Killing the node that also
 * leads the Raft group costs a Raft election first, and the new leader restarts the lock's lease at its full ttl
 * from that election; with leadership on a survivor the lease keeps counting from the last refresh. pgquorum keeps
 * leadership off the primary's node by default ({@code raft_leadership_off_primary}); the bench measures both cases.
 */
public enum RaftLeaderPlacement {
  /** The feature at its default: the primary's node hands Raft leadership away; checked before every kill. */
  OFF_PRIMARY("raftlead-off-primary", null),
  /**
   * The case the feature avoids: {@code raft_leadership_off_primary: false}, and the bench hands Raft leadership to
   * the primary's member before every kill.
   */
  ON_PRIMARY("raftlead-on-primary", "{\"raft_leadership_off_primary\":false}");

  /** The dynamic key. */
  static final String KEY = "raft_leadership_off_primary";

  private final String variantName;
  private final String patchBody;

  RaftLeaderPlacement(String variantName, String patchBody) {
    this.variantName = variantName;
    this.patchBody = patchBody;
  }

  /** The results' variant name. */
  public String variantName() {
    return variantName;
  }

  /** pgquorum's defaults (Variant#pgquorumDefaults, three nodes) under this placement's name. */
  public Variant variant() {
    return Variant.pgquorumDefaults(3).withName(variantName);
  }

  /** The {@code PATCH /config} body this placement needs, or null when it runs at the defaults. */
  public String patchBody() {
    return patchBody;
  }

  /** The value of {@value #KEY} this placement runs with. */
  public boolean featureOn() {
    return this == OFF_PRIMARY;
  }

  /**
   * null when the dynamic configuration {@code config} ({@code GET /config}) has the feature as this placement
   * needs it (absent means the default, on), else why not.
   */
  public String configProblem(JsonNode config) {
    JsonNode v = config.get(KEY);
    boolean on = v == null || v.isNull() || v.asBoolean(true);
    return on == featureOn() ? null : "GET /config has " + KEY + " " + (v == null ? "absent (default true)" : v)
        + ", not " + featureOn();
  }

  /**
   * null when the members' own reports ({@code roles}, member id to role, see {@code RatisDcsClient.roles()}) show
   * this placement for the primary's member {@code primaryId}, else why not. Off the primary: the primary's member
   * is not leader and exactly one other member is. On the primary: it is the only member that says leader.
   */
  public String placementProblem(Map<String, String> roles, String primaryId) {
    String own = roles.get(primaryId);
    long othersLeading = roles.entrySet().stream()
        .filter(e -> !e.getKey().equals(primaryId) && e.getValue().equals("leader")).count();
    boolean ok = this == OFF_PRIMARY ? !"leader".equals(own) && othersLeading == 1
        : "leader".equals(own) && othersLeading == 0;
    return ok ? null : "primary's member " + primaryId + " says " + own + "; roles " + new TreeMap<>(roles);
  }
}
