package io.pgquorum.bench.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.jepsen.stack.PgClusterSpec.SyncMode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

class PatroniYamlTest {
  private final PatroniYaml y = new PatroniYaml("bench", "node2", 8009, 5433, List.of(2379, 2381, 2383), 20, 1, 3,
      SyncMode.OFF, Path.of("/tmp/b/node2"), Path.of("/usr/lib/postgresql/15/bin"), "s3cret-super", "s3cret-repl");

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return (Map<String, Object>) o;
  }

  @Test
  void rendersAPatroniConfigurationWithEtcd3AndTheRequestedTiming() {
    Map<String, Object> doc = new Yaml().load(y.render());
    assertThat(doc).containsEntry("scope", "bench").containsEntry("name", "node2");
    assertThat(map(doc.get("restapi"))).containsEntry("listen", "127.0.0.1:8009")
        .containsEntry("connect_address", "127.0.0.1:8009");
    assertThat(map(doc.get("etcd3"))).containsEntry("hosts", "127.0.0.1:2379,127.0.0.1:2381,127.0.0.1:2383");
    Map<String, Object> dcs = map(map(doc.get("bootstrap")).get("dcs"));
    assertThat(dcs).containsEntry("ttl", 20).containsEntry("loop_wait", 1).containsEntry("retry_timeout", 3);
    assertThat(map(dcs.get("postgresql"))).containsEntry("use_pg_rewind", true);
    Map<String, Object> pg = map(doc.get("postgresql"));
    assertThat(pg).containsEntry("listen", "127.0.0.1:5433").containsEntry("data_dir", "/tmp/b/node2/pgdata")
        .containsEntry("bin_dir", "/usr/lib/postgresql/15/bin");
    Map<String, Object> auth = map(pg.get("authentication"));
    assertThat(map(auth.get("superuser"))).containsEntry("username", "postgres")
        .containsEntry("password", "s3cret-super");
    assertThat(map(auth.get("replication"))).containsEntry("username", "replicator")
        .containsEntry("password", "s3cret-repl");
    assertThat((List<String>) map(doc.get("bootstrap")).get("pg_hba"))
        .contains("host replication replicator 127.0.0.0/8 md5");
    assertThat(map(pg.get("parameters"))).containsEntry("unix_socket_directories", "/tmp/b/node2");
    // YAML 1.1 reads a bare off as false: Patroni accepts both; the watchdog must not be required.
    assertThat(map(doc.get("watchdog")).get("mode")).isIn(false, "off");
  }

  @Test
  void asynchronousByDefaultAndTheSynchronousModesInPatronisSpelling() {
    assertThat(dcs(y)).doesNotContainKeys("synchronous_mode", "synchronous_mode_strict");
    assertThat(dcs(withSync(SyncMode.ON))).containsEntry("synchronous_mode", true)
        .doesNotContainKey("synchronous_mode_strict");
    assertThat(dcs(withSync(SyncMode.STRICT))).containsEntry("synchronous_mode", true)
        .containsEntry("synchronous_mode_strict", true);
    assertThat(dcs(withSync(SyncMode.QUORUM))).containsEntry("synchronous_mode", "quorum");
    // The lines go into bootstrap.dcs without displacing its postgresql section.
    assertThat(map(dcs(withSync(SyncMode.STRICT)).get("postgresql"))).containsEntry("use_slots", true);
  }

  private PatroniYaml withSync(SyncMode mode) {
    return new PatroniYaml(y.scope(), y.name(), y.restPort(), y.pgPort(), y.etcdClientPorts(), y.ttl(), y.loopWait(),
        y.retryTimeout(), mode, y.nodeDir(), y.pgBin(), y.superPassword(), y.replPassword());
  }

  private static Map<String, Object> dcs(PatroniYaml yaml) {
    Map<String, Object> doc = new Yaml().load(yaml.render());
    return map(map(doc.get("bootstrap")).get("dcs"));
  }

  @Test
  void toStringHidesThePasswords() {
    assertThat(y.toString()).doesNotContain("s3cret").contains("ttl=20");
  }
}
