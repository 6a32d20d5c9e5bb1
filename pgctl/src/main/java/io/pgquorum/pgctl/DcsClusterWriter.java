package io.pgquorum.pgctl;

import io.pgquorum.coordinator.cluster.DcsKeys;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.dcs.api.Precondition;
import io.pgquorum.dcs.ratis.RatisDcsClient;
import java.time.Duration;

/** {@link ClusterWriter} on the cluster's DCS, as a client of its Raft group (see {@link DcsClusterSource}). */
final class DcsClusterWriter implements ClusterWriter {
  private final Duration timeout;

  DcsClusterWriter(Duration timeout) {
    this.timeout = timeout;
  }

  @Override
  public long removeCluster(NodeConfig config) {
    // keyPrefix ends with "/": cluster "demo" never takes "demo2"'s keys with it.
    try (RatisDcsClient client = DcsClusterSource.connect(config, timeout)) {
      return client.deletePrefix(config.keyPrefix());
    } catch (CtlException e) {
      throw e;
    } catch (RuntimeException e) {
      throw DcsClusterSource.unreachable(config, timeout, e);
    }
  }

  @Override
  public boolean clearFailover(NodeConfig config, long revision) {
    try (RatisDcsClient client = DcsClusterSource.connect(config, timeout)) {
      return client.put(new DcsKeys(config.keyPrefix()).failover(), "{}", Precondition.modRevision(revision), null)
          .succeeded();
    } catch (CtlException e) {
      throw e;
    } catch (RuntimeException e) {
      throw DcsClusterSource.unreachable(config, timeout, e);
    }
  }
}
