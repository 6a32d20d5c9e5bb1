package io.pgquorum.coordinator.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Reads YAML text the way Patroni (PyYAML's safe loader) does: YAML 1.1, so {@code on/off/yes/no} are booleans
 * and {@code 0777} is octal; plain data only (no object tags).
 *
 * <p>Floats follow PyYAML's stricter rule (a dot is required, so {@code 1e-2} stays text as it does for Patroni),
 * not SnakeYAML's. Two deliberate differences: an unquoted date such as {@code 2024-05-01} stays text (a
 * timestamp object has no meaning in any pgquorum setting, and PyYAML's conversion only ever produced confusing
 * errors), and a key repeated in one mapping is an error, because the earlier value would otherwise be dropped
 * without a word.
 * Syntax errors report line and column and the parser's complaint, never the text of the line, which could hold a
 * password.
 */
final class YamlDocument {
  private YamlDocument() {}

  /** The document's top-level mapping (empty for an empty document), with text keys throughout. */
  static Map<String, Object> loadMapping(String text, String sourceName) {
    Object doc = load(text, sourceName);
    if (doc == null) {
      return new LinkedHashMap<>();
    }
    if (!(doc instanceof Map)) {
      throw new ConfigException(sourceName, "the configuration must be a YAML mapping of sections "
          + "(scope:, name:, postgresql:, ...), not a single value or a list");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) normalise(doc);
    return m;
  }

  /** Any YAML value (used for list-valued environment variables). */
  static Object load(String text, String sourceName) {
    try {
      return newYaml().load(text);
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark();
      String where = mark == null ? "" : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
      throw new ConfigException(sourceName, "invalid YAML" + where + ": " + e.getProblem());
    } catch (YAMLException e) {
      throw new ConfigException(sourceName, "invalid YAML: " + e.getMessage());
    }
  }

  private static Yaml newYaml() {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(50);
    DumperOptions dumper = new DumperOptions();
    return new Yaml(new SafeConstructor(options), new Representer(dumper), dumper, options, new NoTimestamps());
  }

  /** Deep copy with text keys and mutable containers, so later stages can overlay the environment. */
  static Object normalise(Object value) {
    if (value instanceof Map) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
        out.put(String.valueOf(e.getKey()), normalise(e.getValue()));
      }
      return out;
    }
    if (value instanceof List) {
      List<Object> out = new ArrayList<>();
      for (Object item : (List<?>) value) {
        out.add(normalise(item));
      }
      return out;
    }
    return value;
  }

  /** PyYAML's YAML 1.1 float: a dot is required; the exponent, if any, is signed. */
  private static final Pattern PYYAML_FLOAT = Pattern.compile("^(?:[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*"
      + "(?:[eE][-+][0-9]+)?|\\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*"
      + "|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN))$");

  /** YAML 1.1's implicit types as PyYAML resolves them, minus timestamps. */
  private static final class NoTimestamps extends Resolver {
    @Override
    protected void addImplicitResolvers() {
      addImplicitResolver(Tag.BOOL, BOOL, "yYnNtTfFoO", 10);
      addImplicitResolver(Tag.INT, INT, "-+0123456789");
      addImplicitResolver(Tag.FLOAT, PYYAML_FLOAT, "-+0123456789.");
      addImplicitResolver(Tag.MERGE, MERGE, "<", 10);
      addImplicitResolver(Tag.NULL, NULL, "~nN\0", 10);
      addImplicitResolver(Tag.NULL, EMPTY, null, 10);
      addImplicitResolver(Tag.YAML, YAML, "!&*", 10);
    }
  }
}
