package io.pgquorum.pgctl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.dcs.api.DcsConfigException;
import io.pgquorum.dcs.api.DcsRejectedException;
import io.pgquorum.dcs.ratis.MemberStatus;
import io.pgquorum.dcs.ratis.PeerAddress;
import io.pgquorum.dcs.ratis.RatisDcsClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code pgctl dcs members|add|remove}: the Raft membership of the cluster's embedded DCS, for replacing a
 * member that lost its disk and for adding or removing members. Talks to the group as a client, like
 * {@code list}; every change needs a majority of the members.
 */
final class DcsMemberCommands {
  static final List<String> COLUMNS = List.of("Member", "Address", "Role", "Registered", "Last index");
  /** A member id as raft-dcs accepts it (the part before {@code @} in {@code id@host:port}). */
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]+");
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private DcsMemberCommands() {}

  static int run(CommandLine cl, NodeConfig config, Duration timeout, BufferedReader in, PrintStream out) {
    String sub = cl.dcsCommand().orElseThrow();
    // Check the arguments before connecting: a typo should not wait for the network.
    Optional<PeerAddress> toAdd = sub.equals(CommandLine.ADD)
        ? Optional.of(newMember(cl.arguments().get(0), cl.arguments().get(1))) : Optional.empty();
    if (sub.equals(CommandLine.REMOVE)) {
      checkId(cl.arguments().get(0));
    }
    try (RatisDcsClient client = DcsClusterSource.connect(config, timeout)) {
      return switch (sub) {
        case CommandLine.MEMBERS -> members(client, config, cl.format(), out);
        case CommandLine.ADD -> add(client, config, toAdd.orElseThrow(), out);
        case CommandLine.REMOVE -> remove(client, config, cl.arguments().get(0), cl.force(), in, out);
        default -> throw new IllegalStateException(sub);
      };
    } catch (CtlException e) {
      throw e;
    } catch (DcsRejectedException | DcsConfigException e) {
      throw CtlException.failure(DcsClusterSource.firstLine(e));
    } catch (RuntimeException e) {
      throw DcsClusterSource.unreachable(config, timeout, e);
    }
  }

  private static int members(RatisDcsClient client, NodeConfig config, OutputFormat format, PrintStream out) {
    List<MemberStatus> members = client.memberStatus();
    List<List<Object>> rows = new ArrayList<>();
    for (MemberStatus m : members) {
      List<Object> row = new ArrayList<>();
      row.add(m.id());
      row.add(m.address());
      row.add(role(m));
      row.add(m.registered());
      row.add(m.lastIndex().isPresent() ? (Object) m.lastIndex().getAsLong() : "");
      rows.add(row);
    }
    out.print(switch (format) {
      case PRETTY -> TextTable.render(" DCS: " + config.scope() + " ", COLUMNS, Set.of("Last index"),
          rows.stream().map(r -> r.stream().map(DcsMemberCommands::text).toList()).toList());
      case TSV -> String.join("\t", COLUMNS) + "\n" + rows.stream()
          .map(r -> r.stream().map(DcsMemberCommands::text).collect(Collectors.joining("\t")) + "\n")
          .collect(Collectors.joining());
      case JSON -> json(objects(rows, false));
      case YAML -> yaml(objects(rows, true));
    });
    return 0;
  }

  /**
   * The member's own word for its Raft role, capitalised as patronictl's Role column (Leader, Follower,
   * Candidate, Listener); "starting" and "unreachable" are states, not roles, and stay lower case. A listener
   * entry is marked as such whatever it answered.
   */
  private static String role(MemberStatus m) {
    String r = m.role();
    if (List.of("leader", "follower", "candidate", "listener").contains(r)) {
      r = r.substring(0, 1).toUpperCase(Locale.ROOT) + r.substring(1);
    }
    return m.voter() || r.equals("Listener") ? r : r + " (listener)";
  }

  private static String text(Object v) {
    return v instanceof Boolean b ? (b ? "yes" : "no") : String.valueOf(v);
  }

  private static List<Map<String, Object>> objects(List<List<Object>> rows, boolean sorted) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (List<Object> row : rows) {
      Map<String, Object> m = sorted ? new TreeMap<>() : new LinkedHashMap<>();
      for (int i = 0; i < row.size(); i++) {
        if (!"".equals(row.get(i))) {
          m.put(COLUMNS.get(i), row.get(i));
        }
      }
      out.add(m);
    }
    return out;
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the DCS members as JSON", e);
    }
  }

  private static String yaml(Object value) {
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setIndent(2);
    return new Yaml(options).dump(value);
  }

  private static int add(RatisDcsClient client, NodeConfig config, PeerAddress member, PrintStream out) {
    client.addMember(member);
    out.println("Added DCS member " + member.id() + " (" + member.address() + ") to cluster " + config.scope()
        + "; voters now: " + ids(client.members()));
    return 0;
  }

  private static int remove(RatisDcsClient client, NodeConfig config, String id, boolean force, BufferedReader in,
      PrintStream out) {
    RatisDcsClient.Configuration conf = client.configuration();
    PeerAddress member = conf.voters().stream().filter(p -> p.id().equals(id)).findFirst().orElseThrow(() ->
        CtlException.failure("'" + id + "' is not a member of the DCS of cluster " + config.scope()
            + " (members: " + ids(conf.voters()) + ")"));
    if (!force && !confirm("Are you sure you want to remove DCS member " + id + " (" + member.address()
        + ") from cluster " + config.scope() + "?", in, out)) {
      throw CtlException.failure("Aborted!");
    }
    client.removeMember(id);
    out.println("Removed DCS member " + id + " from cluster " + config.scope() + "; voters now: "
        + ids(client.members()) + ". Stop it if it still runs. To bring it back, empty (or move aside) its "
        + "raft.data_dir and start it with --join (raft.join: true).");
    return 0;
  }

  /** click.confirm's prompt: {@code [y/N]: }, anything but y/yes (or end of input) is no. */
  static boolean confirm(String question, BufferedReader in, PrintStream out) {
    out.print(question + " [y/N]: ");
    out.flush();
    String answer;
    try {
      answer = in.readLine();
    } catch (IOException e) {
      answer = null;
    }
    if (answer == null) {
      out.println();
      return false;
    }
    String a = answer.trim().toLowerCase(Locale.ROOT);
    return a.equals("y") || a.equals("yes");
  }

  private static PeerAddress newMember(String id, String hostPort) {
    checkId(id);
    PeerAddress parsed;
    try {
      parsed = PeerAddress.parse("HOST:PORT", hostPort);
    } catch (DcsConfigException e) {
      throw CtlException.usage("invalid value for HOST:PORT: " + DcsClusterSource.firstLine(e));
    }
    if (!parsed.id().equals(parsed.address()) && !parsed.id().equals(id)) {
      throw CtlException.usage("HOST:PORT '" + hostPort + "' names member '" + parsed.id() + "', not ID '" + id
          + "'; pass the address without an id");
    }
    return new PeerAddress(id, parsed.host(), parsed.port());
  }

  private static void checkId(String id) {
    if (!ID.matcher(id).matches()) {
      throw CtlException.usage("invalid value for ID: '" + id + "' (a member id: letters, digits, '.', '_', ':' "
          + "and '-', as before the @ in raft.self_addr, or host:port when it has no id)");
    }
  }

  private static String ids(List<PeerAddress> peers) {
    return peers.stream().map(PeerAddress::id).collect(Collectors.joining(", "));
  }
}
