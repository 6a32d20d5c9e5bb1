package io.pgquorum.dcs.ratis;

import io.pgquorum.dcs.api.DcsConfigException;
import io.pgquorum.dcs.planted.PlantedBugs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * How to start one DCS member. Field names follow Patroni's {@code raft:} section, and validation errors
 * name the key as it appears there ({@code raft.self_addr}, {@code raft.partner_addrs[2]}, ...).
 *
 * @param groupName the Raft group's name (pgquorum uses the cluster {@code scope}); members with different
 *     names never talk to each other, and a data dir remembers the group it belongs to
 * @param self this member's id and the address its partners dial ({@code self_addr})
 * @param bindHost the interface the member listens on ({@code bind_addr}; defaults to self's host)
 * @param bindPort the port it listens on (defaults to self's port)
 * @param partners the other initial members ({@code partner_addrs}); ignored once the group's membership
 *     is recorded in the member's log (later changes are made with membership operations)
 * @param dataDir where the Raft log, snapshots and the ownership marker live ({@code data_dir})
 * @param joining {@code raft.join}: on an empty data dir, never found a group or resume as a voter; join the
 *     existing group as a new member through a membership change (through the partners; without partners,
 *     wait until a member of the group adds this one). Ignored, with a warning, when the data dir holds this
 *     member's log: it then starts from it as usual. See {@link MemberBoot}
 * @param tls mutual TLS for every connection, or empty for plaintext
 * @param tuning timing and size knobs
 * @param insecure the operator accepts plaintext member traffic on non-loopback addresses
 *     ({@code raft.insecure}); without TLS and without this, such a member refuses to start (see
 *     {@link PlaintextGuard})
 * @param plantedBugs deliberate bugs for the fault-injection harness ({@link PlantedBugs#NONE} normally); set only
 *     by the harness's entry points, never from a configuration file (see {@link PlantedBugs})
 */
public record DcsServerConfig(
    String groupName,
    PeerAddress self,
    String bindHost,
    int bindPort,
    List<PeerAddress> partners,
    Path dataDir,
    boolean joining,
    Optional<TlsFiles> tls,
    DcsTuning tuning,
    boolean insecure,
    PlantedBugs plantedBugs) {

  public DcsServerConfig {
    partners = List.copyOf(partners);
    plantedBugs = plantedBugs == null ? PlantedBugs.NONE : plantedBugs;
  }

  /** Starts a builder from Patroni-style strings; {@link Builder#build()} validates everything. */
  public static Builder builder() {
    return new Builder();
  }

  /** This configuration with {@code bugs} planted (harness entry points only, see {@link PlantedBugs}). */
  public DcsServerConfig withPlantedBugs(PlantedBugs bugs) {
    return new DcsServerConfig(groupName, self, bindHost, bindPort, partners, dataDir, joining, tls, tuning,
        insecure, bugs);
  }

  /** All members of the initial configuration, self first. */
  public List<PeerAddress> initialMembers() {
    List<PeerAddress> all = new ArrayList<>();
    all.add(self);
    all.addAll(partners);
    return all;
  }

  /** Builder with validation that names the offending key. */
  public static final class Builder {
    private String groupName;
    private String selfAddr;
    private String bindAddr;
    private List<String> partnerAddrs = List.of();
    private Path dataDir;
    private boolean joining;
    private TlsFiles tls;
    private DcsTuning tuning = DcsTuning.defaults();
    private boolean insecure;
    private PlantedBugs plantedBugs = PlantedBugs.NONE;

    public Builder groupName(String v) {
      this.groupName = v;
      return this;
    }

    public Builder selfAddr(String v) {
      this.selfAddr = v;
      return this;
    }

    public Builder bindAddr(String v) {
      this.bindAddr = v;
      return this;
    }

    public Builder partnerAddrs(List<String> v) {
      this.partnerAddrs = v == null ? List.of() : v;
      return this;
    }

    public Builder dataDir(Path v) {
      this.dataDir = v;
      return this;
    }

    public Builder joining(boolean v) {
      this.joining = v;
      return this;
    }

    public Builder tls(TlsFiles v) {
      this.tls = v;
      return this;
    }

    public Builder tuning(DcsTuning v) {
      this.tuning = v;
      return this;
    }

    /** Accept plaintext member traffic on non-loopback addresses ({@code raft.insecure}); default false. */
    public Builder insecure(boolean v) {
      this.insecure = v;
      return this;
    }

    /** Harness entry points only (see {@link PlantedBugs}); null means none. */
    public Builder plantedBugs(PlantedBugs v) {
      this.plantedBugs = v;
      return this;
    }

    public DcsServerConfig build() {
      if (groupName == null || !groupName.matches("[A-Za-z0-9._-]{1,64}")) {
        throw new DcsConfigException("group name (scope) '" + groupName
            + "' must be 1-64 characters of letters, digits, '.', '_' or '-'");
      }
      PeerAddress self = PeerAddress.parse("raft.self_addr", selfAddr);
      String bindHost = self.host();
      int bindPort = self.port();
      if (bindAddr != null && !bindAddr.isBlank()) {
        PeerAddress bind = PeerAddress.parse("raft.bind_addr", bindAddr);
        if (!bind.id().equals(bind.address())) {
          throw new DcsConfigException("raft.bind_addr = '" + bindAddr + "' must be host:port without an id");
        }
        bindHost = bind.host();
        bindPort = bind.port();
      }
      List<PeerAddress> partners = new ArrayList<>();
      Set<String> ids = new HashSet<>(Set.of(self.id()));
      Set<String> addresses = new HashSet<>(Set.of(self.address()));
      for (int i = 0; i < partnerAddrs.size(); i++) {
        String key = "raft.partner_addrs[" + i + "]";
        PeerAddress p = PeerAddress.parse(key, partnerAddrs.get(i));
        if (p.address().equals(self.address()) || p.id().equals(self.id())) {
          throw new DcsConfigException(key + " = '" + partnerAddrs.get(i)
              + "' is this member itself (raft.self_addr = '" + selfAddr + "'); list only the other members");
        }
        if (!addresses.add(p.address()) || !ids.add(p.id())) {
          throw new DcsConfigException(key + " = '" + partnerAddrs.get(i) + "' appears more than once");
        }
        partners.add(p);
      }
      if (dataDir == null) {
        throw new DcsConfigException("raft.data_dir is required");
      }
      if (tls != null) {
        tls.validate("raft.tls");
      }
      if (tuning == null) {
        throw new DcsConfigException("tuning must not be null");
      }
      tuning.validate();
      return new DcsServerConfig(groupName, self, bindHost, bindPort, partners, dataDir, joining,
          Optional.ofNullable(tls), tuning, insecure, plantedBugs);
    }
  }
}
