package io.pgquorum.pgctl;

import io.pgquorum.coordinator.config.NodeConfig;
import java.io.PrintStream;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * {@code list} and {@code topology}, once or, with {@code -W}/{@code -w}, every interval until interrupted: the
 * screen is cleared before each refresh when it is a terminal (patronictl's click.clear, which does nothing
 * otherwise), and the cluster is read afresh each time. A failed read ends the watch with its error, as in
 * patronictl.
 */
final class ListCommand {
  /** ANSI: cursor home, clear the screen. */
  static final String CLEAR = "\033[H\033[2J";

  private ListCommand() {}

  static int run(CommandLine cl, NodeConfig config, ClusterSource clusters, Services services, PrintStream out) {
    boolean topology = cl.command().orElseThrow().equals(CommandLine.TOPOLOGY);
    boolean clear = cl.watch().isPresent() && services.terminal();
    while (true) {
      long started = System.nanoTime();
      ClusterView view = ClusterView.of(config.scope(), clusters.read(config));
      OutputFormat format = topology ? OutputFormat.PRETTY : cl.format();
      MemberTable table = MemberTable.of(view, cl.extended(), topology, format == OutputFormat.PRETTY);
      StringBuilder text = new StringBuilder();
      if (clear) {
        text.append(CLEAR);
      }
      if (cl.timestamp()) {
        text.append(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"))).append('\n');
      }
      text.append(MemberOutput.render(view, table, format));
      out.print(text);
      out.flush();
      if (cl.watch().isEmpty() || !services.pacer().awaitNext(cl.watch().get(), started)) {
        return 0;
      }
    }
  }
}
