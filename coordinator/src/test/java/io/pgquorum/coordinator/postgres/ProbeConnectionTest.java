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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The probe's kept connection on real PostgreSQL 15 (issue 15, idle cost): consecutive probes and the slot sync
 * share one backend,
 * and every event after which a new backend would answer differently, or the kept one cannot answer at all, gets a
 * new one without the probe ever saying anything but the truth: a reload pgquorum sent, a terminated backend, a
 * backend crash (the postmaster reinitialises under the same pid), a smart stop (which would wait for an idle
 * session) and a start.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
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

  @Test
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

    // A reload pgquorum sends: a new backend, which has the new values from its start.
    pg1.reload();
    assertThat(pg1.probe().isPrimary()).isTrue();
    String afterReload = queryString(n1, PROBE_BACKENDS);
    assertThat(afterReload).isNotNull().isNotEqualTo(first);

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
