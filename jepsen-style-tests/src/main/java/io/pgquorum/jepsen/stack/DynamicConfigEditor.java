package io.pgquorum.jepsen.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgquorum.dcs.api.Dcs;
import io.pgquorum.dcs.api.KeyValue;
import io.pgquorum.dcs.api.Precondition;
import io.pgquorum.dcs.api.WriteResult;
import io.pgquorum.dcs.ratis.DcsClientConfig;
import io.pgquorum.dcs.ratis.PeerAddress;
import io.pgquorum.dcs.ratis.RatisDcsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The nemesis's hand on the cluster's dynamic configuration: edits one key of the DCS {@code config} key as an
 * operator's {@code edit-config} would, through the harness's own DCS client.
 *
 * <p>The client dials every member directly on the address the harness uses for it (never through the link
 * proxies or across a cut), under the member's own peer id so that the members' leader hints map onto these
 * addresses: like the workload's clients, the nemesis stands outside the partition. A write therefore fails only
 * when no majority of members is alive and running.
 *
 * <p>Each edit is a compare-and-set on the key's revision (retried when a daemon wrote the key in between), and
 * keeps every other field of the stored JSON as it was.
 */
final class DynamicConfigEditor implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ATTEMPTS = 5;

  private final Dcs client;
  private final String configKey;

  /**
   * @param group the DCS group (the cluster's scope)
   * @param members each member as {@code (raft.self_addr as its peer id, the host and port the harness dials)}
   * @param configKey the full DCS key, e.g. {@code /service/jepsen/config}
   */
  DynamicConfigEditor(String group, List<PeerAddress> members, String configKey) {
    this.client = RatisDcsClient.connect(DcsClientConfig.builder()
        .groupName(group)
        .members(members)
        .operationTimeout(Duration.ofSeconds(5))
        .requestTimeout(Duration.ofSeconds(2))
        .build(), "jepsen-nemesis");
    this.configKey = configKey;
  }

  /** Over a given client (unit tests, with the in-memory DCS). */
  DynamicConfigEditor(Dcs client, String configKey) {
    this.client = client;
    this.configKey = configKey;
  }

  /** The member list for {@link #DynamicConfigEditor}: peer ids from the self addresses, harness addresses. */
  static List<PeerAddress> members(List<String> raftSelf, List<String> harnessHosts, List<Integer> raftPorts) {
    List<PeerAddress> out = new ArrayList<>();
    for (int i = 0; i < raftSelf.size(); i++) {
      String id = PeerAddress.parse("raft.self_addr of node " + (i + 1), raftSelf.get(i)).id();
      out.add(new PeerAddress(id, harnessHosts.get(i), raftPorts.get(i)));
    }
    return out;
  }

  /**
   * Sets {@code key} to {@code value} (removes it when empty) and returns the value it had.
   *
   * @throws IllegalStateException when the config key does not exist or is not a JSON object, or the
   *     compare-and-set keeps losing
   */
  OptionalLong set(String key, OptionalLong value) {
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      KeyValue current = client.get(configKey).orElseThrow(() -> new IllegalStateException(
          "cannot edit " + key + ": the cluster has no " + configKey + " key yet"));
      JsonNode parsed;
      try {
        parsed = JSON.readTree(current.value());
      } catch (java.io.IOException e) {
        throw new IllegalStateException("cannot edit " + key + ": " + configKey + " is not JSON: " + e.getMessage());
      }
      if (!(parsed instanceof ObjectNode obj)) {
        throw new IllegalStateException("cannot edit " + key + ": " + configKey + " is not a JSON object");
      }
      JsonNode old = obj.get(key);
      if (old != null && old.isNumber() && !old.isIntegralNumber() && old.asDouble() != Math.rint(old.asDouble())) {
        // Timing keys accept fractions of a second now; this fault edits and restores whole numbers only, and would
        // restore 4.5 as 4: refuse rather than change the operator's setting behind the trial's back.
        throw new IllegalStateException("cannot edit " + key + ": it holds " + old + ", a fraction this fault cannot "
            + "restore (it edits whole numbers)");
      }
      OptionalLong was = old != null && old.canConvertToLong() ? OptionalLong.of(old.asLong())
          : OptionalLong.empty();
      if (value.isPresent()) {
        obj.put(key, value.getAsLong());
      } else {
        obj.remove(key);
      }
      WriteResult r = client.put(configKey, obj.toString(), Precondition.modRevision(current.modRevision()), null);
      if (r.succeeded()) {
        return was;
      }
    }
    throw new IllegalStateException("cannot edit " + key + ": " + configKey + " kept changing under the "
        + "compare-and-set (" + ATTEMPTS + " attempts)");
  }

  /** The stored value of {@code key}, when present. */
  Optional<String> raw() {
    return client.get(configKey).map(KeyValue::value);
  }

  @Override
  public void close() {
    client.close();
  }
}
