package io.pgquorum.coordinator.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.pgquorum.coordinator.cluster.ClusterStore;
import io.pgquorum.coordinator.cluster.DcsKeys;
import io.pgquorum.coordinator.config.ConfigLoader;
import io.pgquorum.coordinator.rest.AdminActions.Result;
import io.pgquorum.dcs.api.Dcs;
import io.pgquorum.dcs.memory.InMemoryDcs;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** PATCH and PUT /config: merge, validation with every problem named, timing rules, compare-and-set. */
class ConfigAdminTest {
  private static final DcsKeys KEYS = new DcsKeys("/service/demo/");
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private final InMemoryDcs dcs = new InMemoryDcs();
  private final Dcs client = dcs.client("node1");
  private final AtomicInteger wakes = new AtomicInteger();
  private final ConfigAdmin admin = new ConfigAdmin(new ClusterStore(client, KEYS, "node1"), wakes::incrementAndGet);

  @AfterEach
  void close() {
    dcs.close();
  }

  private void seed() {
    new ClusterStore(client, KEYS, "node1").writeConfigIfAbsent(
        ConfigLoader.parseDynamic(Map.of("ttl", 8), "config", new ArrayList<>()));
  }

  private JsonNode stored() throws Exception {
    return JSON.readTree(client.get(KEYS.config()).orElseThrow().value());
  }

  private long revision() {
    return client.get(KEYS.config()).orElseThrow().modRevision();
  }

  private static Map<String, Object> of(String key, Object value) {
    Map<String, Object> m = new HashMap<>();
    m.put(key, value);
    return m;
  }

  @Test
  void pauseThenResumeAnswersTheNewConfigStoresItAndWakesTheLoop() throws Exception {
    seed();
    Result paused = admin.patchConfig(of("pause", true));
    assertThat(paused.status()).isEqualTo(200);
    assertThat(JSON.readTree(paused.body()).path("pause").asBoolean()).isTrue();
    assertThat(JSON.readTree(paused.body()).path("ttl").asInt()).isEqualTo(8);
    assertThat(stored().path("pause").asBoolean()).isTrue();
    assertThat(wakes).hasValue(1);

    Result resumed = admin.patchConfig(of("pause", null));
    assertThat(resumed.status()).isEqualTo(200);
    assertThat(JSON.readTree(resumed.body()).has("pause")).isFalse();
    assertThat(stored().has("pause")).isFalse();
    assertThat(stored().path("ttl").asInt()).isEqualTo(8);
  }

  @Test
  void patchesThatAddUpToMoreThanTheDcsTakesInOneWriteAreRefusedAsInvalidAndChangeNothing() throws Exception {
    seed();
    String half = "x".repeat(600 * 1024); // the REST API takes 64 KiB per body; here the merged whole counts
    assertThat(admin.patchConfig(of("postgresql", Map.of("parameters", of("custom.a", half)))).status())
        .isEqualTo(200);
    long before = revision();
    Result r = admin.patchConfig(of("postgresql", Map.of("parameters", of("custom.b", half))));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body()).startsWith("invalid configuration, nothing was changed: ")
        .contains("key " + KEYS.config()).contains("at most 1048576 bytes");
    assertThat(revision()).isEqualTo(before);
    assertThat(stored().path("postgresql").path("parameters").has("custom.b")).isFalse();
  }

  @Test
  void nestedKeysMergeAndOthersAreKept() throws Exception {
    seed();
    admin.patchConfig(of("postgresql", Map.of("parameters", Map.of("max_connections", 200, "work_mem", "8MB"))));
    Result r = admin.patchConfig(of("postgresql", Map.of("parameters", of("work_mem", null))));
    assertThat(r.status()).isEqualTo(200);
    JsonNode params = stored().path("postgresql").path("parameters");
    assertThat(params.path("max_connections").asText()).isEqualTo("200");
    assertThat(params.has("work_mem")).isFalse();
    assertThat(stored().path("postgresql").path("use_slots").asBoolean()).isTrue();
  }

  @Test
  void anUnchangedPatchAnswers200WithoutWriting() {
    seed();
    long before = revision();
    Result r = admin.patchConfig(of("ttl", 8));
    assertThat(r.status()).isEqualTo(200);
    assertThat(revision()).isEqualTo(before);
  }

  @Test
  void everyProblemIsNamedAndNothingIsWritten() throws Exception {
    seed();
    long before = revision();
    Map<String, Object> patch = new HashMap<>();
    patch.put("ttl", 2);
    patch.put("loop_wait", "soon");
    patch.put("pause", "maybe");
    patch.put("maximum_lag_on_failover", -1);
    patch.put("postgresql", Map.of("use_slots", "perhaps"));
    Result r = admin.patchConfig(patch);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body()).contains("config.ttl: ", "config.loop_wait: ", "config.pause: ",
        "config.maximum_lag_on_failover: ", "config.postgresql.use_slots: ", "nothing was changed");
    assertThat(revision()).isEqualTo(before);
    assertThat(wakes).hasValue(0);
  }

  @Test
  void theLoadTimeTimingRuleIsAppliedToTheStoredValue() throws Exception {
    seed();
    // loop_wait + 2*retry_timeout must stay <= ttl: loop_wait gives way, as when the nodes load it.
    Map<String, Object> patch = new HashMap<>();
    patch.put("ttl", 10);
    patch.put("loop_wait", 9);
    patch.put("retry_timeout", 3);
    Result r = admin.patchConfig(patch);
    assertThat(r.status()).isEqualTo(200);
    assertThat(stored().path("loop_wait").asInt()).isEqualTo(4);
    assertThat(JSON.readTree(r.body()).path("loop_wait").asInt()).isEqualTo(4);
  }

  @Test
  void aConcurrentChangeBetweenReadAndWriteAnswers409AndKeepsTheOtherChange() throws Exception {
    seed();
    Dcs other = dcs.client("operator");
    // The other writer changes the key right after this node read it: the compare-and-set must lose.
    Dcs racing = (Dcs) Proxy.newProxyInstance(Dcs.class.getClassLoader(), new Class<?>[] {Dcs.class},
        (proxy, method, args) -> {
          try {
            Object result = method.invoke(client, args);
            if (method.getName().equals("get")) {
              other.put(KEYS.config(), "{\"ttl\":30,\"loop_wait\":1,\"retry_timeout\":2}");
            }
            return result;
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    ConfigAdmin raced = new ConfigAdmin(new ClusterStore(racing, KEYS, "node1"), wakes::incrementAndGet);
    Result r = raced.patchConfig(of("pause", true));
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.body()).contains("changed by someone else");
    assertThat(stored().path("ttl").asInt()).isEqualTo(30);
    assertThat(stored().has("pause")).isFalse();
    assertThat(wakes).hasValue(0);
  }

  @Test
  void patchWithoutAConfigKeyAnswers503() {
    Result r = admin.patchConfig(of("pause", true));
    assertThat(r.status()).isEqualTo(503);
    assertThat(r.body()).contains("config key does not exist");
    assertThat(client.get(KEYS.config())).isEmpty();
  }

  @Test
  void putReplacesTheWholeDocument() throws Exception {
    seed();
    admin.patchConfig(of("pause", true));
    Result r = admin.putConfig(Map.of("ttl", 12, "postgresql", Map.of("parameters", Map.of("work_mem", "8MB"))));
    assertThat(r.status()).isEqualTo(200);
    assertThat(stored().has("pause")).isFalse();
    assertThat(stored().path("ttl").asInt()).isEqualTo(12);
    assertThat(stored().path("postgresql").path("parameters").path("work_mem").asText()).isEqualTo("8MB");
    assertThat(JSON.readTree(r.body()).path("ttl").asInt()).isEqualTo(12);
  }

  @Test
  void putCreatesAMissingKeyAndRefusesAnInvalidDocument() throws Exception {
    Result bad = admin.putConfig(Map.of("ttl", "long", "retry_timeout", 0));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.body()).contains("config.ttl: ", "config.retry_timeout: ");
    assertThat(client.get(KEYS.config())).isEmpty();
    Result ok = admin.putConfig(Map.of("ttl", 9));
    assertThat(ok.status()).isEqualTo(200);
    assertThat(stored().path("ttl").asInt()).isEqualTo(9);
    assertThat(List.of(stored().path("loop_wait").asInt(), stored().path("retry_timeout").asInt()))
        .as("the defaults filled in").containsExactly(1, 1);
  }
}
