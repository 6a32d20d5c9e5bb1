package io.pgquorum.pgctl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.pgquorum.coordinator.cluster.ClusterCodec;
import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.DcsKeys;
import io.pgquorum.coordinator.cluster.Member;
import io.pgquorum.coordinator.config.ConfigException;
import io.pgquorum.coordinator.config.ConfigLoader;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.dcs.api.KeyValue;
import io.pgquorum.dcs.api.Precondition;
import io.pgquorum.dcs.api.WriteResult;
import io.pgquorum.dcs.ratis.RatisDcsClient;
import java.io.BufferedReader;
import java.io.PrintStream;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code pgctl promote-cluster} and {@code pgctl demote-cluster} (patronictl 4.1's): turn a standby cluster into
 * one with its own primary by removing {@code standby_cluster} from the dynamic configuration, or the reverse by
 * writing that section. The coordinators do the rest (the lock holder becomes a primary or a standby leader on
 * its next cycle); pgctl then waits, printing progress every {@link #POLL}, until the leader runs in its new role.
 *
 * <p>The {@code config} key is rewritten with a compare-and-set on the revision it was read at, so a change
 * someone else makes in between (an operator, {@code PATCH /config}) is never overwritten: pgctl re-reads and
 * applies its change to the newer document, a few times at most. Every other key of the document is kept as
 * stored, including keys pgquorum does not interpret.
 */
final class ClusterRoleCommands {
  /** Patroni polls once a second while it waits for the new role. */
  static final Duration POLL = Duration.ofSeconds(1);
  /** Compare-and-set attempts before giving up: each loss means someone else changed the key meanwhile. */
  static final int ATTEMPTS = 5;
  private static final String SECTION = "standby_cluster";
  private static final String PRIMARY = "primary";
  private static final String STANDBY_LEADER = "standby_leader";
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  private ClusterRoleCommands() {}

  /**
   * Runs {@code cl} (promote-cluster or demote-cluster) against the cluster of {@code config}.
   *
   * @param poll the pause between two checks of the cluster while waiting for the new role
   */
  static int run(CommandLine cl, NodeConfig config, Duration timeout, Duration poll, BufferedReader in,
      PrintStream out) {
    boolean demote = cl.command().orElseThrow().equals(CommandLine.DEMOTE_CLUSTER);
    String action = demote ? "demot" : "promot";
    String scope = config.scope();
    // Check the options before connecting: a typo should not wait for the network.
    Optional<Map<String, Object>> section = demote ? Optional.of(standbySection(cl.standby())) : Optional.empty();
    String target = demote ? STANDBY_LEADER : PRIMARY;
    DcsKeys keys = new DcsKeys(config.keyPrefix());
    try (RatisDcsClient client = DcsClusterSource.connect(config, timeout)) {
      ClusterSnapshot cluster = read(client, config);
      String leaderName = cluster.leader().orElseThrow(() ->
          CtlException.failure("Cluster has no leader, " + action + "ion is not possible")).name();
      if (cluster.leaderMember().map(m -> target.equals(m.role())).orElse(false)) {
        throw CtlException.failure("Cluster is already in the required state");
      }
      out.println("Current cluster topology");
      out.print(table(scope, cluster));
      if (!cl.force() && !DcsMemberCommands.confirm("Are you sure you want to " + action + "e " + scope
          + " cluster?", in, out)) {
        throw CtlException.failure("Aborted cluster " + action + "ion");
      }
      try {
        rewrite(client, keys.config(), section);
      } catch (CtlException e) {
        throw CtlException.failure("Failed to " + action + "e " + scope + " cluster: " + e.getMessage());
      }
      while (true) {
        cluster = read(client, config);
        Optional<Member> leader = cluster.leaderMember();
        Optional<Member> old = cluster.member(leaderName);
        boolean unlocked = cluster.isUnlocked();
        if (!unlocked && leader.map(m -> target.equals(m.role()) && m.isRunning()).orElse(false)
            && (!demote || old.map(Member::isRunning).orElse(false))) {
          out.println(LocalDateTime.now().format(TIME) + " cluster is successfully " + action + "ed");
          break;
        }
        StringBuilder line = new StringBuilder(LocalDateTime.now().format(TIME))
            .append(" cluster is unlocked: ").append(unlocked ? "True" : "False")
            .append(", leader role: ").append(leader.map(Member::role).orElse("None"))
            .append(", leader state: ").append(leader.map(Member::state).orElse("None"));
        if (demote && cluster.leader().isPresent() && !cluster.isLeader(leaderName) && old.isPresent()) {
          line.append(", previous leader state: '").append(old.get().state()).append('\'');
        }
        out.println(line);
        out.flush();
        sleep(poll);
      }
      out.print(table(scope, cluster));
      out.flush();
      return 0;
    } catch (CtlException e) {
      throw e;
    } catch (RuntimeException e) {
      throw DcsClusterSource.unreachable(config, timeout, e);
    }
  }

  /**
   * demote-cluster's {@code standby_cluster} section from its options, checked by the coordinator's own rules,
   * so a value the coordinators would refuse (and then ignore the whole configuration for) is never written.
   * Empty values are left out, as patronictl does.
   */
  static Map<String, Object> standbySection(Map<String, String> options) {
    Map<String, Object> section = new LinkedHashMap<>();
    options.forEach((key, value) -> {
      if (!value.isEmpty()) {
        section.put(key, key.equals("port") ? (Object) Integer.valueOf(value.trim()) : value);
      }
    });
    if (!section.containsKey("host") && !section.containsKey("port") && !section.containsKey("restore_command")) {
      throw CtlException.failure("At least --host, --port or --restore-command should be specified");
    }
    Map<String, Object> alone = new LinkedHashMap<>();
    alone.put(SECTION, section);
    validate(alone);
    return section;
  }

  /** The coordinator's verdict on a whole config document; problems with an option's key name the option. */
  private static void validate(Map<String, Object> document) {
    try {
      ConfigLoader.parseDynamic(document, "config", new ArrayList<>());
    } catch (ConfigException e) {
      List<String> problems = new ArrayList<>();
      for (String p : e.problems()) {
        String named = p;
        for (Map.Entry<String, String> o : CommandLine.STANDBY_OPTIONS.entrySet()) {
          String key = "config." + SECTION + "." + o.getValue();
          if (named.startsWith(key + ":")) {
            named = o.getKey() + named.substring(key.length());
          }
          named = named.replace(key, o.getKey());
        }
        problems.add(named);
      }
      throw CtlException.failure(String.join("; ", problems));
    }
  }

  /**
   * Writes the config key with {@code section} as its standby_cluster (removed when empty), every other key as
   * stored, by compare-and-set on the revision read; a lost compare-and-set re-reads and tries again.
   */
  private static void rewrite(RatisDcsClient client, String key, Optional<Map<String, Object>> section) {
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      Optional<KeyValue> current = client.get(key);
      LinkedHashMap<String, Object> document = current.map(kv -> parse(kv.value())).orElseGet(LinkedHashMap::new);
      if (section.isEmpty() && !document.containsKey(SECTION)) {
        return; // nothing to remove: the cluster already runs without the section and just has to catch up
      }
      if (section.isPresent()) {
        document.put(SECTION, section.get());
      } else {
        document.remove(SECTION);
      }
      validate(document);
      Precondition cas = current.map(kv -> Precondition.modRevision(kv.modRevision())).orElse(Precondition.absent());
      WriteResult r = client.put(key, json(document), cas, null);
      if (r.succeeded()) {
        return;
      }
      if (r.outcome() != WriteResult.Outcome.CONDITION_FAILED) {
        throw CtlException.failure("the DCS refused the write of " + key + ": " + r.outcome() + " " + r.detail());
      }
    }
    throw CtlException.failure("the config key kept changing while pgctl rewrote it (" + ATTEMPTS + " attempts); "
        + "nothing was changed, try again");
  }

  private static LinkedHashMap<String, Object> parse(String value) {
    try {
      LinkedHashMap<String, Object> doc = JSON.readValue(value, MAP);
      if (doc == null) {
        throw CtlException.failure("the config key holds JSON null, not the dynamic configuration; fix it first");
      }
      return doc;
    } catch (JsonProcessingException e) {
      throw CtlException.failure("the config key is not a JSON object (" + e.getOriginalMessage()
          + "); fix it first");
    }
  }

  /** The config key's document as stored (also {@link ConfigCommands}' writes). */
  static String json(Map<String, Object> document) {
    try {
      return JSON.writeValueAsString(document);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the config key as JSON", e);
    }
  }

  /** One linearizable read of the cluster's keys (also {@link ConfigCommands}'). */
  static ClusterSnapshot read(RatisDcsClient client, NodeConfig config) {
    return new ClusterCodec(new DcsKeys(config.keyPrefix())).decode(client.read(config.keyPrefix()));
  }

  private static String table(String scope, ClusterSnapshot cluster) {
    ClusterView view = ClusterView.of(scope, cluster);
    return MemberOutput.render(view, MemberTable.of(view, false, false), OutputFormat.PRETTY);
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CtlException.failure("interrupted while waiting for the cluster; the configuration is changed");
    }
  }
}
