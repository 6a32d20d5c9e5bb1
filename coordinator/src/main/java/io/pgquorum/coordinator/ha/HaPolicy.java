package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.Tags;

/**
 * The settings the decision depends on: this node's name and tags, and the cluster's dynamic configuration in
 * force this cycle (from the DCS {@code config} key, or bootstrap.dcs until that exists).
 */
public record HaPolicy(String name, Tags tags, DynamicConfig dynamic) {}
