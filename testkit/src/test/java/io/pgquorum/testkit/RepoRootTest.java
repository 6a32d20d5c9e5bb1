package io.pgquorum.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepoRootTest {
  @Test
  void theRootIsTheNearestDirectoryAboveHoldingBinPgquorum(@TempDir Path dir) throws Exception {
    Path root = dir.resolve("checkout");
    Files.createDirectories(root.resolve("bin"));
    Files.writeString(root.resolve("bin/pgquorum"), "#!/bin/sh\n");
    Path module = Files.createDirectories(root.resolve("coordinator/target"));
    assertThat(RepoRoot.find(null, module)).contains(root);
    assertThat(RepoRoot.find(null, root)).contains(root);
    assertThat(RepoRoot.find(null, dir)).isEmpty();
  }

  @Test
  void pgquorumHomeWinsWhenItHoldsTheScript(@TempDir Path dir) throws Exception {
    Path home = dir.resolve("install");
    Files.createDirectories(home.resolve("bin"));
    Files.writeString(home.resolve("bin/pgquorum"), "#!/bin/sh\n");
    Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
    assertThat(RepoRoot.find(home.toString(), elsewhere)).contains(home);
    // A home without the script is ignored rather than trusted.
    assertThat(RepoRoot.find(elsewhere.toString(), home)).contains(home);
  }

  @Test
  void thisBuildRunsInsideTheCheckout() {
    assertThat(RepoRoot.find().resolve("bin/pgquorum")).exists();
    assertThat(RepoRoot.pgquorumScript()).exists();
    // The real script's default options: whatever they are, they are found and are JVM options.
    assertThat(RepoRoot.shippedJavaOptions(RepoRoot.find())).startsWith("-X");
  }

  @Test
  void shippedJavaOptionsAreTheScriptsDefault() {
    assertThat(RepoRoot.shippedJavaOptions("exec java ${PGQUORUM_JAVA_OPTS:- -Xmx64m -XX:+UseSerialGC } -cp x"))
        .isEqualTo("-Xmx64m -XX:+UseSerialGC");
    // As bin/pgquorum writes it (moved here from the bench's PatroniYamlTest).
    String script = "exec \"$java_bin\" ${PGQUORUM_JAVA_OPTS:--Xmx256m -XX:+UseSerialGC} -cp \"$cp\" Main";
    assertThat(RepoRoot.shippedJavaOptions(script)).isEqualTo("-Xmx256m -XX:+UseSerialGC");
    assertThatThrownBy(() -> RepoRoot.shippedJavaOptions("exec java $OPTS")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("PGQUORUM_JAVA_OPTS");
  }
}
