package io.pgquorum.dcs.statemachine;

import com.google.protobuf.InvalidProtocolBufferException;
import io.pgquorum.dcs.proto.Command;
import io.pgquorum.dcs.proto.Entry;
import io.pgquorum.dcs.proto.Reply;
import io.pgquorum.dcs.proto.Session;
import io.pgquorum.dcs.proto.Snapshot;
import io.pgquorum.testkit.datadriven.TestCase;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Runs one transcript's directives against one or more {@link KvStore} members (the vocabulary is documented on
 * {@link KvStoreTranscriptTest}). State carries over from directive to directive, as a log does.
 */
final class KvStoreDriver {
  static final String FIRST_MEMBER = "m";

  /** One replica, and the reply it gave at each index (to tell a cached reply from the original it repeats). */
  private static final class Member {
    final KvStore store;
    final Map<Long, Reply> replies = new HashMap<>();

    Member(int maxSessions) {
      store = new KvStore(maxSessions);
    }
  }

  /** A saved snapshot, with the replies of the log it summarises (a restored member inherits that history). */
  private record Saved(byte[] image, Map<Long, Reply> replies) {}

  /** The output of an apply, whether the members disagreed, and the outcome kind (the first member's). */
  private record Result(String output, boolean diverged, String kind) {}

  private final ReplyKinds kinds;
  private final Set<String> observed;
  private final Map<String, Member> members = new TreeMap<>();
  /** Snapshots outlive {@code init}, as files on disk outlive a process. */
  private final Map<String, Saved> snapshots = new TreeMap<>();
  private int maxSessions = Sessions.DEFAULT_MAX_SESSIONS;

  /** {@code observed} collects the kind of every outcome, for the coverage check. */
  KvStoreDriver(ReplyKinds kinds, Set<String> observed) {
    this.kinds = kinds;
    this.observed = observed;
  }

  String handle(TestCase t) {
    if (members.isEmpty() && !t.command().equals("init")) {
      members.put(FIRST_MEMBER, new Member(maxSessions));
    }
    String output = dispatch(t);
    members.forEach((name, m) -> {
      if (m.store.read("").size() != m.store.size()) {
        throw new AssertionError(t.file() + ":" + t.line() + ": member " + name + " reads "
            + m.store.read("").size() + " keys under \"\" but has size " + m.store.size());
      }
    });
    return output;
  }

  private String dispatch(TestCase t) {
    return switch (t.command()) {
      case "init" -> init(t);
      case "apply" -> apply(t).output();
      case "repeat" -> repeat(t);
      case "get" -> each(t, m -> {
        Entry e = m.store.get(KvText.decode(only(t, "get KEY")));
        return e == null ? "(none)" : KvText.entry(e);
      });
      case "read" -> read(t);
      case "leases" -> each(t, m -> KvText.entries(m.store.leases()));
      case "sessions" -> each(t, KvStoreDriver::sessions);
      case "dump" -> each(t, KvStoreDriver::dump);
      case "snapshot" -> snapshot(t);
      case "restore" -> restore(t);
      case "compare" -> compare(t);
      default -> throw t.fail("unknown command (see KvStoreTranscriptTest for the vocabulary)");
    };
  }

  private String init(TestCase t) {
    members.clear();
    maxSessions = (int) t.getLong("max-sessions", Sessions.DEFAULT_MAX_SESSIONS);
    List<String> names = t.has("members") ? t.values("members") : List.of(FIRST_MEMBER);
    names.forEach(n -> members.put(n, new Member(maxSessions)));
    return "";
  }

  private Result apply(TestCase t) {
    long index = Long.parseLong(t.get("index"));
    Command command = KvText.command(t);
    Map<String, String> outputs = new LinkedHashMap<>();
    String firstKind = null;
    KvStore.Applied firstApplied = null;
    for (String name : targets(t)) {
      Member m = members.get(name);
      byte[] before = m.store.toSnapshot().toByteArray();
      String out;
      String kind;
      try {
        KvStore.Applied applied = m.store.apply(index, command);
        if (m.store.lastIndex() != index) {
          throw new AssertionError(t.file() + ":" + t.line() + ": lastIndex is " + m.store.lastIndex()
              + " after applying index " + index);
        }
        out = describe(m, index, command, applied);
        kind = kinds.classify(command, applied);
        m.replies.put(index, applied.reply());
        // The printed forms are meant to be injective; comparing the objects as well does not rely on it.
        if (firstApplied != null && !firstApplied.equals(applied)) {
          out += "\nDIVERGED: the outcome object differs from the first member's";
        }
        firstApplied = firstApplied == null ? applied : firstApplied;
      } catch (RuntimeException e) {
        out = KvText.error(e) + "\n" + unchanged(before, m);
        kind = kinds.classify(e);
      }
      observed.add(kind);
      firstKind = firstKind == null ? kind : firstKind;
      outputs.put(name, out);
    }
    return new Result(merge(outputs), outputs.values().stream().distinct().count() > 1, firstKind);
  }

  private static String describe(Member m, long index, Command command, KvStore.Applied applied) {
    StringBuilder b = new StringBuilder();
    Reply r = applied.reply();
    if (!applied.executed()) {
      long from = r.getRevision();
      Reply original = m.replies.get(from);
      if (from == index) {
        b.append("not executed\n");
      } else if (original == null) {
        b.append("not executed: a reply from index ").append(from).append(" this member never gave\n");
      } else if (original.equals(r)) {
        b.append("not executed: cached reply of index ").append(from).append('\n');
      } else {
        b.append("not executed: a reply that DIFFERS from the one of index ").append(from).append(": ")
            .append(KvText.reply(original, false).replace('\n', ' ')).append('\n');
      }
    }
    Command.OpCase op = command.getOpCase();
    boolean removes = op == Command.OpCase.DELETE || op == Command.OpCase.DELETE_PREFIX
        || op == Command.OpCase.EXPIRE;
    b.append(KvText.reply(r, removes));
    applied.changes().forEach(c -> b.append('\n').append(KvText.change(c)));
    return b.toString();
  }

  /** {@code repeat i=FROM..TO apply ...$i...}: the apply once per value, printing how many of each kind. */
  private String repeat(TestCase t) {
    if (t.args().isEmpty() || t.args().get(0).values().size() != 1 || !t.args().get(0).value().contains("..")) {
      throw t.fail("usage: repeat VAR=FROM..TO apply ... ($VAR is replaced in every argument)");
    }
    String var = "$" + t.args().get(0).key();
    String[] range = t.args().get(0).value().split("\\.\\.");
    List<TestCase.Arg> rest = t.args().subList(1, t.args().size());
    if (rest.isEmpty() || !rest.get(0).key().equals("apply") || !rest.get(0).values().isEmpty()) {
      throw t.fail("repeat only repeats apply");
    }
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (long i = Long.parseLong(range[0]); i <= Long.parseLong(range[1]); i++) {
      String v = Long.toString(i);
      List<TestCase.Arg> args = new ArrayList<>();
      for (TestCase.Arg a : rest.subList(1, rest.size())) {
        args.add(new TestCase.Arg(a.key().replace(var, v), a.values().stream().map(x -> x.replace(var, v)).toList()));
      }
      Result r = apply(new TestCase(t.file(), t.line(), "apply", args, "", ""));
      if (r.diverged()) {
        return "members diverged at " + var + "=" + v + ":\n" + r.output();
      }
      counts.merge(r.kind(), 1, Integer::sum);
    }
    List<String> lines = new ArrayList<>();
    counts.forEach((kind, n) -> lines.add(n + " x " + kind));
    return String.join("\n", lines);
  }

  private String read(TestCase t) {
    List<String> words = t.words();
    boolean keysOnly = words.size() == 2 && words.get(1).equals("keys");
    if (words.isEmpty() || words.size() > 2 || (words.size() == 2 && !keysOnly)) {
      throw t.fail("usage: read PREFIX [keys]");
    }
    String prefix = KvText.decode(words.get(0));
    return each(t, m -> {
      List<Entry> found = m.store.read(prefix);
      if (!keysOnly) {
        return KvText.entries(found);
      }
      StringBuilder b = new StringBuilder(found.size() + (found.size() == 1 ? " key" : " keys"))
          .append(found.isEmpty() ? "" : ":");
      found.forEach(e -> b.append(' ').append(KvText.word(e.getKey())));
      return b.toString();
    });
  }

  private static String sessions(Member m) {
    List<Session> sessions = m.store.toSnapshot().getSessionsList();
    if (sessions.isEmpty()) {
      return "(none)";
    }
    List<String> lines = new ArrayList<>();
    sessions.forEach(s -> lines.add(KvText.session(s)));
    return String.join("\n", lines);
  }

  private static String header(Member m) {
    return "last-index=" + m.store.lastIndex() + " size=" + m.store.size() + " sessions=" + m.store.sessionCount();
  }

  private static String dump(Member m) {
    StringBuilder b = new StringBuilder(header(m));
    m.store.read("").forEach(e -> b.append('\n').append(KvText.entry(e)));
    b.append("\nleases:");
    List<Entry> leases = m.store.leases();
    if (leases.isEmpty()) {
      b.append(" none");
    }
    leases.forEach(e -> b.append(' ').append(KvText.word(e.getKey())));
    m.store.toSnapshot().getSessionsList().forEach(s -> b.append('\n').append(KvText.session(s)));
    return b.toString();
  }

  private String snapshot(TestCase t) {
    List<String> on = targets(t);
    if (on.size() != 1) {
      throw t.fail("snapshot takes one member (on=NAME), not " + on);
    }
    Member m = members.get(on.get(0));
    Snapshot s = m.store.toSnapshot();
    snapshots.put(t.get("name"), new Saved(s.toByteArray(), new HashMap<>(m.replies)));
    return summary(s);
  }

  private static String summary(Snapshot s) {
    return "format=" + s.getFormat() + " last-index=" + s.getLastIndex() + " entries=" + s.getEntriesCount()
        + " sessions=" + s.getSessionsCount();
  }

  /** {@code restore from=NAME} or {@code restore format=F last-index=I}; {@code on=} may name new members. */
  private String restore(TestCase t) {
    byte[] image;
    Map<Long, Reply> history;
    if (t.has("from")) {
      Saved saved = snapshots.get(t.get("from"));
      if (saved == null) {
        throw t.fail("no snapshot named '" + t.get("from") + "' (saved: " + snapshots.keySet() + ")");
      }
      image = saved.image();
      history = saved.replies();
    } else if (t.has("format")) {
      image = new KvStore().toSnapshot().toBuilder().setFormat((int) t.getLong("format", 0))
          .setLastIndex(t.getLong("last-index", 0)).build().toByteArray();
      history = Map.of();
    } else {
      throw t.fail("usage: restore from=NAME | restore format=F last-index=I");
    }
    Map<String, String> outputs = new LinkedHashMap<>();
    for (String name : t.has("on") ? t.values("on") : List.copyOf(members.keySet())) {
      Member m = members.computeIfAbsent(name, n -> new Member((int) t.getLong("max-sessions", maxSessions)));
      byte[] before = m.store.toSnapshot().toByteArray();
      try {
        m.store.restore(parse(image));
        m.replies.clear();
        m.replies.putAll(history);
        outputs.put(name, "restored: " + header(m));
      } catch (RuntimeException e) {
        observed.add(kinds.classify(e));
        outputs.put(name, KvText.error(e) + "\n" + unchanged(before, m));
      }
    }
    return merge(outputs);
  }

  /** {@code compare A B ...}: members and saved snapshots, by their snapshot bytes. */
  private String compare(TestCase t) {
    List<String> names = t.words();
    if (names.size() < 2) {
      throw t.fail("usage: compare NAME NAME... (members or snapshots)");
    }
    Map<String, byte[]> images = new LinkedHashMap<>();
    for (String n : names) {
      if (members.containsKey(n) == snapshots.containsKey(n)) {
        throw t.fail("'" + n + "' must name exactly one member or snapshot");
      }
      images.put(n, members.containsKey(n)
          ? members.get(n).store.toSnapshot().toByteArray() : snapshots.get(n).image());
    }
    byte[] first = images.values().iterator().next();
    if (images.values().stream().allMatch(i -> Arrays.equals(i, first))) {
      return "identical";
    }
    StringBuilder b = new StringBuilder("differ:");
    images.forEach((n, i) -> b.append('\n').append(n).append(": ").append(summary(parse(i))));
    return b.toString();
  }

  private List<String> targets(TestCase t) {
    if (!t.has("on")) {
      return List.copyOf(members.keySet());
    }
    for (String n : t.values("on")) {
      if (!members.containsKey(n)) {
        throw t.fail("no member named '" + n + "' (members: " + members.keySet() + ")");
      }
    }
    return t.values("on");
  }

  private String each(TestCase t, Function<Member, String> observe) {
    t.args().stream().filter(a -> !a.values().isEmpty() && !a.key().equals("on")).findFirst().ifPresent(a -> {
      throw t.fail("'" + a.key() + "' is not an argument of " + t.command() + " (only on=)");
    });
    Map<String, String> outputs = new LinkedHashMap<>();
    targets(t).forEach(n -> outputs.put(n, observe.apply(members.get(n))));
    return merge(outputs);
  }

  /** One output when every member agrees (the common case, and an assertion that they do); else each. */
  private static String merge(Map<String, String> outputs) {
    if (outputs.values().stream().distinct().count() <= 1) {
      return outputs.isEmpty() ? "" : outputs.values().iterator().next();
    }
    StringBuilder b = new StringBuilder();
    outputs.forEach((n, out) -> b.append(b.isEmpty() ? "" : "\n").append(n).append(":\n  ")
        .append(out.replace("\n", "\n  ")));
    return b.toString();
  }

  private static String only(TestCase t, String usage) {
    if (t.words().size() != 1) {
      throw t.fail("usage: " + usage);
    }
    return t.words().get(0);
  }

  private static String unchanged(byte[] before, Member m) {
    return Arrays.equals(before, m.store.toSnapshot().toByteArray()) ? "state unchanged" : "STATE CHANGED";
  }

  private static Snapshot parse(byte[] image) {
    try {
      return Snapshot.parseFrom(image);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("a saved snapshot does not parse", e);
    }
  }
}
