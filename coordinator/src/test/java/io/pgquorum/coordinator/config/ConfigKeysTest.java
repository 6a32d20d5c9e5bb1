package io.pgquorum.coordinator.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.config.ConfigKey.Kind;
import io.pgquorum.coordinator.config.ConfigKey.Support;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The registries and the parsers agree: every declared key is read, and every declaration is complete. */
class ConfigKeysTest {

  /** Every declared key, with its path in a node's file (dynamic keys under bootstrap.dcs, roles as superuser). */
  static Stream<Arguments> declaredKeys() {
    List<Arguments> out = new ArrayList<>();
    for (KeyTable table : ConfigKeys.TABLES) {
      for (ConfigKey key : table.keys()) {
        // A custom method's section passes every key it does not know to the command, so a method key the parser
        // did not read would not show; CustomMethods takes its own keys from the same declarations instead.
        if (!key.path().contains("<method>")) {
          String path = key.pathFor(PostgresKeys.ROLE, PostgresKeys.SUPERUSER);
          out.add(Arguments.of(table == DynamicKeys.TABLE ? BootstrapKeys.DCS.path() + "." + path : path, key));
        }
      }
    }
    return out.stream();
  }

  /**
   * A mapping is the wrong type for every scalar and list key, so a key the parser reads yields a problem under its
   * path (an error, or a warning for ignored keys). Sections, settings and option lists take a mapping, so for them
   * only the absence of "unknown key" shows they are read. A declaration no parser reads fails here.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("declaredKeys")
  void everyDeclaredKeyIsReadByTheParser(String path, ConfigKey key) {
    Map<String, Object> tree = TestConfigs.minimal();
    TestConfigs.set(tree, path, TestConfigs.map("x", 1));
    List<String> messages = new ArrayList<>();
    boolean refused = false;
    try {
      messages.addAll(TestConfigs.parse(tree).warnings());
    } catch (ConfigException e) {
      messages.addAll(e.problems());
      refused = true;
    }
    assertThat(messages).noneMatch(m -> m.startsWith(path + ": unknown key"));
    Set<Kind> mappingIsValid = Set.of(Kind.SECTION, Kind.SETTINGS, Kind.OPTIONS);
    if (key.support() == Support.IGNORED) {
      assertThat(messages).contains(path + ": is not supported by pgquorum and is ignored"
          + (key.why().isEmpty() ? "" : " (" + key.why() + ")"));
    } else if (key == DynamicKeys.PAUSE) {
      // Maintenance mode drives the HA loop, so a value that is not a boolean is refused like any other.
      assertThat(refused).as("pause must be a boolean").isTrue();
      assertThat(messages).anyMatch(m -> m.startsWith(path + ": must be a boolean"));
    } else if (key.support() == Support.REFUSED || !mappingIsValid.contains(key.kind())) {
      assertThat(messages).as("a problem names " + path).anyMatch(m -> m.startsWith(path + ":")
          || m.startsWith(path + " "));
    }
  }

  @Test
  void everyDeclarationIsComplete() {
    Set<String> variables = new HashSet<>();
    for (KeyTable table : ConfigKeys.TABLES) {
      for (ConfigKey key : table.keys()) {
        if (key.support() != Support.IGNORED) {
          assertThat(key.why()).as("the reason of " + key).isNotBlank();
        }
        key.env().ifPresent(v -> assertThat(variables.add(v)).as("one key per variable: " + v).isTrue());
        if (key.defaultValue().isEmpty() || key.support() != Support.SUPPORTED) {
          continue;
        }
        Object d = key.defaultValue().get();
        switch (key.kind()) {
          case BOOLEAN -> assertThat(d).as(key.path()).isInstanceOf(Boolean.class);
          case SECONDS, BYTES, INTEGER -> assertThat(((Number) d).longValue()).as(key.path())
              .isBetween(key.min(), key.max());
          case CHOICE -> assertThat(key.choices()).as(key.path()).contains((String) d);
          default -> { }
        }
        if (key.kind() == Kind.CHOICE) {
          assertThat(key.choices()).isNotEmpty();
        }
      }
    }
  }

  @Test
  void theDefaultsSatisfyTheTimingInvariant() {
    assertThat(DynamicKeys.LOOP_WAIT.defaultDuration()
        .plus(DynamicKeys.RETRY_TIMEOUT.defaultDuration().multipliedBy(2)))
        .isLessThanOrEqualTo(DynamicKeys.TTL.defaultDuration());
    // FRACTIONAL_SECONDS keys keep their range in milliseconds.
    assertThat(DynamicKeys.TTL.defaultDuration().toMillis()).isGreaterThanOrEqualTo(DynamicKeys.TTL.min());
    assertThat(DynamicKeys.LOOP_WAIT.defaultDuration().toMillis()).isGreaterThanOrEqualTo(DynamicKeys.LOOP_WAIT.min());
    assertThat(DynamicKeys.RETRY_TIMEOUT.defaultDuration().toMillis())
        .isGreaterThanOrEqualTo(DynamicKeys.RETRY_TIMEOUT.min());
  }

  @Test
  void derivedSetsComeFromTheDeclarations() {
    assertThat(ConfigKeys.secretNames()).containsExactlyInAnyOrder("password", "keyfile_password", "sslpassword");
    assertThat(ConfigKeys.dynamicTopLevelNames()).startsWith("ttl", "loop_wait", "retry_timeout",
        "maximum_lag_on_failover", "primary_start_timeout", "master_start_timeout")
        .contains("synchronous_mode", "failsafe_mode", "standby_cluster", "slots")
        .doesNotContain("postgresql", "use_pg_rewind");
  }
}
