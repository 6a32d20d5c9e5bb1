package io.pgquorum.coordinator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.ConsoleAppender;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;

/** LogSetup configures Logback from the log section. */
class LogSetupTest {
  private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();

  @AfterEach
  void restoreDefaultLogging() throws Exception {
    context.reset();
    new ContextInitializer(context).autoConfig();
  }

  @Test
  void writesPatternedLinesToPgquorumLogInTheDirectory(@TempDir Path dir) throws IOException {
    assertThat(LogSetup.apply(new LogConfig("DEBUG", Optional.of(dir), Optional.empty()))).isTrue();

    LoggerFactory.getLogger("io.pgquorum.coordinator.ha.HaLoop").debug("cycle {} done", 7);
    LoggerFactory.getLogger("org.apache.ratis.server.impl.RaftServerImpl").info("ratis election chatter");
    LoggerFactory.getLogger("org.apache.ratis.server.impl.RaftServerImpl").warn("ratis warning");

    List<String> lines = Files.readAllLines(dir.resolve("pgquorum.log"));
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0))
        .matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} DEBUG \\S*HaLoop: cycle 7 done");
    assertThat(lines.get(1)).matches(".* WARN  \\S*RaftServerImpl: ratis warning");
  }

  @Test
  void aPlantedBugPrefixStartsEveryLine(@TempDir Path dir) throws IOException {
    LogSetup.apply(new LogConfig("INFO", Optional.of(dir), Optional.empty()), "[PLANTED BUG no-watchdog] ");
    LoggerFactory.getLogger("io.pgquorum.coordinator.ha.HaLoop").info("no action. I am (node1), the leader");
    LoggerFactory.getLogger("io.pgquorum.dcs.ratis.DcsServer").warn("member {} down", "node2");

    assertThat(Files.readAllLines(dir.resolve("pgquorum.log"))).hasSize(2)
        .allMatch(l -> l.matches("\\S+ \\S+ \\S+ +\\S+: \\[PLANTED BUG no-watchdog\\] .*"));
  }

  @Test
  void withoutADirectoryLogsGoToStandardError() {
    LogSetup.apply(LogConfig.defaults());
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    assertThat(root.getLevel()).isEqualTo(Level.INFO);
    assertThat(root.getAppender("stderr")).isInstanceOfSatisfying(ConsoleAppender.class,
        a -> assertThat(a.getTarget()).isEqualTo("System.err"));
    assertThat(root.getAppender("file")).isNull();
  }

  @ParameterizedTest
  @CsvSource({"DEBUG, DEBUG, WARN", "INFO, INFO, WARN", "WARNING, WARN, WARN", "ERROR, ERROR, ERROR",
      "CRITICAL, ERROR, ERROR"})
  void patroniLevelsMapToLogbackAndRatisStaysQuiet(String patroni, String rootLevel, String ratisLevel) {
    LogSetup.apply(new LogConfig(patroni, Optional.empty(), Optional.empty()));
    assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.toLevel(rootLevel));
    assertThat(context.getLogger("org.apache.ratis.grpc").getEffectiveLevel()).isEqualTo(Level.toLevel(ratisLevel));
    assertThat(context.getLogger("org.apache.ratis.thirdparty.io.grpc").getEffectiveLevel())
        .isEqualTo(Level.ERROR);
    assertThat(context.getLogger("io.pgquorum.dcs.ratis.DcsServer").getEffectiveLevel())
        .isEqualTo(Level.toLevel(rootLevel));
  }

  @Test
  void anUnknownLevelIsAConfigError() {
    assertThatThrownBy(() -> LogSetup.toLogback("LOUD")).isInstanceOfSatisfying(ConfigException.class,
        e -> assertThat(e.problems()).containsExactly(
            "log.level: must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got \"LOUD\""));
  }
}
