package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.Tags;
import io.pgquorum.dcs.planted.PlantedBugs;

/**
 * The settings the decision depends on: this node's name, tags and own settings ({@link NodeSettings}), the
 * cluster's dynamic configuration in force this cycle (from the DCS {@code config} key, or bootstrap.dcs until
 * that exists), and the planted bugs (none outside the fault-injection harness; see {@link PlantedBugs}).
 */
public record HaPolicy(String name, Tags tags, DynamicConfig dynamic, PlantedBugs bugs, NodeSettings node) {
  /** Without planted bugs: every production path and most tests. */
  public HaPolicy(String name, Tags tags, DynamicConfig dynamic) {
    this(name, tags, dynamic, PlantedBugs.NONE);
  }

  /** With default node settings, bootstrap.dcs being {@code dynamic} (decision tests). */
  public HaPolicy(String name, Tags tags, DynamicConfig dynamic, PlantedBugs bugs) {
    this(name, tags, dynamic, bugs, NodeSettings.defaults(dynamic));
  }
}
