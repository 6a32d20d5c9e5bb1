package io.pgquorum.dcs.statemachine;

import com.google.protobuf.ByteString;
import io.pgquorum.dcs.proto.CachedReply;
import io.pgquorum.dcs.proto.Command;
import io.pgquorum.dcs.proto.Delete;
import io.pgquorum.dcs.proto.DeletePrefix;
import io.pgquorum.dcs.proto.Entry;
import io.pgquorum.dcs.proto.Expire;
import io.pgquorum.dcs.proto.Failure;
import io.pgquorum.dcs.proto.Precondition;
import io.pgquorum.dcs.proto.Put;
import io.pgquorum.dcs.proto.Refresh;
import io.pgquorum.dcs.proto.Reply;
import io.pgquorum.dcs.proto.Session;
import io.pgquorum.testkit.datadriven.TestCase;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The transcript language of {@link KvStoreTranscriptTest}: directive words to {@link Command}s, and store
 * objects to text. Every printed form omits only fields at their default value, so two different entries or
 * replies never print the same.
 */
final class KvText {
  private KvText() {}

  private static final Set<String> ENVELOPE = Set.of("index", "on", "client", "seq", "acked", "stamp");

  // -------------------------------------------------------------------------------------------------------
  // Parsing
  // -------------------------------------------------------------------------------------------------------

  /** {@code ""} is the empty string; {@code \\uXXXX} is that character (keys such as "/x\\uffff"). */
  static String decode(String word) {
    if (word.equals("\"\"")) {
      return "";
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < word.length(); i++) {
      char c = word.charAt(i);
      if (c == '\\' && i + 5 < word.length() && word.charAt(i + 1) == 'u') {
        b.append((char) Integer.parseInt(word.substring(i + 2, i + 6), 16));
        i += 5;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /** The command of an {@code apply} directive: envelope arguments, then the operation and its arguments. */
  static Command command(TestCase t) {
    List<String> words = t.words();
    if (words.isEmpty()) {
      throw t.fail("names no operation (put, delete, delete-prefix, refresh, expire, op-unset)");
    }
    String op = words.get(0);
    Command.Builder c = Command.newBuilder();
    Set<String> allowed = switch (op) {
      case "put" -> {
        arity(t, words, 3, "put KEY VALUE");
        Put.Builder put = Put.newBuilder().setKey(decode(words.get(1)))
            .setValue(ByteString.copyFromUtf8(decode(words.get(2))))
            .setTtlMillis(t.getLong("ttl", 0)).setOwner(decode(t.get("owner", "\"\"")));
        t.opt("if").ifPresent(cond -> put.setCondition(condition(t, cond)));
        c.setPut(put);
        yield Set.of("ttl", "owner", "if");
      }
      case "delete" -> {
        arity(t, words, 2, "delete KEY");
        Delete.Builder delete = Delete.newBuilder().setKey(decode(words.get(1)));
        t.opt("if").ifPresent(cond -> delete.setCondition(condition(t, cond)));
        c.setDelete(delete);
        yield Set.of("if");
      }
      case "delete-prefix" -> {
        arity(t, words, 2, "delete-prefix PREFIX");
        c.setDeletePrefix(DeletePrefix.newBuilder().setPrefix(decode(words.get(1))));
        yield Set.of();
      }
      case "refresh" -> {
        arity(t, words, 2, "refresh KEY");
        c.setRefresh(Refresh.newBuilder().setKey(decode(words.get(1))).setOwner(decode(t.get("owner", "\"\"")))
            .setCreateRevision(t.getLong("create", 0)));
        yield Set.of("owner", "create");
      }
      case "expire" -> {
        arity(t, words, 2, "expire KEY");
        c.setExpire(Expire.newBuilder().setKey(decode(words.get(1))).setLeaseRevision(Long.parseLong(t.get("lease"))));
        yield Set.of("lease");
      }
      case "op-unset" -> {
        arity(t, words, 1, "op-unset");
        yield Set.of();
      }
      default -> throw t.fail("unknown operation '" + op + "'");
    };
    for (TestCase.Arg a : t.args()) {
      if (!a.values().isEmpty() && !ENVELOPE.contains(a.key()) && !allowed.contains(a.key())) {
        throw t.fail("'" + a.key() + "' is not an argument of " + op);
      }
    }
    if (t.has("client")) {
      c.setClientId(ByteString.copyFromUtf8(t.get("client"))).setSeq(Long.parseLong(t.get("seq")))
          .setAckedBelow(t.getLong("acked", 0));
    } else if (t.has("seq") || t.has("acked")) {
      throw t.fail("seq and acked belong to a client=");
    }
    c.setStampMillis(t.getLong("stamp", 0));
    return c.build();
  }

  private static void arity(TestCase t, List<String> words, int n, String usage) {
    if (words.size() != n) {
      throw t.fail("usage: " + usage + " (bare words " + words + ")");
    }
  }

  /** {@code absent}, {@code mod:REV}, {@code value:V}, or {@code unset} (a precondition with no kind set). */
  private static Precondition condition(TestCase t, String spec) {
    if (spec.equals("absent")) {
      return Precondition.newBuilder().setAbsent(true).build();
    }
    if (spec.equals("unset")) {
      return Precondition.getDefaultInstance();
    }
    if (spec.startsWith("mod:")) {
      return Precondition.newBuilder().setModRevision(Long.parseLong(spec.substring(4))).build();
    }
    if (spec.startsWith("value:")) {
      return Precondition.newBuilder().setValue(ByteString.copyFromUtf8(decode(spec.substring(6)))).build();
    }
    throw t.fail("unknown condition '" + spec + "' (absent, mod:REV, value:V, unset)");
  }

  /** The operation's name as written in transcripts (put, delete-prefix, ...). */
  static String opName(Command.OpCase op) {
    return op == Command.OpCase.OP_NOT_SET ? "op-unset" : op.name().toLowerCase().replace('_', '-');
  }

  // -------------------------------------------------------------------------------------------------------
  // Printing
  // -------------------------------------------------------------------------------------------------------

  /** A string as a transcript word: {@code ""} when empty, invisible characters as {@code \\uXXXX}. */
  static String word(String s) {
    if (s.isEmpty()) {
      return "\"\"";
    }
    StringBuilder b = new StringBuilder();
    s.codePoints().forEach(cp -> {
      int type = Character.getType(cp);
      boolean invisible = Character.isWhitespace(cp) || Character.isISOControl(cp) || cp == '\\'
          || type == Character.UNASSIGNED || type == Character.FORMAT || type == Character.SURROGATE
          || type == Character.PRIVATE_USE;
      if (invisible && cp <= 0xffff) {
        b.append(String.format("\\u%04x", cp));
      } else {
        b.appendCodePoint(cp);
      }
    });
    return b.toString();
  }

  static String entry(Entry e) {
    StringBuilder b = new StringBuilder(word(e.getKey()))
        .append(" value=").append(word(e.getValue().toStringUtf8()))
        .append(" create=").append(e.getCreateRevision())
        .append(" mod=").append(e.getModRevision())
        .append(" ver=").append(e.getVersion());
    if (e.getTtlMillis() != 0) {
      b.append(" ttl=").append(e.getTtlMillis());
    }
    if (e.getLeaseRevision() != 0) {
      b.append(" lease=").append(e.getLeaseRevision());
    }
    if (!e.getOwner().isEmpty()) {
      b.append(" owner=").append(word(e.getOwner()));
    }
    if (e.getUpdatedAtMillis() != 0) {
      b.append(" updated=").append(e.getUpdatedAtMillis());
    }
    return b.toString();
  }

  static String entries(List<Entry> entries) {
    if (entries.isEmpty()) {
      return "(none)";
    }
    List<String> lines = new ArrayList<>();
    entries.forEach(e -> lines.add(entry(e)));
    return String.join("\n", lines);
  }

  /**
   * {@code ok rev=R} or {@code FAILURE rev=R: detail}, with {@code deleted=N} for the removing operations (or
   * whenever non-zero), then the reply's entry on its own line.
   */
  static String reply(Reply r, boolean showDeleted) {
    String outcome;
    if (r.getSucceeded()) {
      outcome = r.getFailure() == Failure.FAILURE_NONE ? "ok" : "ok(" + r.getFailure() + ")";
    } else {
      outcome = r.getFailure() == Failure.FAILURE_NONE ? "failed(no failure code)" : r.getFailure().name();
    }
    StringBuilder b = new StringBuilder(outcome).append(" rev=").append(r.getRevision());
    if (showDeleted || r.getDeleted() != 0) {
      b.append(" deleted=").append(r.getDeleted());
    }
    if (!r.getDetail().isEmpty()) {
      b.append(": ").append(r.getDetail());
    }
    if (r.hasEntry()) {
      b.append("\nentry ").append(entry(r.getEntry()));
    }
    return b.toString();
  }

  static String change(KvStore.Change c) {
    return "change " + word(c.key()) + "@" + c.revision() + (c.deleted() ? " deleted" : " written");
  }

  /** {@code session C last-index=I acked-below=A cached-seqs=1,3..5 (4)}, seqs as ranges. */
  static String session(Session s) {
    List<Long> seqs = s.getRepliesList().stream().map(CachedReply::getSeq).toList();
    return "session " + word(s.getClientId().toStringUtf8()) + " last-index=" + s.getLastIndex()
        + " acked-below=" + s.getAckedBelow() + " cached-seqs=" + ranges(seqs) + " (" + seqs.size() + ")";
  }

  private static String ranges(List<Long> sorted) {
    if (sorted.isEmpty()) {
      return "none";
    }
    List<String> parts = new ArrayList<>();
    int i = 0;
    while (i < sorted.size()) {
      int j = i;
      while (j + 1 < sorted.size() && sorted.get(j + 1) == sorted.get(j) + 1) {
        j++;
      }
      parts.add(i == j ? Long.toString(sorted.get(i)) : sorted.get(i) + ".." + sorted.get(j));
      i = j + 1;
    }
    return String.join(",", parts);
  }

  static String error(RuntimeException e) {
    return "error: " + e.getClass().getSimpleName() + ": " + e.getMessage();
  }
}
