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
    Optional<Section> section = root.section(TagsKeys.TABLE.prefix());
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
    boolean nofailover = bool(s, TagsKeys.NOFAILOVER, all);
    boolean noloadbalance = bool(s, TagsKeys.NOLOADBALANCE, all);
    boolean clonefrom = bool(s, TagsKeys.CLONEFROM, all);
    boolean nosync = bool(s, TagsKeys.NOSYNC, all);
    bool(s, TagsKeys.NOSTREAM, all); // read from all() (Tags#nostream), as the member key carries it
    // Kept as text in all(): the member key carries it (Patroni's), and the other nodes read it from there.
    s.string(TagsKeys.REPLICATEFROM).ifPresent(v -> all.put(TagsKeys.REPLICATEFROM.name(), v));
    // Kept in all() only (Tags#syncPriority): the member key carries it, and the primary reads it from there.
    s.number(TagsKeys.SYNC_PRIORITY).ifPresent(p -> all.put(TagsKeys.SYNC_PRIORITY.name(), p.intValue()));
    ConfigKey priorityKey = TagsKeys.FAILOVER_PRIORITY;
    Optional<Long> priority = s.number(priorityKey);
    priority.ifPresent(p -> all.put(priorityKey.name(), p.intValue()));
    if (nofailover && priority.isPresent() && priority.get() > 0) {
      problems.warn(s.keyPath(priorityKey), "is " + priority.get() + " but " + TagsKeys.NOFAILOVER.path()
          + " is true; this node will never be promoted");
    }
    s.unsupported(TagsKeys.TABLE.keys(ConfigKey.Support.IGNORED));
    if (problems.errorCount() > before) {
      return null;
    }
    return new Tags(nofailover, noloadbalance, clonefrom, nosync, priority.orElse(priorityKey.defaultLong()).intValue(),
        all);
  }

  private static boolean bool(Section s, ConfigKey key, Map<String, Object> all) {
    Optional<Boolean> b = s.bool(key);
    b.ifPresent(v -> all.put(key.name(), v));
    return b.orElse(key.defaultBool());
  }
}
