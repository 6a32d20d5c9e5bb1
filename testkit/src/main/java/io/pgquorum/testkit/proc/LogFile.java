package io.pgquorum.testkit.proc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/** A process's output file, appended to across restarts: banners, reading from an offset, tails for messages. */
public final class LogFile {
  private LogFile() {}

  /** Appends one line (a newline is added), creating the file. */
  public static void appendLine(Path log, String line) {
    try {
      Files.writeString(log, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + log, e);
    }
  }

  /** The file's size, 0 when it does not exist. */
  public static long size(Path log) {
    try {
      return Files.exists(log) ? Files.size(log) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  /** Everything from byte {@code from} on ("" when unreadable). */
  public static String readFrom(Path log, long from) {
    try {
      byte[] all = Files.readAllBytes(log);
      int start = (int) Math.min(from, all.length);
      return new String(all, start, all.length - start, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** The whole file ("" when it does not exist or is unreadable). */
  public static String read(Path log) {
    return readFrom(log, 0);
  }

  /** The last {@code lines} lines, joined by newlines, for error messages. */
  public static String tailLines(Path log, int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  /** The last {@code max} characters of {@code text}. */
  public static String tailChars(String text, int max) {
    return text.length() <= max ? text : text.substring(text.length() - max);
  }
}
