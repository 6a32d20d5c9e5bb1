package io.pgquorum.backrest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The module README's key table is {@link BackrestKeys} rendered, so a default or reason cannot differ between the
 * parser and the documentation. {@code -Dbackrest.readme.rewrite=true} regenerates it instead of checking.
 */
class BackrestReadmeTest {
  private static final String BEGIN = "<!-- backrest keys: begin -->\n";
  private static final String END = "<!-- backrest keys: end -->";

  @Test
  void theReadmeTableIsTheRegistry() throws IOException {
    // Surefire runs in the module directory.
    Path readme = Path.of("README.md");
    String text = Files.readString(readme);
    int from = text.indexOf(BEGIN) + BEGIN.length();
    int to = text.indexOf(END);
    assertThat(from).as("README.md has the begin marker").isGreaterThan(BEGIN.length() - 1);
    String expected = BackrestKeys.markdownTable();
    if (Boolean.getBoolean("backrest.readme.rewrite")) {
      Files.writeString(readme, text.substring(0, from) + expected + text.substring(to));
      return;
    }
    assertThat(text.substring(from, to)).as("backrest-adapter/README.md's key table differs from BackrestKeys; "
        + "regenerate with -Dbackrest.readme.rewrite=true and review the diff").isEqualTo(expected);
  }

  @Test
  void everyKeyHasADefaultAUnitWhatItAcceptsAndWhyAndTheDefaultsParse() {
    // An empty section reads every default from the registry: they must all pass the parser's own validation.
    assertThat(BackrestSection.parse(java.util.Map.of(), "s").errors()).isEmpty();
    assertThat(BackrestKeys.all()).hasSize(17);
    for (BackrestKey k : BackrestKeys.all()) {
      assertThat(k.path()).startsWith("backrest.");
      assertThat(k.defaultText()).as(k.path()).isNotBlank();
      if (k.defaultValue() instanceof Long l) {
        assertThat(l).as(k.path() + " default within its own range").isBetween(k.min(), k.max());
      }
      assertThat(k.unit()).as(k.path()).isNotBlank();
      assertThat(k.accepts()).as(k.path()).isNotBlank();
      assertThat(k.why()).as(k.path()).hasSizeGreaterThan(30);
    }
  }
}
