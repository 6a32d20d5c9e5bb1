package io.pgquorum.coordinator.postgres;

import static io.pgquorum.coordinator.postgres.PgTestSupport.execute;
import static io.pgquorum.coordinator.postgres.PgTestSupport.queryString;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.NodeConfig;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The probe's kept connection on real PostgreSQL 15 (issue 15, idle cost): consecutive probes and the slot sync
 * share one backend,
 * and every event after which a new backend would answer differently, or the kept one cannot answer at all, gets a
 * new one without the probe ever saying anything but the truth: a reload pgquorum sent that the kept backend has not
 * applied (one it applied keeps the session), a terminated backend, a backend crash (the postmaster reinitialises
 * under the same pid), a smart stop (which would wait for an idle session) and a start.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProbeConnectionTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  /** The probe's sessions: pgquorum's application name; the test's own connections use pgjdbc's default. */
  private static final String PROBE_BACKENDS = "SELECT string_agg(pid::text, ',' ORDER BY pid) FROM pg_stat_activity"
      + " WHERE application_name = 'pgquorum'";

  private PgTestSupport support;
  private final AtomicReference<DynamicConfig> dynamic = new AtomicReference<>(TestNodes.dynamic(true, Map.of()));
  private NodeConfig n1;
  private LocalPostgres pg1;

  @BeforeAll
  void setUp() throws Exception {
    support = new PgTestSupport();
    n1 = support.node("n1").build();
    pg1 = new LocalPostgres(n1, dynamic::get);
  }

  @AfterAll
  void tearDown() throws Exception {
    support.close();
  }

  /**
   * After a reload pgquorum sent, the kept session answers only if it shows the configuration digest the file has
   * now (it has read that content); otherwise a new one does. A probe connection of the test's own, over the same
   * server, whose count of reloads the test moves: {@code digest} stands for the file's digest.
   */
  @Test
  @Order(2)
  void reloadsKeepTheSessionOnlyOnceItAppliedThem() throws Exception {
    // After the test above, which ends with the server started again.
    assertThat(pg1.probe().isPrimary()).as("the server the test above left running").isTrue();
    PgContext ctx = new PgContext(n1, dynamic::get);
    Jdbc jdbc = new Jdbc(ctx);
    ConfigWriter files = new ConfigWriter(ctx);
    AtomicReference<java.util.Optional<String>> digest = new AtomicReference<>(files.writtenDigest());
    ProbeConnection kept = new ProbeConnection(ctx, jdbc, digest::get);
    Duration read = Duration.ofSeconds(5);
    ProbeConnection.Work<String> pidAndWorkMem = c -> {
      try (var st = c.createStatement();
          var r = st.executeQuery("SELECT pg_backend_pid() || ' ' || current_setting('work_mem')")) {
        r.next();
        return r.getString(1);
      }
    };
    try {
      String before = kept.run(read, pidAndWorkMem);
      String pid = before.split(" ")[0];
      assertThat(kept.run(read, pidAndWorkMem)).as("kept between calls").isEqualTo(before);

      // A real reload with a new work_mem: once a session opened after it shows the new value, PostgreSQL 15's
      // postmaster has signalled every backend (it does so in its SIGHUP handler, before it forks another), and the
      // kept backend applies the signal before its next query: it shows the file's digest and is kept.
      dynamic.set(TestNodes.dynamic(true, Map.of("work_mem", "7MB")));
      pg1.reload();
      await().atMost(WAIT).until(() -> "7MB".equals(queryString(n1, "SHOW work_mem")));
      digest.set(files.writtenDigest());
      assertThat(digest.get()).as("the file's digest").isPresent();
      jdbc.reloadSent();
      assertThat(kept.run(read, pidAndWorkMem)).as("the same session, with the reloaded value")
          .isEqualTo(pid + " 7MB");

      // A reload counted as sent for content the kept backend has not read (a digest it does not show): a new
      // session answers. Without the digest check the old session would answer, with what it read before.
      digest.set(java.util.Optional.of("0123456789abcdef"));
      jdbc.reloadSent();
      String after = kept.run(read, pidAndWorkMem);
      assertThat(after.split(" ")[0]).as("a new session after a reload the kept one did not apply").isNotEqualTo(pid);
    } finally {
      kept.close();
      dynamic.set(TestNodes.dynamic(true, Map.of()));
      pg1.reload();
    }
  }

  @Test
  @Order(1)
  void oneBackendAcrossProbesAndANewOneWheneverItCouldDiffer() throws Exception {
    pg1.bootstrap();
    pg1.startPrimary(1);
    assertThat(pg1.probe().isPrimary()).isTrue();
    String first = queryString(n1, PROBE_BACKENDS);
    assertThat(first).as("one kept probe session").doesNotContain(",").isNotNull();
    for (int i = 0; i < 3; i++) {
      assertThat(pg1.probe().isPrimary()).isTrue();
    }
    assertThat(queryString(n1, PROBE_BACKENDS)).as("the same backend answered every probe").isEqualTo(first);
    // The slot sync, which runs every cycle too, uses the same session.
    pg1.syncReplicationSlots(java.util.Set.of("n2"));
    assertThat(queryString(n1, "SELECT string_agg(slot_name, ',') FROM pg_replication_slots")).isEqualTo("n2");
    assertThat(pg1.probe().slots()).containsOnlyKeys("n2");
    assertThat(queryString(n1, PROBE_BACKENDS)).as("the slot sync ran on the probe's session").isEqualTo(first);

    // A reload pgquorum sends (its effect on the kept session: reloadsKeepTheSessionOnlyOnceItAppliedThem).
    pg1.reload();
    assertThat(pg1.probe().isPrimary()).isTrue();
    String afterReload = queryString(n1, PROBE_BACKENDS);
    assertThat(afterReload).as("one probe session").isNotNull().doesNotContain(",");

    // The kept backend terminated: the probe answers through a new one, in the same call.
    execute(n1, "SELECT pg_terminate_backend(" + afterReload + ")");
    await().atMost(WAIT).until(() -> queryString(n1, PROBE_BACKENDS) == null);
    PgState afterTerminate = pg1.probe();
    assertThat(afterTerminate.running()).isTrue();
    assertThat(afterTerminate.isPrimary()).isTrue();
    String replacement = queryString(n1, PROBE_BACKENDS);
    assertThat(replacement).isNotNull().isNotEqualTo(afterReload);

    // A backend crash: the postmaster (same pid) ends every session and reinitialises; the probe reads the
    // server as the postmaster then shows it, and a running primary once it accepts connections again.
    long postmaster = pg1.probe().pid().orElseThrow();
    new ProcessBuilder("kill", "-9", replacement).inheritIO().start().waitFor();
    await().atMost(WAIT).untilAsserted(() -> {
      PgState s = pg1.probe();
      assertThat(s.isPrimary()).isTrue();
      assertThat(s.pid()).hasValue(postmaster);
    });
    assertThat(queryString(n1, PROBE_BACKENDS)).isNotNull().isNotEqualTo(replacement);

    // A smart stop waits for every session to end: the kept one is closed first, so it completes.
    pg1.stop(StopMode.SMART);
    assertThat(pg1.probe().running()).isFalse();

    pg1.startPrimary(1);
    PgState restarted = pg1.probe();
    assertThat(restarted.isPrimary()).isTrue();
    assertThat(restarted.pid()).isPresent().isNotEqualTo(java.util.OptionalLong.of(postmaster));
  }
}
