package io.pgquorum.jepsen.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MatrixTest {
  private static final Set<String> BUGS = Set.of("no-watchdog", "skip-demote-on-lost-lease");

  private static List<Cell> expand(String... words) {
    return Matrix.expand(List.of(List.of(words)), "stack", 2, BUGS);
  }

  @Test
  void theCartesianProductOfTheAxesInAFixedOrder() {
    List<Cell> cells = expand("ttl=4,8", "kinds=partition,kill+pause", "nodes=3,5");
    assertThat(cells).extracting(Cell::name).containsExactly(
        "stack-n3-partition-ttl4", "stack-n3-partition-ttl8", "stack-n3-kill+pause-ttl4",
        "stack-n3-kill+pause-ttl8", "stack-n5-partition-ttl4", "stack-n5-partition-ttl8",
        "stack-n5-kill+pause-ttl4", "stack-n5-kill+pause-ttl8");
    assertThat(cells).allSatisfy(c -> assertThat(c.schedules()).isEqualTo(2));
    assertThat(cells.get(2).kinds()).containsExactly("kill", "pause");
    assertThat(cells.get(2).flags()).isEqualTo("--target stack --ttl 4");
  }

  @Test
  void defaultsAreThreeNodesAndEveryKind() {
    Cell c = Matrix.expand(List.of(List.of("target=dcs")), "stack", 5, BUGS).get(0);
    assertThat(c.name()).isEqualTo("dcs-n3-all");
    assertThat(c.kinds()).containsExactlyElementsOf(Matrix.ALL_KINDS);
    assertThat(c.schedules()).isEqualTo(5);
    assertThat(Matrix.expand(List.of(List.of("kinds=all")), "dcs", 1, BUGS).get(0).target()).isEqualTo("dcs");
  }

  @Test
  void partsAddUpAndPerCellOverridesTheDefault() {
    List<Cell> cells = Matrix.expand(List.of(
        List.of("target=dcs", "nodes=3,5", "per-cell=17"),
        List.of("target=stack", "bug=none,no-watchdog", "schedule=a.json")), "stack", 1, BUGS);
    assertThat(cells).extracting(Cell::name).containsExactly("dcs-n3-all", "dcs-n5-all", "stack-a",
        "stack-bug-no-watchdog-a");
    assertThat(cells).extracting(Cell::schedules).containsExactly(17, 17, 1, 1);
    assertThat(cells.get(3).bug()).isEqualTo("no-watchdog");
    assertThat(cells.get(3).schedule()).isEqualTo(Path.of("a.json"));
    assertThat(cells.get(3).flags()).isEqualTo("--target stack --planted-bug no-watchdog");
  }

  /** The replication mode is an axis of its own: the same schedules run asynchronously and synchronously. */
  @Test
  void synchronousModesAreAnAxis() {
    List<Cell> cells = expand("kinds=kill", "sync=off,on,quorum,strict");
    assertThat(cells).extracting(Cell::name).containsExactly("stack-n3-kill-sync-off", "stack-n3-kill-sync-on",
        "stack-n3-kill-sync-quorum", "stack-n3-kill-sync-strict");
    assertThat(cells.get(3).sync()).isEqualTo("strict");
    assertThat(cells.get(3).flags()).isEqualTo("--target stack --synchronous-mode strict");
    assertThat(expand("kinds=kill").get(0).sync()).isNull();
    assertThatThrownBy(() -> expand("sync=yes")).hasMessageContaining(
        "sync: synchronous mode must be off, on, quorum or strict, got \"yes\"");
    assertThatThrownBy(() -> expand("target=dcs", "sync=on")).hasMessageContaining("sync applies to target=stack");
  }

  @Test
  void mistakesNameTheAxisAndTheValue() {
    assertThatThrownBy(() -> expand("nodez=3")).hasMessageContaining("unknown axis \"nodez\"");
    assertThatThrownBy(() -> expand("nodes")).hasMessageContaining("\"nodes\" is not AXIS=VALUES");
    assertThatThrownBy(() -> expand("nodes=3,x")).hasMessageContaining("nodes must be a whole number, got \"x\"");
    assertThatThrownBy(() -> expand("nodes=12")).hasMessageContaining("nodes must be 1..9, got 12");
    assertThatThrownBy(() -> expand("kinds=partition,boom")).hasMessageContaining("unknown fault kind \"boom\"");
    assertThatThrownBy(() -> expand("ttl=3")).hasMessageContaining("ttl must be 4..120 s");
    assertThatThrownBy(() -> expand("bug=nope")).hasMessageContaining("unknown planted bug \"nope\"");
    assertThatThrownBy(() -> expand("nodes=3,3")).hasMessageContaining("repeats a value");
    assertThatThrownBy(() -> expand("nodes=3", "nodes=5")).hasMessageContaining("axis nodes given twice");
    assertThatThrownBy(() -> expand("target=stack,dcs")).hasMessageContaining("target takes one value per part");
    assertThatThrownBy(() -> expand("target=dcs", "ttl=4")).hasMessageContaining("ttl applies to target=stack");
    assertThatThrownBy(() -> expand("schedule=a.json", "nodes=3")).hasMessageContaining("schedule= replays");
    assertThatThrownBy(() -> expand("max-lag=-1")).hasMessageContaining("max-lag must not be negative");
    assertThatThrownBy(() -> Matrix.expand(List.of(List.of("nodes=3"), List.of("nodes=3")), "stack", 1, BUGS))
        .hasMessageContaining("cell stack-n3-all appears twice");
    assertThatThrownBy(() -> Matrix.expand(List.of(), "stack", 1, BUGS)).hasMessageContaining("at least one");
  }
}
