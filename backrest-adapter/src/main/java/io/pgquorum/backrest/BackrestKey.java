package io.pgquorum.backrest;

/**
 * One key of the {@code backrest} section, declared once in {@link BackrestKeys}: the parser takes its default and
 * range from here and the README's table is rendered from it, so neither can differ between the two.
 *
 * @param path the dotted path in the node's file, e.g. {@code backrest.repo1.path}
 * @param defaultValue the value used when the key is absent (a String or a Long), or null when it is derived
 *     ({@link #defaultNote})
 * @param defaultNote the default as the documentation states it when it is not a plain value, else null
 * @param unit what the value counts (seconds, processes, ...), or "-" when it counts nothing
 * @param min the smallest whole number accepted (numbers only)
 * @param max the largest whole number accepted (numbers only)
 * @param accepts what the parser accepts, as the documentation states it
 * @param why why the key exists and why its default is what it is
 */
public record BackrestKey(String path, Object defaultValue, String defaultNote, String unit, long min, long max,
    String accepts, String why) {
  /** The last segment of the path: the key as written in its mapping. */
  public String leaf() {
    return path.substring(path.lastIndexOf('.') + 1);
  }

  /** The default as the documentation states it. */
  public String defaultText() {
    return defaultNote != null ? defaultNote : "`" + defaultValue + "`";
  }

  String defaultString() {
    return (String) defaultValue;
  }

  long defaultLong() {
    return (Long) defaultValue;
  }

  @Override
  public String toString() {
    return path;
  }
}
