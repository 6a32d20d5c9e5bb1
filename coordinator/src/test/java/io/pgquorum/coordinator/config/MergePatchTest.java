package io.pgquorum.coordinator.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** RFC 7386 merge patch, as PATCH /config applies it. */
class MergePatchTest {

  @Test
  void aValueReplacesNullDeletesAndNewKeysComeLast() {
    Map<String, Object> target = ordered("ttl", 8, "loop_wait", 1, "pause", true);
    Map<String, Object> patch = new HashMap<>();
    patch.put("ttl", 20);
    patch.put("pause", null);
    patch.put("retry_timeout", 3);
    assertThat(MergePatch.apply(target, patch)).containsExactly(Map.entry("ttl", 20), Map.entry("loop_wait", 1),
        Map.entry("retry_timeout", 3));
    assertThat(target).containsEntry("pause", true).containsEntry("ttl", 8); // the input is untouched
  }

  @Test
  void objectsMergeRecursivelyAndNullDeletesInside() {
    Map<String, Object> target = ordered("postgresql", ordered("use_slots", true,
        "parameters", ordered("max_connections", 100, "work_mem", "4MB")));
    Map<String, Object> params = new HashMap<>();
    params.put("work_mem", null);
    params.put("pg_stat_statements.max", 1000);
    Map<String, Object> patch = ordered("postgresql", ordered("parameters", params));
    assertThat(MergePatch.apply(target, patch)).isEqualTo(ordered("postgresql", ordered("use_slots", true,
        "parameters", ordered("max_connections", 100, "pg_stat_statements.max", 1000))));
  }

  @Test
  void anObjectReplacesAScalarAndAListIsReplacedWhole() {
    Map<String, Object> target = ordered("standby_cluster", "none", "pg_hba", List.of("a", "b"));
    Map<String, Object> patch = ordered("standby_cluster", ordered("host", "h"), "pg_hba", List.of("c"));
    assertThat(MergePatch.apply(target, patch)).isEqualTo(ordered("standby_cluster", ordered("host", "h"),
        "pg_hba", List.of("c")));
  }

  @Test
  void deletingAnAbsentKeyChangesNothing() {
    Map<String, Object> patch = new HashMap<>();
    patch.put("pause", null);
    assertThat(MergePatch.apply(ordered("ttl", 8), patch)).isEqualTo(ordered("ttl", 8));
  }

  private static Map<String, Object> ordered(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }
}
