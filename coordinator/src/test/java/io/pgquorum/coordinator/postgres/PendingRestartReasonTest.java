package io.pgquorum.coordinator.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.postgres.PendingRestartReason.Change;
import io.pgquorum.coordinator.postgres.PendingRestartReason.Row;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PendingRestartReasonTest {
  @Test
  void fileValuesAreShownAsPostgresShowsThem() {
    // shared_buffers is counted in 8kB pages: 32768 of them, or "256MB" written by hand, both read 256MB.
    assertThat(PendingRestartReason.display("32768", "8kB", "integer")).isEqualTo("256MB");
    assertThat(PendingRestartReason.display("256MB", "8kB", "integer")).isEqualTo("256MB");
    assertThat(PendingRestartReason.display("1GB", "8kB", "integer")).isEqualTo("1GB");
    assertThat(PendingRestartReason.display("1000kB", "8kB", "integer")).isEqualTo("1000kB");
    assertThat(PendingRestartReason.display("0.5GB", "8kB", "integer")).isEqualTo("512MB");
    assertThat(PendingRestartReason.display(" 2048 ", "kB", "integer")).isEqualTo("2MB");
    assertThat(PendingRestartReason.display("-1", "8kB", "integer")).isEqualTo("-1");
    assertThat(PendingRestartReason.display("0", "kB", "integer")).isEqualTo("0");
    assertThat(PendingRestartReason.display("60000", "ms", "integer")).isEqualTo("1min");
    assertThat(PendingRestartReason.display("90", "s", "integer")).isEqualTo("90s");
    assertThat(PendingRestartReason.display("2h", "min", "integer")).isEqualTo("2h");
    // No unit, a boolean, an enum, text: as written (a boolean in PostgreSQL's on/off).
    assertThat(PendingRestartReason.display("200", "", "integer")).isEqualTo("200");
    assertThat(PendingRestartReason.display("true", "", "bool")).isEqualTo("on");
    assertThat(PendingRestartReason.display("off", "", "bool")).isEqualTo("off");
    assertThat(PendingRestartReason.display("try", "", "enum")).isEqualTo("try");
    // What does not parse stays as written rather than being guessed at.
    assertThat(PendingRestartReason.display("lots", "8kB", "integer")).isEqualTo("lots");
    assertThat(PendingRestartReason.display("12 parsecs", "8kB", "integer")).isEqualTo("12 parsecs");
  }

  @Test
  void eachPendingRowGivesItsRunningAndItsNextValue() {
    Map<String, Change> reason = PendingRestartReason.fromRows(List.of(
        new Row("shared_buffers", "128MB", "8kB", "integer", Optional.of("32768")),
        new Row("max_connections", "100", "", "integer", Optional.of("150")),
        // Set by no file any more (removed from ALTER SYSTEM): the default applies, which the files cannot tell.
        new Row("huge_pages", "on", "", "enum", Optional.empty())));
    assertThat(reason).containsExactly(
        Map.entry("huge_pages", new Change("on", "?")),
        Map.entry("max_connections", new Change("100", "150")),
        Map.entry("shared_buffers", new Change("128MB", "256MB")));
    assertThat(PendingRestartReason.json(reason)).hasToString(
        "{huge_pages={old_value=on, new_value=?}, max_connections={old_value=100, new_value=150},"
            + " shared_buffers={old_value=128MB, new_value=256MB}}");
  }

  @Test
  void aReplicaStartsWithPgControlsHigherValuesAndStaysPending() {
    Map<String, String> controlData = Map.of("max_connections setting", "200", "max_worker_processes setting", "8",
        "max_wal_senders setting", "10", "max_prepared_xacts setting", "0", "max_locks_per_xact setting", "64");
    Map<String, String> configured = Map.of("max_connections", "100", "max_worker_processes", "16",
        "max_wal_senders", "10", "max_prepared_transactions", "0", "shared_buffers", "128MB");
    Map<String, Change> overrides = PendingRestartReason.controlDataOverrides(configured, controlData);
    // Only the one pg_control has higher; a value not configured (max_locks_per_transaction) is left alone.
    assertThat(overrides).containsExactly(Map.entry("max_connections", new Change("200", "100")));
    assertThat(PendingRestartReason.startValues(overrides)).containsExactly(Map.entry("max_connections", "200"));
    // Not a plain number on either side: no override (nothing sure to compare).
    assertThat(PendingRestartReason.controlDataOverrides(Map.of("max_connections", "1e2"), controlData)).isEmpty();
    assertThat(PendingRestartReason.controlDataOverrides(configured, Map.of())).isEmpty();
  }

  @Test
  void pgSettingsWinsOverWhatTheStartRemembered() {
    Map<String, Change> started = Map.of("max_connections", new Change("200", "100"));
    Map<String, Change> rows = Map.of("max_connections", new Change("200", "120"),
        "shared_buffers", new Change("128MB", "256MB"));
    assertThat(PendingRestartReason.merge(rows, started)).containsExactly(
        Map.entry("max_connections", new Change("200", "120")), Map.entry("shared_buffers",
            new Change("128MB", "256MB")));
    assertThat(PendingRestartReason.merge(Map.of(), started)).isEqualTo(started);
  }

  @Test
  void aStateWithAReasonIsPending() {
    PgState s = PgState.stopped(PgState.DataDirState.INITIALIZED);
    assertThat(s.pendingRestart()).isFalse();
    assertThat(s.withPendingRestartReason(Map.of()).pendingRestart()).isFalse();
    PgState pending = s.withPendingRestartReason(Map.of("max_connections", new Change("200", "100")));
    assertThat(pending.pendingRestart()).isTrue();
    assertThat(pending.pendingRestartReason()).containsEntry("max_connections", new Change("200", "100"));
    // Carried through the other copies.
    assertThat(pending.withSlots(Map.of("a", 1L)).pendingRestartReason()).hasSize(1);
    assertThat(pending.withTimelineHistory(List.of()).pendingRestartReason()).hasSize(1);
  }
}
