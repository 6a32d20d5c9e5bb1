package io.pgquorum.coordinator.cluster;

/**
 * The {@code initialize} key.
 *
 * @param systemIdentifier the cluster's database system identifier; "" while the race winner bootstraps
 * @param modRevision for compare-and-set
 * @param owner the member that created it (the bootstrap race winner)
 */
public record Initialize(String systemIdentifier, long modRevision, String owner) {
  public boolean bootstrapInProgress() {
    return systemIdentifier.isEmpty();
  }
}
