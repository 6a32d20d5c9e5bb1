package io.pgquorum.dcs.ratis;

import io.pgquorum.dcs.api.DcsConfigException;
import io.pgquorum.dcs.planted.PlantedBugs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How a client reaches the DCS group.
 *
 * @param groupName the group (cluster scope)
 * @param members addresses of the members to try; any reachable subset works, the leader is discovered
 * @param localMember the member that answers {@link io.pgquorum.dcs.api.Dcs#readLocal} (the co-located one),
 *     or empty to use the first of {@code members}
 * @param tls mutual TLS, or empty for plaintext
 * @param operationTimeout hard bound on any one call, after which it throws DcsUnavailableException.
 *     Default 5 s: long enough to ride out a Raft leader election (about 1 s at our election timeouts),
 *     short enough for the HA loop, whose retry_timeout must exceed it.
 * @param requestTimeout how long one RPC attempt to one member may take before the client tries again.
 *     Default 2 s.
 * @param leaseRefresh how this client refreshes leases ({@link LeaseRefreshMode}); default
 *     {@link LeaseRefreshMode#DURABLE}. With {@link LeaseRefreshMode#LEADER_LOCAL} it asks the leader for a
 *     leader-local refresh first and falls back to a logged one when the leader does not serve it; a member's
 *     {@code DcsServer.localClient} inherits the member's mode
 * @param plantedBugs deliberate bugs for the fault-injection harness ({@link PlantedBugs#NONE} normally); a
 *     member's {@code DcsServer.localClient} inherits the member's, the harness sets them on its own clients
 */
public record DcsClientConfig(
    String groupName,
    List<PeerAddress> members,
    Optional<PeerAddress> localMember,
    Optional<TlsFiles> tls,
    Duration operationTimeout,
    Duration requestTimeout,
    LeaseRefreshMode leaseRefresh,
    PlantedBugs plantedBugs) {

  public DcsClientConfig {
    members = List.copyOf(members);
    plantedBugs = plantedBugs == null ? PlantedBugs.NONE : plantedBugs;
    leaseRefresh = leaseRefresh == null ? LeaseRefreshMode.DURABLE : leaseRefresh;
  }

  public static Builder builder() {
    return new Builder();
  }

  public static final class Builder {
    private String groupName;
    private final List<PeerAddress> members = new ArrayList<>();
    private PeerAddress localMember;
    private TlsFiles tls;
    private Duration operationTimeout = Duration.ofSeconds(5);
    private Duration requestTimeout = Duration.ofSeconds(2);
    private PlantedBugs plantedBugs = PlantedBugs.NONE;
    private LeaseRefreshMode leaseRefresh = LeaseRefreshMode.DURABLE;

    public Builder groupName(String v) {
      this.groupName = v;
      return this;
    }

    public Builder members(List<PeerAddress> v) {
      members.clear();
      members.addAll(v);
      return this;
    }

    /** Members from Patroni-style address strings; errors name {@code raft.partner_addrs[i]}. */
    public Builder memberAddrs(List<String> addrs) {
      members.clear();
      for (int i = 0; i < addrs.size(); i++) {
        members.add(PeerAddress.parse("raft.partner_addrs[" + i + "]", addrs.get(i)));
      }
      return this;
    }

    public Builder localMember(PeerAddress v) {
      this.localMember = v;
      return this;
    }

    public Builder tls(TlsFiles v) {
      this.tls = v;
      return this;
    }

    public Builder operationTimeout(Duration v) {
      this.operationTimeout = v;
      return this;
    }

    public Builder requestTimeout(Duration v) {
      this.requestTimeout = v;
      return this;
    }

    /** How leases are refreshed; null means {@link LeaseRefreshMode#DURABLE}. */
    public Builder leaseRefresh(LeaseRefreshMode v) {
      this.leaseRefresh = v;
      return this;
    }

    /** Harness only (see {@link PlantedBugs}); null means none. */
    public Builder plantedBugs(PlantedBugs v) {
      this.plantedBugs = v;
      return this;
    }

    public DcsClientConfig build() {
      if (groupName == null || groupName.isBlank()) {
        throw new DcsConfigException("group name (scope) is required");
      }
      if (members.isEmpty()) {
        throw new DcsConfigException("at least one DCS member address is required");
      }
      if (operationTimeout == null || operationTimeout.toMillis() < 100) {
        throw new DcsConfigException("operation timeout must be >= 100 ms, got " + operationTimeout);
      }
      if (requestTimeout == null || requestTimeout.toMillis() < 50) {
        throw new DcsConfigException("request timeout must be >= 50 ms, got " + requestTimeout);
      }
      if (tls != null) {
        tls.validate("raft.tls");
      }
      return new DcsClientConfig(groupName, members, Optional.ofNullable(localMember), Optional.ofNullable(tls),
          operationTimeout, requestTimeout, leaseRefresh, plantedBugs);
    }
  }
}
