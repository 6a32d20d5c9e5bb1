package io.pgquorum.coordinator.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.testkit.datadriven.DataDriven;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The {@link Decider}'s specification: decision transcripts in {@code src/test/testdata/decider/*.txt}, one file
 * per scenario family, each run as one dynamic test (state carries over within a file). Regenerate expected
 * output with {@code -Ddatadriven.rewrite=true} and review it with {@code git diff}.
 *
 * <p>Vocabulary (node1's view; details and defaults in {@code testdata/decider/README.md}):
 * <pre>{@code
 * reset | decide | needs-peers   start over / print the decision / print whether the loop asks peers first;
 *                                the lines below any of them (up to ----) are more commands, applied first
 * dcs reachable|unreachable      whether this cycle could read the DCS at all
 * cluster initialize=<sysid>|bootstrapping|none owner=<m>    the DCS keys; each key given changes, the rest stay
 *         leader=<m>|none token=<n> ttl=<duration> optime=<lsn>|none
 *         history=(<ended timeline>@<lsn>,...) config=present|absent
 * member <m> conn_url=<url>|none | member <m> gone
 * pg missing|empty|not-empty|bootstrap-incomplete|stopped|starting|primary|replica|unknown
 *         lsn=<lsn> timeline=<n> upstream=<host:port>|none streaming=yes|no sysid=<id>|none reason="..."
 * task running=<name>|none failed="<error>"|none | task none
 * lease valid-for=<duration> | lease expired | lease none
 * shutdown requested|none
 * peer <m> primary|replica|stopped|unreachable|gone lsn=<lsn> timeline=<n> failover_priority=<n>
 * config ttl=<s> loop_wait=<s> maximum_lag_on_failover=<bytes> primary_start_timeout=<s> use_slots=true|false
 *     pause=true|false
 * tags nofailover=true|false failover_priority=<n>
 * planted-bugs <id>...|none
 * clock at=<duration> | clock advance=<duration>
 * memory primary-start=<duration>-ago|none unprobeable=<n> task-failures=<n> handed-over=yes|no | memory none
 * failover leader=<m> member=<m> at=<ISO time> | failover none    the failover key (a switchover/failover request)
 * wall-clock at=<ISO instant>    the wall-clock time (only scheduled switchovers read it)
 * }</pre>
 * {@code decide} prints the message, the actions in order (one per line) and, when not empty, what the decision
 * remembers for the next cycle, which the next {@code decide} gets (as in the HA loop).
 *
 * <p>Two checks keep the transcripts complete: every {@link DecisionMessage} must appear in some transcript, and
 * the classes that build decisions may hold no string literal that could become decision text outside that
 * catalogue.
 */
class DeciderTranscriptTest {
  static final Path DIR = Path.of("src/test/testdata/decider");
  private static final Path HA_SOURCES = Path.of("src/main/java/io/pgquorum/coordinator/ha");
  /** Literals in decision-building code that are values compared with probe or peer fields, never text. */
  private static final Set<String> VALUE_LITERALS = Set.of("primary", "master", "replica", "streaming", ":", "running");

  @TestFactory
  Stream<DynamicTest> transcripts() {
    return DataDriven.files(DIR).stream().map(f -> DynamicTest.dynamicTest(DIR.relativize(f).toString(),
        () -> DataDriven.run(f, new DeciderTranscript(d -> { })::handle)));
  }

  @Test
  void everyDecisionMessageAppearsInSomeTranscript() {
    List<Decision> decisions = new ArrayList<>();
    for (Path f : DataDriven.files(DIR)) {
      DataDriven.run(f, new DeciderTranscript(decisions::add)::handle);
    }
    Map<DecisionMessage, Integer> seen = new EnumMap<>(DecisionMessage.class);
    List<String> unknown = new ArrayList<>();
    for (Decision d : decisions) {
      attribute(DecisionMessage.Kind.MESSAGE, d.message(), seen, unknown);
      d.ifGateFails().ifPresent(m -> attribute(DecisionMessage.Kind.MESSAGE, m, seen, unknown));
      for (Action a : d.actions()) {
        if (a instanceof Action.Fatal f) {
          attribute(DecisionMessage.Kind.FATAL, f.reason(), seen, unknown);
        } else if (a instanceof Action.LeaseBlocked b) {
          attribute(DecisionMessage.Kind.WARNING, b.warning(), seen, unknown);
        }
      }
    }
    assertThat(unknown).as("decision texts that match no DecisionMessage (all text must come from it)").isEmpty();
    List<String> missing = new ArrayList<>();
    for (DecisionMessage m : DecisionMessage.values()) {
      if (!seen.containsKey(m)) {
        missing.add(m.name() + " (" + m.kind() + "): \"" + m.template() + "\"");
      }
    }
    assertThat(missing).as("DecisionMessages that no transcript in %s shows: add a case for each", DIR).isEmpty();
  }

  /**
   * Credits {@code text} to the most specific template of {@code kind} that matches it (the one with the most
   * literal text: "...: bootstrap was interrupted" over "...: %s"), and the texts in its {@code %s} places to
   * {@link DecisionMessage.Kind#REASON} templates (why a node is not the healthiest).
   */
  private static void attribute(DecisionMessage.Kind kind, String text, Map<DecisionMessage, Integer> seen,
      List<String> unknown) {
    DecisionMessage best = null;
    Matcher bestMatch = null;
    for (DecisionMessage m : DecisionMessage.values()) {
      if (m.kind() != kind) {
        continue;
      }
      Matcher x = pattern(m).matcher(text);
      if (x.matches() && (best == null || literalLength(m) > literalLength(best))) {
        best = m;
        bestMatch = x;
      }
    }
    if (best == null) {
      if (kind != DecisionMessage.Kind.REASON) {
        unknown.add(kind + ": " + text);
      }
      return;
    }
    seen.merge(best, 1, Integer::sum);
    for (int g = 1; g <= bestMatch.groupCount(); g++) {
      if (kind != DecisionMessage.Kind.REASON && bestMatch.group(g) != null) {
        attribute(DecisionMessage.Kind.REASON, bestMatch.group(g), seen, unknown);
      }
    }
  }

  private static final Pattern PLACEHOLDER = Pattern.compile("%([sd])");

  /** The template as an anchored pattern: %s any text, %d an integer. */
  static Pattern pattern(DecisionMessage m) {
    StringBuilder re = new StringBuilder();
    Matcher p = PLACEHOLDER.matcher(m.template());
    int at = 0;
    while (p.find()) {
      re.append(Pattern.quote(m.template().substring(at, p.start())));
      re.append(p.group(1).equals("s") ? "(.*)" : "-?\\d+");
      at = p.end();
    }
    re.append(Pattern.quote(m.template().substring(at)));
    return Pattern.compile(re.toString(), Pattern.DOTALL);
  }

  private static int literalLength(DecisionMessage m) {
    return PLACEHOLDER.matcher(m.template()).replaceAll("").length();
  }

  @Test
  void decisionTextComesOnlyFromTheCatalogue() throws IOException {
    List<String> strays = new ArrayList<>();
    List<Path> builders = new ArrayList<>();
    try (Stream<Path> files = Files.list(HA_SOURCES)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
        String src = Files.readString(f);
        String name = f.getFileName().toString();
        if (name.equals("DecisionMessage.java")
            || !(src.contains("new Decision(") || src.contains("Decision.of("))) {
          continue;
        }
        builders.add(f);
        for (JavaStrings.Literal l : JavaStrings.literals(src)) {
          if (!VALUE_LITERALS.contains(l.value())) {
            strays.add(name + ":" + l.line() + ": \"" + l.value() + "\"");
          }
        }
      }
    }
    assertThat(builders).as("the classes that build decisions").extracting(p -> p.getFileName().toString())
        .contains("Decider.java");
    assertThat(strays).as("string literals in decision-building code: decision text belongs in DecisionMessage "
        + "(so the transcript coverage check sees it); a plain value compared with a probe field goes in "
        + "VALUE_LITERALS").isEmpty();
  }

  @Test
  void theLiteralScannerSeesStringsAndSkipsCommentsAndCharacters() {
    String src = "// \"no\"\n/* \"no\" */ char c = '\"'; String s = \"yes \\\" escaped\";\nx(\"two\");";
    assertThat(JavaStrings.literals(src)).containsExactly(new JavaStrings.Literal("yes \\\" escaped", 2),
        new JavaStrings.Literal("two", 3));
  }
}
