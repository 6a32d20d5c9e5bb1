package io.pgquorum.coordinator.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.config.DynamicConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which settings a server binary knows ({@link ServerParameters}), with a stand-in {@code postgres} that logs each
 * time it is asked: asked once per binary (and once per name it hides), again only when the binary changes.
 */
class ServerParametersTest {
  @TempDir
  Path base;

  @Test
  void eachBinaryIsAskedOnceAndHiddenNamesAreSettledByTheServer() throws IOException {
    Path bin = Files.createDirectories(base.resolve("bin"));
    Path calls = base.resolve("calls");
    Path postgres = bin.resolve("postgres");
    // --describe-config lists work_mem only; -C accepts trace_sort (hidden) and refuses anything else.
    Files.writeString(postgres, """
        #!/bin/sh
        echo "$*" >> %s
        case "$1" in
          --describe-config) printf 'work_mem\\tuser\\tResource Usage\\tINTEGER\\n'; exit 0;;
        esac
        for a; do n="$a"; done
        [ "$n" = trace_sort ] && { echo off; exit 0; }
        echo "FATAL:  unrecognized configuration parameter \\"$n\\"" >&2; exit 1
        """.formatted(calls));
    Files.setPosixFilePermissions(postgres, PosixFilePermissions.fromString("rwx------"));
    TestNodes.Builder node = TestNodes.node(base, "n1", 5599);
    node.binDir = bin;
    DynamicConfig dynamic = TestNodes.dynamic(true, Map.of());
    PgContext ctx = new PgContext(node.build(), () -> dynamic);

    List<String> names = List.of("work_mem", "checkpoint_segments", "trace_sort", "auto_explain.log_analyze");
    assertThat(ServerParameters.unknown(ctx, names)).containsExactly("checkpoint_segments");
    assertThat(ServerParameters.unknown(ctx, names)).containsExactly("checkpoint_segments");
    assertThat(Files.readAllLines(calls)).as("asked once, then from the cache; never about a dotted name")
        .hasSize(3).first().isEqualTo("--describe-config");
    assertThat(Files.readAllLines(calls).subList(1, 3)).allMatch(l -> l.endsWith("-C checkpoint_segments")
        || l.endsWith("-C trace_sort"));

    // An upgraded binary (another modification time) is asked again.
    Files.setLastModifiedTime(postgres, FileTime.fromMillis(Files.getLastModifiedTime(postgres).toMillis() - 60_000));
    assertThat(ServerParameters.unknown(ctx, List.of("work_mem"))).isEmpty();
    assertThat(Files.readAllLines(calls)).hasSize(4).last().isEqualTo("--describe-config");
  }

  @Test
  void aBinaryThatCannotBeAskedLeavesEveryNameIn() {
    TestNodes.Builder node = TestNodes.node(base, "n2", 5598);
    node.binDir = base.resolve("no-such-bin");
    DynamicConfig dynamic = TestNodes.dynamic(true, Map.of());
    PgContext ctx = new PgContext(node.build(), () -> dynamic);
    assertThat(ServerParameters.unknown(ctx, List.of("checkpoint_segments"))).isEmpty();
  }
}
