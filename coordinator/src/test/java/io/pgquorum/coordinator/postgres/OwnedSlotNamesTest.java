package io.pgquorum.coordinator.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The record of the slots pgquorum made: read, changed, written back only when it changed. */
class OwnedSlotNamesTest {
  @TempDir
  Path dir;

  @Test
  void anUnchangedSetIsNotWrittenAgain() throws Exception {
    Path file = dir.resolve("pgquorum.slots");
    OwnedSlotNames first = new OwnedSlotNames(file);
    assertThat(first.read()).isEmpty();
    first.write(new TreeSet<>(Set.of("node2", "node3")));
    assertThat(Files.readAllLines(file)).containsExactly("node2", "node3");

    OwnedSlotNames second = new OwnedSlotNames(file);
    Set<String> owned = second.read();
    assertThat(owned).containsExactly("node2", "node3");
    Files.delete(file); // a write now would bring it back
    second.write(owned);
    assertThat(file).doesNotExist();

    owned.remove("node3");
    second.write(owned);
    assertThat(Files.readAllLines(file)).containsExactly("node2");
  }
}
