package io.pgquorum.coordinator.it;

import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import io.pgquorum.pgctl.InProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * One pgctl command as the pgctl ITs run it: {@code pgctl -c <a node's YAML> ARGS} through pgctl's whole command
 * path in this JVM ({@link InProcess}), with its exit status and both streams. Every run is printed (the ITs' output
 * files are the record of what each command prints); a transcript file, when given, collects the runs of one test
 * for its closing note.
 */
record CtlRun(int exit, String out, String err) {

  /** {@code pgctl -c <via's file> ARGS}. */
  static CtlRun pgctl(NodeSpec via, String... args) {
    List<String> all = new ArrayList<>(List.of("-c", via.config().toString()));
    all.addAll(List.of(args));
    String[] r = InProcess.run(all.toArray(String[]::new));
    CtlRun run = new CtlRun(Integer.parseInt(r[0]), r[1], r[2]);
    System.out.println(run.shown(args));
    return run;
  }

  /** As {@link #pgctl(NodeSpec, String...)}, and appended to {@code transcript}. */
  static CtlRun pgctl(NodeSpec via, Path transcript, String... args) {
    CtlRun run = pgctl(via, args);
    try {
      Files.writeString(transcript, run.shown(args) + "\n\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return run;
  }

  private String shown(String... args) {
    return "$ pgctl " + String.join(" ", args) + "\n" + out + err + "(exit " + exit + ")";
  }
}
