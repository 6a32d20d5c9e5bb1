package io.pgquorum.backrest;

/**
 * One key of the {@code backrest} section, declared once in {@link BackrestKeys}: the parser reads it by this
 * declaration and the README's table is rendered from it, so a default or range cannot differ between the two.
 *
 * @param path the dotted path in the node's file, e.g. {@code backrest.repo1.path}
 * @param dflt the default as the documentation states it
 * @param unit what the value counts (seconds, processes, ...), or "-" when it counts nothing
 * @param accepts what the parser accepts, as the documentation states it
 * @param why why the key exists and why its default is what it is
 */
public record BackrestKey(String path, String dflt, String unit, String accepts, String why) {
  /** The path below {@code backrest.}: how it is written inside the section. */
  public String inSection() {
    return path.substring(BackrestKeys.SECTION.length() + 1);
  }

  @Override
  public String toString() {
    return path;
  }
}
