package io.pgquorum.coordinator.cluster;

/** A decoded DCS value with the revision it was last modified at (for compare-and-set). */
public record Versioned<T>(T value, long modRevision) {}
