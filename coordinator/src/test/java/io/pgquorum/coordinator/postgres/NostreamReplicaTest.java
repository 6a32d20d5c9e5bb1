package io.pgquorum.coordinator.postgres;

import static io.pgquorum.coordinator.postgres.PgTestSupport.execute;
import static io.pgquorum.coordinator.postgres.PgTestSupport.queryString;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.coordinator.config.Tags;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The nostream tag with real PostgreSQL 15: the replica is cloned from the primary as usual, then runs without
 * primary_conninfo or slot and receives WAL only through restore_command from the primary's archive.
 */
class NostreamReplicaTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void aNostreamReplicaReplaysFromTheArchiveOnly() throws Exception {
    try (PgTestSupport support = new PgTestSupport()) {
      Path archive = support.base.resolve("archive");
      Files.createDirectories(archive);
      AtomicReference<DynamicConfig> dynamic = new AtomicReference<>(TestNodes.dynamic(true, Map.of()));
      TestNodes.Builder b1 = support.node("n1");
      b1.parameter("archive_mode", "on").parameter("archive_command", "cp %p " + archive + "/%f");
      NodeConfig n1 = b1.build();
      TestNodes.Builder b2 = support.node("n2");
      b2.recoveryConf.put("restore_command", "cp " + archive + "/%f %p");
      b2.tags = new Tags(false, false, false, false, 1, Map.of("nostream", true));
      NodeConfig n2 = b2.build();
      LocalPostgres pg1 = new LocalPostgres(n1, dynamic::get);
      LocalPostgres pg2 = new LocalPostgres(n2, dynamic::get);
      Upstream up1 = new Upstream("n1", "127.0.0.1", n1.postgresql().listen().port());

      pg1.bootstrap();
      pg1.startPrimary(1);
      pg2.cloneReplica(up1);
      pg2.startReplica(up1);
      assertThat(queryString(n2, "SHOW primary_conninfo")).isEmpty();
      assertThat(queryString(n2, "SHOW primary_slot_name")).isEmpty();

      execute(n1, "CREATE TABLE t (id int PRIMARY KEY)");
      execute(n1, "INSERT INTO t VALUES (1)");
      queryString(n1, "SELECT pg_switch_wal()"); // the segment with the row goes to the archive now
      await().atMost(WAIT).pollInterval(Duration.ofMillis(300)).ignoreExceptions()
          .until(() -> "1".equals(queryString(n2, "SELECT count(*) FROM t")));
      PgState r = pg2.probe();
      assertThat(r.isReplica()).isTrue();
      assertThat(r.replicationState()).contains("in archive recovery");
      assertThat(r.upstream()).isEmpty();
      assertThat(queryString(n1, "SELECT count(*) FROM pg_stat_replication")).as("nobody streams").isEqualTo("0");
      pg2.stop(StopMode.FAST);
      pg1.stop(StopMode.FAST);
    }
  }
}
