package io.pgquorum.dcs.statemachine;

import io.pgquorum.dcs.proto.Command;
import io.pgquorum.dcs.proto.Failure;
import io.pgquorum.dcs.proto.Reply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every kind of outcome the state machine can produce, read from its source, and the classification of an
 * actual outcome into one of them.
 *
 * <p>WHY from the source and not a hand-written list: the coverage check must fail when somebody adds a
 * rejection to {@link KvStore} or {@link Sessions} without a transcript that shows it, and a hand-written list
 * would silently miss the new one. A kind is:
 * <ul>
 *   <li>{@code ok OP} for each operation of {@link Command.OpCase} (from the proto, so a new op counts too);
 *   <li>{@code FAILURE "detail"}: each place in KvStore.java or Sessions.java that builds a reply with a
 *       {@link Failure} code, named by the literal (or KvStore constant) its detail starts with;
 *   <li>{@code throws Exception "message"}: each {@code throw new X("...")} in KvStore.java;
 *   <li>{@code cached reply}: a retry answered from its session's cache.
 * </ul>
 */
final class ReplyKinds {
  static final String CACHED = "cached reply";
  private static final Path SOURCES = Path.of("src/main/java/io/pgquorum/dcs/statemachine");
  private static final Pattern FAILURE = Pattern.compile("Failure\\.([A-Z_]+)");
  private static final Pattern DETAIL = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"|KvStore\\.([A-Z_]+)");
  private static final Pattern THROW = Pattern.compile("throw new (\\w+)\\(\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

  /** A failure kind: code and the fixed start of its detail. */
  private record Rejection(Failure failure, String detailPrefix) {}

  /** A thrown kind: exception class and the fixed start of its message. */
  private record Thrown(String exception, String messagePrefix) {}

  /** Kind label to where it comes from (source file:line, or the proto enum). */
  private final Map<String, List<String>> kinds = new TreeMap<>();
  private final Map<String, Rejection> rejections = new TreeMap<>();
  private final Map<String, Thrown> throwns = new TreeMap<>();

  private ReplyKinds() {}

  static ReplyKinds fromSource() {
    ReplyKinds k = new ReplyKinds();
    for (Command.OpCase op : Command.OpCase.values()) {
      if (op != Command.OpCase.OP_NOT_SET) {
        k.kinds.put(ok(op), new ArrayList<>(List.of("Command.OpCase." + op)));
      }
    }
    k.kinds.put(CACHED, new ArrayList<>(List.of("Sessions.lookup")));
    Set<Failure> seen = EnumSet.noneOf(Failure.class);
    for (String file : List.of("KvStore.java", "Sessions.java")) {
      String src = read(SOURCES.resolve(file));
      Matcher f = FAILURE.matcher(src);
      while (f.find()) {
        if (lineAt(src, f.start()).startsWith("import ")) {
          continue;
        }
        Failure failure = Failure.valueOf(f.group(1));
        int end = src.indexOf(';', f.end());
        Matcher d = DETAIL.matcher(src).region(f.end(), end < 0 ? src.length() : end);
        if (!d.find()) {
          throw new IllegalStateException(file + ":" + line(src, f.start()) + ": found Failure." + failure
              + " without a detail literal or KvStore constant after it; teach ReplyKinds this form");
        }
        String prefix = d.group(1) != null ? d.group(1) : constant(d.group(2));
        String label = failure + " \"" + prefix + "\"";
        k.rejections.put(label, new Rejection(failure, prefix));
        k.kinds.computeIfAbsent(label, x -> new ArrayList<>()).add(file + ":" + line(src, f.start()));
        seen.add(failure);
      }
      Matcher t = THROW.matcher(src);
      while (t.find()) {
        String label = "throws " + t.group(1) + " \"" + t.group(2) + "\"";
        k.throwns.put(label, new Thrown(t.group(1), t.group(2)));
        k.kinds.computeIfAbsent(label, x -> new ArrayList<>()).add(file + ":" + line(src, t.start()));
      }
    }
    // A scanner that stopped recognising the code would make the coverage check vacuous.
    Set<Failure> codes = EnumSet.complementOf(EnumSet.of(Failure.FAILURE_NONE, Failure.UNRECOGNIZED));
    if (!seen.equals(codes) || k.throwns.isEmpty()) {
      throw new IllegalStateException("ReplyKinds found failure codes " + seen + " (expected " + codes + ") and "
          + k.throwns.size() + " throw sites in " + SOURCES + "; the scanner no longer matches the code");
    }
    return k;
  }

  /** Every kind label with where it comes from, in label order. */
  Map<String, List<String>> all() {
    return kinds;
  }

  static String ok(Command.OpCase op) {
    return "ok " + KvText.opName(op);
  }

  /** The kind of an applied command's outcome; an unknown one starts with "UNKNOWN". */
  String classify(Command command, KvStore.Applied applied) {
    Reply r = applied.reply();
    String rejection = rejection(r);
    if (!applied.executed()) {
      // Only the session's own refusals (session expired, reply forgotten) are built at lookup time.
      return rejection != null && isSessionRefusal(rejection) ? rejection : CACHED;
    }
    if (r.getSucceeded()) {
      return r.getFailure() == Failure.FAILURE_NONE ? ok(command.getOpCase()) : "UNKNOWN succeeded with " + r;
    }
    return rejection != null ? rejection : "UNKNOWN " + r.getFailure() + " \"" + r.getDetail() + "\"";
  }

  private boolean isSessionRefusal(String label) {
    return kinds.get(label).stream().allMatch(where -> where.startsWith("Sessions.java"));
  }

  /** The rejection whose detail prefix is the longest one the reply's detail starts with. */
  private String rejection(Reply r) {
    String best = null;
    int bestLength = -1;
    for (Map.Entry<String, Rejection> e : rejections.entrySet()) {
      Rejection k = e.getValue();
      if (k.failure() == r.getFailure() && r.getDetail().startsWith(k.detailPrefix())
          && k.detailPrefix().length() > bestLength) {
        best = e.getKey();
        bestLength = k.detailPrefix().length();
      }
    }
    return best;
  }

  String classify(RuntimeException e) {
    for (Map.Entry<String, Thrown> t : throwns.entrySet()) {
      if (t.getValue().exception().equals(e.getClass().getSimpleName())
          && String.valueOf(e.getMessage()).startsWith(t.getValue().messagePrefix())) {
        return t.getKey();
      }
    }
    return "UNKNOWN throws " + e;
  }

  private static String constant(String name) {
    try {
      return (String) KvStore.class.getField(name).get(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("KvStore." + name + " is not a public String constant", e);
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + p.toAbsolutePath(), e);
    }
  }

  private static int line(String src, int offset) {
    return (int) src.substring(0, offset).chars().filter(c -> c == '\n').count() + 1;
  }

  private static String lineAt(String src, int offset) {
    int start = src.lastIndexOf('\n', offset) + 1;
    int end = src.indexOf('\n', offset);
    return src.substring(start, end < 0 ? src.length() : end).strip();
  }
}
