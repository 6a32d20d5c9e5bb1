package io.pgquorum.coordinator.config;

import static io.pgquorum.coordinator.config.TestConfigs.list;
import static io.pgquorum.coordinator.config.TestConfigs.map;
import static io.pgquorum.coordinator.config.TestConfigs.set;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** postgresql.callbacks, pre_promote and before_stop: what is read, and bad values named by key. */
class CallbacksConfigTest {

  @Test
  void everyScriptIsRead() {
    Map<String, Object> tree = TestConfigs.minimal();
    set(tree, "postgresql.callbacks", map("on_start", "/usr/local/bin/cb 'two words'", "on_stop", "/bin/true",
        "on_restart", "/bin/true", "on_reload", "/bin/true", "on_role_change", "/usr/local/bin/role"));
    set(tree, "postgresql.pre_promote", "/usr/local/bin/fence --check");
    set(tree, "postgresql.before_stop", "/usr/local/bin/drain");

    NodeConfig c = TestConfigs.parse(tree);

    assertThat(c.warnings()).isEmpty();
    CallbacksConfig cb = c.postgresql().callbacks();
    assertThat(cb.callbacks()).hasSize(5);
    assertThat(cb.command(CallbackAction.ON_START)).contains("/usr/local/bin/cb 'two words'");
    assertThat(cb.command(CallbackAction.ON_ROLE_CHANGE)).contains("/usr/local/bin/role");
    assertThat(cb.prePromote()).contains("/usr/local/bin/fence --check");
    assertThat(cb.beforeStop()).contains("/usr/local/bin/drain");
  }

  @Test
  void noScriptsByDefault() {
    assertThat(TestConfigs.parse(TestConfigs.minimal()).postgresql().callbacks()).isEqualTo(CallbacksConfig.NONE);
  }

  @Test
  void badValuesAreRefusedNamingTheKey() {
    Map<String, Object> tree = TestConfigs.minimal();
    set(tree, "postgresql.callbacks", map("on_start", "/bin/cb 'unclosed", "on_stop", "   ",
        "on_role_change", list("/bin/a", "b")));
    set(tree, "postgresql.pre_promote", "/bin/fence \"unclosed");
    set(tree, "postgresql.before_stop", true);

    assertThat(TestConfigs.problems(tree, Map.of())).containsExactlyInAnyOrder(
        "postgresql.callbacks.on_start: is not a usable command line: a single quote is not closed",
        "postgresql.callbacks.on_stop: is not a usable command line: it is empty",
        "postgresql.callbacks.on_role_change: must be a command line (text), got a list",
        "postgresql.pre_promote: is not a usable command line: a double quote is not closed",
        "postgresql.before_stop: must be a command line (text), got boolean true");
  }

  @Test
  void anUnknownCallbackIsWarnedAbout() {
    Map<String, Object> tree = TestConfigs.minimal();
    set(tree, "postgresql.callbacks", map("on_strat", "/bin/true"));
    NodeConfig c = TestConfigs.parse(tree);
    assertThat(c.warnings()).hasSize(1).first().asString().startsWith("postgresql.callbacks.on_strat: unknown key");
    assertThat(c.postgresql().callbacks().command(CallbackAction.ON_START)).isEqualTo(Optional.empty());
  }

  @Test
  void theNostreamTagIsHonouredNotWarnedAbout() {
    Map<String, Object> tree = TestConfigs.minimal();
    set(tree, "tags", map("nostream", true));
    NodeConfig c = TestConfigs.parse(tree);
    assertThat(c.warnings()).isEmpty();
    assertThat(c.tags().nostream()).isTrue();
    assertThat(TestConfigs.parse(TestConfigs.minimal()).tags().nostream()).isFalse();
  }
}
