package io.pgquorum.bench.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one bench run measured, plus the machine it ran on. Thread-safe collector; written as
 * {@code results.json}, {@code results.md} and {@code ratios.svg} by {@link #writeTo(Path)}.
 */
public final class Results {
  private final Machine machine;
  private final boolean quick;
  private final List<Result> results = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, String> skipped = Collections.synchronizedMap(new LinkedHashMap<>());

  public Results(Machine machine, boolean quick) {
    this.machine = machine;
    this.quick = quick;
  }

  /** Records one result. */
  public void add(Result result) {
    results.add(result);
  }

  /** Records that a part of a suite did not run, and why (shown in the report, never silently dropped). */
  public void skipped(String what, String why) {
    skipped.put(what, why);
  }

  public List<Result> all() {
    synchronized (results) {
      return List.copyOf(results);
    }
  }

  public Map<String, String> skippedParts() {
    synchronized (skipped) {
      return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(skipped)); // keeps the order of events
    }
  }

  public Machine machine() {
    return machine;
  }

  public boolean quick() {
    return quick;
  }

  /** Writes results.json, results.md and ratios.svg into dir (created if missing). */
  public void writeTo(Path dir) throws IOException {
    Files.createDirectories(dir);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("machine", machine);
    json.put("quick", quick);
    json.put("results", all());
    json.put("skipped", skippedParts());
    List<Map<String, Object>> ratios = new ArrayList<>();
    for (Comparison c : Comparison.pair(all())) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("suite", c.pgquorum().suite());
      r.put("metric", c.pgquorum().metric());
      r.put("config", c.pgquorum().config());
      r.put("pgquorum_variant", c.pgquorum().variant());
      r.put("incumbent", c.incumbent().system());
      r.put("incumbent_variant", c.incumbent().variant());
      r.put("ratio", c.ratio());
      ratios.add(r);
    }
    json.put("ratios", ratios);
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    Files.writeString(dir.resolve("results.json"), mapper.writeValueAsString(json));
    Files.writeString(dir.resolve("results.md"), MarkdownReport.render(this));
    Files.writeString(dir.resolve("ratios.svg"), RatioChart.render(Comparison.likeForLike(all())));
  }
}
