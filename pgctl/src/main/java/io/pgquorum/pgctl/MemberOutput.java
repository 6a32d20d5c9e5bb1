package io.pgquorum.pgctl;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Turns a {@link MemberTable} into text in one of patronictl's output formats.
 *
 * <ul>
 *   <li>pretty (and topology): the bordered table without the Cluster column, titled
 *       {@code Cluster: <scope> (<system identifier>)}, then maintenance mode and a scheduled switchover;
 *   <li>tsv: a header row and one tab-separated row per member, every column;
 *   <li>json: one line, a list with one object per member, empty cells left out, spaced like Python's json;
 *   <li>yaml: the same objects in block style, keys sorted (as PyYAML writes them).
 * </ul>
 * Tags are YAML inside a cell: block style in the pretty table, flow style in tsv, a nested map in json/yaml.
 */
final class MemberOutput {
  private static final JsonMapper JSON = JsonMapper.builder()
      .enable(JsonWriteFeature.ESCAPE_NON_ASCII) // Python's json.dumps default
      .build();

  private MemberOutput() {}

  static String render(ClusterView view, MemberTable table, OutputFormat format) {
    return switch (format) {
      case PRETTY -> pretty(view, table);
      case TSV -> tsv(table);
      case JSON -> json(table);
      case YAML -> yaml(table);
    };
  }

  private static String pretty(ClusterView view, MemberTable table) {
    List<String> columns = table.columns().subList(1, table.columns().size()); // the title names the cluster
    List<List<String>> rows = new ArrayList<>();
    for (List<Object> row : table.rows()) {
      List<String> cells = new ArrayList<>();
      for (int i = 1; i < row.size(); i++) {
        cells.add(cell(row.get(i), false));
      }
      rows.add(cells);
    }
    String title = " Cluster: " + view.scope() + " (" + view.systemIdentifier() + ") ";
    StringBuilder out = new StringBuilder(
        TextTable.render(title, columns, Set.of(MemberTable.TL, MemberTable.LAG), rows));
    List<String> info = new ArrayList<>();
    if (view.paused()) {
      info.add("Maintenance mode: on");
    }
    view.switchover().ifPresent(s -> {
      StringBuilder line = new StringBuilder("Switchover scheduled at: ").append(s.at());
      s.from().ifPresent(f -> line.append('\n').append(String.format("%24s: %s", "from", f)));
      s.to().ifPresent(t -> line.append('\n').append(String.format("%24s: %s", "to", t)));
      info.add(line.toString());
    });
    List<String> failing = view.members().stream().filter(MemberView::archiveFailing).map(MemberView::name).toList();
    if (!failing.isEmpty()) {
      info.add("WAL archiving fails on: " + String.join(", ", failing));
    }
    List<String> blocked = view.members().stream().filter(MemberView::commitsBlocked).map(MemberView::name).toList();
    if (!blocked.isEmpty()) {
      // Issue 14: synchronous_mode_strict without a synchronous standby; the leader's key says so.
      info.add("Commits blocked on: " + String.join(", ", blocked) + " (waiting for a synchronous standby)");
    }
    if (!info.isEmpty()) {
      out.append(' ').append(String.join("\n ", info)).append('\n');
    }
    return out.toString();
  }

  private static String tsv(MemberTable table) {
    StringBuilder out = new StringBuilder(String.join("\t", table.columns())).append('\n');
    for (List<Object> row : table.rows()) {
      List<String> cells = new ArrayList<>();
      for (Object v : row) {
        cells.add(cell(v, true));
      }
      out.append(String.join("\t", cells)).append('\n');
    }
    return out.toString();
  }

  private static String json(MemberTable table) {
    try {
      return JSON.writer(new PythonSpacing()).writeValueAsString(objects(table, false)) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the member list as JSON", e);
    }
  }

  private static String yaml(MemberTable table) {
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setIndent(2);
    options.setWidth(200);
    return new Yaml(options).dump(objects(table, true));
  }

  /** One map per member, empty cells dropped (patronictl leaves them out of json and yaml). */
  private static List<Map<String, Object>> objects(MemberTable table, boolean sorted) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (List<Object> row : table.rows()) {
      Map<String, Object> m = sorted ? new TreeMap<>() : new LinkedHashMap<>();
      for (int i = 0; i < row.size(); i++) {
        Object v = row.get(i);
        if (!"".equals(v)) {
          m.put(table.columns().get(i), v instanceof Map<?, ?> tags ? sortedCopy(tags) : v);
        }
      }
      out.add(m);
    }
    return out;
  }

  private static String cell(Object value, boolean flow) {
    if (value instanceof Map<?, ?> tags) {
      DumperOptions options = new DumperOptions();
      options.setDefaultFlowStyle(flow ? DumperOptions.FlowStyle.FLOW : DumperOptions.FlowStyle.BLOCK);
      options.setWidth(200);
      return new Yaml(options).dump(sortedCopy(tags)).strip();
    }
    return String.valueOf(value);
  }

  private static Map<String, Object> sortedCopy(Map<?, ?> map) {
    Map<String, Object> sorted = new TreeMap<>();
    map.forEach((k, v) -> sorted.put(String.valueOf(k), v));
    return sorted;
  }

  /** {@code ", "} between items and {@code ": "} after keys, on one line: what Python's json.dumps writes. */
  static final class PythonSpacing extends MinimalPrettyPrinter {
    private static final long serialVersionUID = 1L;

    @Override
    public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
      g.writeRaw(": ");
    }

    @Override
    public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
      g.writeRaw(", ");
    }

    @Override
    public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
      g.writeRaw(", ");
    }
  }
}
