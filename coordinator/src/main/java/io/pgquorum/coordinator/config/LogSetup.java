package io.pgquorum.coordinator.config;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.FileSize;
import java.util.Locale;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Configures Logback from the {@code log} section, replacing whatever configuration was active.
 *
 * <p>Output goes to standard error, or to {@code pgquorum.log} in {@code log.dir}, rotated by size like Patroni's
 * file logging (25 MB, the current file plus 3 old ones). Patroni's level names map to Logback's (WARNING to
 * WARN; CRITICAL, which Logback lacks, to ERROR). Apache Ratis logs every election and snapshot step at INFO,
 * which would drown the HA loop's one line per cycle, so it is held at WARN (its shaded gRPC/Netty at ERROR)
 * unless the root level is stricter still; this mirrors {@code io/pgquorum/dcs/logback-ratis-quiet.xml}.
 *
 * <p>When the application embedding pgquorum uses another SLF4J backend, nothing is changed: its logging is the
 * application's to configure.
 */
public final class LogSetup {
  /** The line format: time, level, short logger name, message. */
  public static final String PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level %logger{20}: %msg%n";
  /** The log file's name inside {@code log.dir}. */
  public static final String FILE_NAME = "pgquorum.log";

  private static final String MAX_FILE_SIZE = "25MB";
  private static final int OLD_FILES = 3;

  private LogSetup() {}

  /**
   * Applies {@code config}.
   *
   * @return false when the SLF4J backend is not Logback and nothing was changed
   * @throws ConfigException when the level is not one of Patroni's names
   */
  public static boolean apply(LogConfig config) {
    return apply(config, "");
  }

  /**
   * Applies {@code config}, with {@code linePrefix} at the start of every message (the fault-injection harness's
   * planted-bug marker, so that no log line of a deliberately unsafe node can be mistaken for a normal one).
   */
  public static boolean apply(LogConfig config, String linePrefix) {
    Level level = toLogback(config.level());
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (!(factory instanceof LoggerContext)) {
      LoggerFactory.getLogger(LogSetup.class).warn("log section ignored: the logging backend is {}, not Logback",
          factory.getClass().getName());
      return false;
    }
    LoggerContext context = (LoggerContext) factory;
    context.reset();

    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    // Logback's pattern syntax treats %, (, ), { and } specially: the prefix is plain text without them.
    encoder.setPattern(PATTERN.replace("%msg", linePrefix.replaceAll("[%(){}\\\\]", "") + "%msg"));
    encoder.start();
    Appender<ILoggingEvent> appender = config.dir().isPresent()
        ? fileAppender(context, encoder, config.dir().get().resolve(FILE_NAME).toString())
        : stderrAppender(context, encoder);

    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(level);
    root.addAppender(appender);
    context.getLogger("org.apache.ratis").setLevel(atLeast(Level.WARN, level));
    context.getLogger("org.apache.ratis.thirdparty").setLevel(atLeast(Level.ERROR, level));
    // Member ids are host:port, which JMX object names cannot hold: Ratis logs a stack trace at ERROR on start and
    // carries on without its JMX bean. Nothing is lost; the message only alarms operators.
    context.getLogger("org.apache.ratis.util.JmxRegister").setLevel(Level.OFF);
    // While a member is down, the leader's appender logs a warning with a stack trace every few seconds per
    // follower; the HA loop's own line says what matters. Real errors still come through.
    context.getLogger("org.apache.ratis.grpc.server").setLevel(atLeast(Level.ERROR, level));
    return true;
  }

  /** Patroni's (Python's) level name as a Logback level. */
  public static Level toLogback(String patroniLevel) {
    switch (patroniLevel == null ? "" : patroniLevel.trim().toUpperCase(Locale.ROOT)) {
      case "DEBUG":
        return Level.DEBUG;
      case "INFO":
        return Level.INFO;
      case "WARNING":
      case "WARN":
        return Level.WARN;
      case "ERROR":
      case "CRITICAL":
      case "FATAL":
        return Level.ERROR;
      default:
        throw new ConfigException("log.level", "must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got \""
            + patroniLevel + "\"");
    }
  }

  private static Level atLeast(Level floor, Level root) {
    return root.isGreaterOrEqual(floor) ? root : floor;
  }

  private static Appender<ILoggingEvent> stderrAppender(LoggerContext context, PatternLayoutEncoder encoder) {
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName("stderr");
    console.setTarget("System.err");
    console.setEncoder(encoder);
    console.start();
    return console;
  }

  private static Appender<ILoggingEvent> fileAppender(LoggerContext context, PatternLayoutEncoder encoder,
      String file) {
    RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
    appender.setContext(context);
    appender.setName("file");
    appender.setFile(file);
    appender.setAppend(true);
    appender.setEncoder(encoder);

    FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
    rolling.setContext(context);
    rolling.setParent(appender);
    rolling.setFileNamePattern(file + ".%i");
    rolling.setMinIndex(1);
    rolling.setMaxIndex(OLD_FILES);
    rolling.start();

    SizeBasedTriggeringPolicy<ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
    trigger.setContext(context);
    trigger.setMaxFileSize(FileSize.valueOf(MAX_FILE_SIZE));
    trigger.start();

    appender.setRollingPolicy(rolling);
    appender.setTriggeringPolicy(trigger);
    appender.start();
    return appender;
  }
}
