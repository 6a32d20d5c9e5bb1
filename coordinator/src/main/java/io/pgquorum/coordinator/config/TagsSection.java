package io.pgquorum.coordinator.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code tags} section. Known tags are interpreted (and stored in {@link Tags#all()} with their interpreted
 * type, so {@code nofailover: "yes"} is published as {@code true}); custom tags are kept as written.
 */
final class TagsSection {
  private TagsSection() {}

  static Tags parse(Section root) {
    Problems problems = root.problems();
    int before = problems.errorCount();
    Optional<Section> section = root.section("tags");
    if (section.isEmpty()) {
      return problems.errorCount() > before ? null : Tags.none();
    }
    Section s = section.get();
    Map<String, Object> all = new LinkedHashMap<>();
    for (String key : s.keys()) {
      if (s.peek(key) == null) {
        problems.warn(s.keyPath(key), "has no value and is ignored");
      } else {
        all.put(key, DynamicConfigParser.freezeValue(s.peek(key)));
      }
    }
    boolean nofailover = bool(s, "nofailover", all);
    boolean noloadbalance = bool(s, "noloadbalance", all);
    boolean clonefrom = bool(s, "clonefrom", all);
    boolean nosync = bool(s, "nosync", all);
    Optional<Long> priority = s.number("failover_priority", "a whole number (0 = never promote)", 0,
        Integer.MAX_VALUE);
    priority.ifPresent(p -> all.put("failover_priority", p.intValue()));
    if (nofailover && priority.isPresent() && priority.get() > 0) {
      problems.warn(s.keyPath("failover_priority"), "is " + priority.get() + " but tags.nofailover is true; "
          + "this node will never be promoted");
    }
    s.unsupported("replicatefrom", "replicas always stream from the leader");
    s.unsupported("nostream", null);
    s.unsupported("sync_priority", null);
    if (problems.errorCount() > before) {
      return null;
    }
    return new Tags(nofailover, noloadbalance, clonefrom, nosync, priority.orElse(1L).intValue(), all);
  }

  private static boolean bool(Section s, String key, Map<String, Object> all) {
    Optional<Boolean> b = s.bool(key);
    b.ifPresent(v -> all.put(key, v));
    return b.orElse(false);
  }
}
