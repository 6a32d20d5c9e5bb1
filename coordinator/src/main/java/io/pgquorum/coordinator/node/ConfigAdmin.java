package io.pgquorum.coordinator.node;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.pgquorum.coordinator.cluster.ClusterStore;
import io.pgquorum.coordinator.cluster.Versioned;
import io.pgquorum.coordinator.config.ConfigException;
import io.pgquorum.coordinator.config.ConfigLoader;
import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.MergePatch;
import io.pgquorum.coordinator.rest.AdminActions;
import io.pgquorum.dcs.api.WriteResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dynamic configuration's admin endpoints (Patroni's): {@code PATCH /config} applies a JSON merge patch to the
 * DCS {@code config} key, {@code PUT /config} replaces it. Maintenance mode is part of it ({@code {"pause": true}},
 * {@code {"pause": null}}).
 *
 * <p>The result is checked by the same parser the nodes load it with, with the same timing rules (a
 * loop_wait/retry_timeout that breaks {@code loop_wait + 2*retry_timeout <= ttl} is lowered, with a warning in
 * this node's log), and written as the nodes would interpret it: a document any node would refuse (and then ignore,
 * keeping its previous settings) is never stored; the answer names every problem (400). A PATCH is a
 * compare-and-set on the revision the key was read at, so two concurrent edits never silently lose one (409, as
 * Patroni). A PUT replaces the key whatever it holds, as Patroni's does. On success the answer is the new
 * configuration (the REST layer sends it as JSON, secrets redacted as in {@code GET /config}) and the HA loop is
 * woken so that this node applies it at once; the others see it on their next cycle (within loop_wait).
 */
final class ConfigAdmin extends AdminActions.Unsupported {
  private static final Logger log = LoggerFactory.getLogger(ConfigAdmin.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};

  private final ClusterStore store;
  private final Runnable wakeLoop;

  ConfigAdmin(ClusterStore store, Runnable wakeLoop) {
    this.store = store;
    this.wakeLoop = wakeLoop;
  }

  @Override
  public Result patchConfig(Map<String, Object> mergePatch) {
    Optional<Versioned<String>> current;
    try {
      current = store.readConfigText();
    } catch (RuntimeException e) {
      return unreachable(e);
    }
    if (current.isEmpty()) {
      return new Result(503, "the config key does not exist in the DCS (the cluster is not bootstrapped yet)");
    }
    Map<String, Object> stored;
    try {
      stored = JSON.readValue(current.get().value(), MAP);
    } catch (JsonProcessingException e) {
      stored = null;
    }
    if (stored == null) {
      return new Result(503, "the config key in the DCS is not a JSON object; replace it with PUT /config");
    }
    return write(MergePatch.apply(stored, mergePatch), Optional.of(current.get().modRevision()),
        current.get().value());
  }

  @Override
  public Result putConfig(Map<String, Object> whole) {
    Optional<Versioned<String>> current;
    try {
      current = store.readConfigText();
    } catch (RuntimeException e) {
      return unreachable(e);
    }
    return write(whole, Optional.empty(), current.map(Versioned::value).orElse(""));
  }

  /** Validates {@code document}, writes it unless it is what the key holds already, and answers as Patroni. */
  private Result write(Map<String, Object> document, Optional<Long> revision, String storedText) {
    List<String> warnings = new ArrayList<>();
    DynamicConfig config;
    try {
      config = ConfigLoader.parseDynamic(document, "config", warnings);
    } catch (ConfigException e) {
      return new Result(400, "invalid configuration, nothing was changed:\n" + String.join("\n", e.problems()));
    }
    warnings.forEach(w -> log.warn("config change: {}", w));
    Map<String, Object> result = ConfigLoader.toMap(config);
    String body = json(result);
    if (!sameDocument(storedText, body)) {
      WriteResult.Outcome outcome;
      try {
        outcome = store.writeConfig(config, revision);
      } catch (IllegalArgumentException e) {
        // The DCS's bound on one write (1 MiB): REST bodies are at most 64 KiB, but merge patches add up.
        return new Result(400, "invalid configuration, nothing was changed: " + e.getMessage());
      } catch (RuntimeException e) {
        return revision.isPresent() ? unreachable(e) : new Result(502, "the config key could not be written: "
            + e.getMessage());
      }
      if (outcome == WriteResult.Outcome.CONDITION_FAILED) {
        return new Result(409, "the config key was changed by someone else since it was read; nothing was "
            + "changed: read it again and retry");
      }
      if (outcome != WriteResult.Outcome.OK) {
        return new Result(revision.isPresent() ? 503 : 502, "the config key could not be written: " + outcome);
      }
      log.info("dynamic configuration changed through the REST API{}",
          config.paused() ? " (maintenance mode: paused)" : "");
    }
    wakeLoop.run();
    return new Result(200, body);
  }

  /** Whether {@code stored} (the key's JSON text) already holds {@code document}: then nothing is written. */
  private static boolean sameDocument(String stored, String document) {
    try {
      // Both read back from text: numbers then compare by value whatever Java type they were written from.
      return !stored.isEmpty() && JSON.readTree(stored).equals(JSON.readTree(document));
    } catch (JsonProcessingException e) {
      return false;
    }
  }

  private static Result unreachable(RuntimeException e) {
    return new Result(503, "the DCS cannot be reached: " + (e.getMessage() == null ? e.getClass().getSimpleName()
        : e.getMessage().lines().findFirst().orElse("")));
  }

  private static String json(Map<String, Object> document) {
    try {
      return JSON.writeValueAsString(document);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the configuration as JSON", e);
    }
  }
}
