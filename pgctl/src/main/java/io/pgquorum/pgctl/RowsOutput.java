package io.pgquorum.pgctl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * patronictl's generic table output (its print_output without a cluster title), for {@code history} and
 * {@code query}: pretty (a bordered table, no title), tsv (header then rows, with a delimiter), json (one object per
 * row, every column) and yaml (the same, block style, keys sorted). Values print as Python's {@code str} does:
 * null as {@code None}, booleans as {@code True}/{@code False}.
 */
final class RowsOutput {
  private static final JsonMapper JSON = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

  private RowsOutput() {}

  /**
   * @param columns column names; null for rows without a header (query's error line): pretty names them
   *     {@code Field 1}, {@code Field 2}..., json and yaml show empty objects, as patronictl's libraries do
   */
  static String render(List<String> columns, List<List<Object>> rows, Set<String> rightAligned, OutputFormat format,
      String delimiter) {
    return switch (format) {
      case PRETTY -> pretty(columns, rows, rightAligned);
      case TSV -> tsv(columns, rows, delimiter);
      case JSON -> json(objects(columns, rows, false));
      case YAML -> yaml(objects(columns, rows, true));
    };
  }

  private static String pretty(List<String> columns, List<List<Object>> rows, Set<String> rightAligned) {
    List<String> names = columns;
    if (names == null) {
      names = new ArrayList<>();
      int width = rows.isEmpty() ? 0 : rows.get(0).size();
      for (int i = 1; i <= width; i++) {
        names.add("Field " + i);
      }
    }
    List<List<String>> cells = rows.stream().map(r -> r.stream().map(RowsOutput::text).toList()).toList();
    return TextTable.render(null, names, rightAligned, cells);
  }

  private static String tsv(List<String> columns, List<List<Object>> rows, String delimiter) {
    StringBuilder out = new StringBuilder();
    if (columns != null) {
      out.append(String.join(delimiter, columns)).append('\n');
    }
    for (List<Object> row : rows) {
      out.append(String.join(delimiter, row.stream().map(RowsOutput::text).toList())).append('\n');
    }
    return out.toString();
  }

  private static List<Map<String, Object>> objects(List<String> columns, List<List<Object>> rows, boolean sorted) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (List<Object> row : rows) {
      Map<String, Object> m = sorted ? new TreeMap<>() : new LinkedHashMap<>();
      for (int i = 0; columns != null && i < columns.size() && i < row.size(); i++) {
        m.put(columns.get(i), row.get(i));
      }
      out.add(m);
    }
    return out;
  }

  static String text(Object v) {
    if (v == null) {
      return "None";
    }
    if (v instanceof Boolean b) {
      return b ? "True" : "False";
    }
    return String.valueOf(v);
  }

  private static String json(Object value) {
    try {
      return JSON.writer(new MemberOutput.PythonSpacing()).writeValueAsString(value) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write rows as JSON", e);
    }
  }

  private static String yaml(Object value) {
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setIndent(2);
    options.setWidth(200);
    return new Yaml(options).dump(value);
  }
}
